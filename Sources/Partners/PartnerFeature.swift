/// A partner as GeoJSON, for answers and exports (Codable: an order of magnitude faster than building dictionaries
/// for JSONSerialization, which matters for listings of thousands). Keys are camelCase here, snake_case on the wire
/// (the API's encoder converts); nil fields are left out.
public struct PartnerFeature: Encodable, Sendable {
    public struct Point: Encodable, Sendable {
        public var type = "Point"
        public var coordinates: [Double]
    }
    public struct Properties: Encodable, Sendable {
        public var id: String
        public var name: String
        public var type: String
        public var country: String
        public var themes: [String]
        public var website: String?
        public var description: [String: String]
        public var email: String?
        public var created: String
        public var updated: String
        /// Added by neighbour queries.
        public var distanceKm: Double?
        /// Added by near-hotspot queries.
        public var distanceToHotspotKm: Double?
        public var sequestrationScore: Double?
        public var lossScore: Double?
        public var `class`: String?
    }

    public var type = "Feature"
    public var id: String
    public var geometry: Point
    public var properties: Properties
}

/// A FeatureCollection of partners, with a few members of the query that made it.
public struct PartnerCollection: Encodable, Sendable {
    /// An OGC API Features link (`next` of a paged listing).
    public struct Link: Encodable, Sendable {
        public var href: String
        public var rel: String
        public var type = "application/geo+json"
        public init(href: String, rel: String) {
            self.href = href
            self.rel = rel
        }
    }
    public var type = "FeatureCollection"
    public var numberMatched: Int?
    public var numberReturned: Int?
    public var links: [Link]?
    public var partner: String?
    public var radiusKm: Double?
    public var distance: String?
    public var features: [PartnerFeature]

    public init(features: [PartnerFeature], numberMatched: Int? = nil, partner: String? = nil, radiusKm: Double? = nil,
                distance: String? = nil) {
        self.features = features
        self.numberMatched = numberMatched
        self.partner = partner
        self.radiusKm = radiusKm
        self.distance = distance
    }
}
