import Foundation
import GeoKit

/// An immutable snapshot of the directory with a grid index (1-degree cells) for box and radius queries.
/// Distances are geodesic (PROJ's `geod_inverse` on WGS84); the grid only chooses candidates, generously.
public struct PartnerIndex: Sendable {
    public let partners: [Partner]
    /// Changes with every edit of the store (for caches of answers derived from the directory).
    public let version: Int
    private let byID: [String: Int]
    private let cells: [Int: [Int32]]
    static let cellsPerRow = 360

    public init(_ partners: [Partner], version: Int = 0) {
        self.version = version
        self.partners = partners.sorted { $0.id < $1.id }
        var byID: [String: Int] = [:]
        var cells: [Int: [Int32]] = [:]
        for (i, partner) in self.partners.enumerated() {
            byID[partner.id] = i
            cells[Self.cell(lon: partner.lon, lat: partner.lat), default: []].append(Int32(i))
        }
        self.byID = byID
        self.cells = cells
    }

    static func cell(lon: Double, lat: Double) -> Int {
        let column = min(359, max(0, Int((lon + 180).rounded(.down)))), row = min(179, max(0, Int((lat + 90).rounded(.down))))
        return row * cellsPerRow + column
    }

    public subscript(id: String) -> Partner? { byID[id].map { partners[$0] } }

    public var count: Int { partners.count }

    /// Filters for listings; nil means any.
    public struct Filter: Sendable {
        /// west, south, east, north; west > east crosses the antimeridian.
        public var bbox: [Double]?
        public var theme: Theme?
        public var type: PartnerType?
        public var country: String?
        /// Case-insensitive words that must all appear in the name or a description.
        public var text: String?

        public init(bbox: [Double]? = nil, theme: Theme? = nil, type: PartnerType? = nil, country: String? = nil,
                    text: String? = nil) {
            self.bbox = bbox
            self.theme = theme
            self.type = type
            self.country = country
            self.text = text
        }
    }

    public func list(_ filter: Filter) -> [Partner] {
        let words = filter.text?.lowercased().split(whereSeparator: \.isWhitespace).map(String.init) ?? []
        let candidates: [Partner]
        if let b = filter.bbox {
            // Only the cells the box touches.
            let rows = Int((b[1] + 90).rounded(.down))...min(179, Int((b[3] + 90).rounded(.down)))
            // A west or east edge at +180 falls in the last column, not one past it.
            let west = min(359, Int((b[0] + 180).rounded(.down))), east = min(359, Int((b[2] + 180).rounded(.down)))
            let columns = b[0] <= b[2] ? Array(west...east) : Array(west...359) + Array(0...east)
            var found: [Partner] = []
            for row in max(0, rows.lowerBound)...max(0, rows.upperBound) {
                for column in columns {
                    for i in cells[row * Self.cellsPerRow + column] ?? [] {
                        let p = partners[Int(i)]
                        let inLon = b[0] <= b[2] ? (b[0]...b[2]).contains(p.lon) : (p.lon >= b[0] || p.lon <= b[2])
                        if inLon, (b[1]...b[3]).contains(p.lat) { found.append(p) }
                    }
                }
            }
            candidates = found.sorted { $0.id < $1.id }
        } else {
            candidates = partners
        }
        return candidates.filter { p in
            if let theme = filter.theme, !p.themes.contains(theme) { return false }
            if let type = filter.type, p.type != type { return false }
            if let country = filter.country, p.country != country.uppercased() { return false }
            if !words.isEmpty {
                let haystack = ([p.name] + Array(p.description.values)).joined(separator: " ").lowercased()
                if !words.allSatisfy(haystack.contains) { return false }
            }
            return true
        }
    }

    /// Partners within `radiusKm` of a point, nearest first, with their geodesic distance in km.
    public func within(radiusKm: Double, ofLon lon: Double, lat: Double, excluding: String? = nil,
                       limit: Int = .max) -> [(partner: Partner, distanceKm: Double)] {
        var found: [(Partner, Double)] = []
        for i in candidates(radiusKm: radiusKm, lon: lon, lat: lat) {
            let p = partners[Int(i)]
            if p.id == excluding { continue }
            let d = Geodesic.wgs84.distance(lon1: lon, lat1: lat, lon2: p.lon, lat2: p.lat) / 1000
            if d <= radiusKm { found.append((p, d)) }
        }
        found.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0.id < $1.0.id }
        return Array(found.prefix(limit))
    }

    /// Indexes of the partners in the cells that can hold points within the radius (a superset).
    func candidates(radiusKm: Double, lon: Double, lat: Double) -> [Int32] {
        // A degree of latitude is at least 110.57 km; pad by one cell for the cell edges.
        let dLat = radiusKm / 110.57 + 1
        let south = max(-90, lat - dLat), north = min(90, lat + dLat)
        let rows = Int((south + 90).rounded(.down))...min(179, Int((north + 90).rounded(.down)))
        // A degree of longitude shrinks with cos(latitude): widest span at the most poleward row. Near a pole, or
        // when the span passes half the world, every column.
        let poleward = max(abs(south), abs(north))
        let columns: [Int]
        if poleward >= 89 {
            columns = Array(0..<360)
        } else {
            let dLon = radiusKm / (111.33 * cos(poleward * .pi / 180)) + 1
            if dLon >= 180 {
                columns = Array(0..<360)
            } else {
                let west = Int((lon - dLon + 180).rounded(.down)), east = Int((lon + dLon + 180).rounded(.down))
                columns = (west...east).map { (($0 % 360) + 360) % 360 }
            }
        }
        var out: [Int32] = []
        for row in rows {
            for column in Set(columns) { out += cells[row * Self.cellsPerRow + column] ?? [] }
        }
        return out
    }
}
