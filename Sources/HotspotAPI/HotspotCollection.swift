import Foundation
import Hummingbird
import RunReader

/// The `hotspots` collection of OGC API - Features: the served run's hotspot polygons (one MultiPolygon per class
/// and region, `hotspots.gpkg`), filtered by `bbox` (their extents), `class` and `region`, paged by `limit`/`offset`.
struct HotspotCollection: Sendable {
    let served: ServedRun
    let options: ServerOptions

    static let id = "hotspots"
    static let itemParameters: Set<String> = ["bbox", "limit", "offset", "class", "region", "f"]
    static let classes = ["sequestration": 1, "loss": 2, "both": 3]

    func collection(_ base: String) throws -> CollectionDocument {
        let snapshot = try served.current()
        let features = try snapshot.run.hotspots
        return CollectionDocument(
            id: Self.id, title: "Hotspot polygons of run \(snapshot.run.runID)",
            description: "Where SOC sequestration potential is highest (class 1), where SOC loss is most urgent to stop "
                + "(2), and both (3): one MultiPolygon per class and region, with its true area in km2 and the "
                + "area-weighted mean scores of its pixels (the class raster polygonized, simplified at half a pixel).",
            links: [
                OGCLink(base + "/collections/hotspots", "self", "application/json", "this collection"),
                OGCLink(base + "/collections/hotspots/items", "items", "application/geo+json", "the hotspot polygons"),
                OGCLink(base + "/v1/runs/\(snapshot.run.runID)/files/hotspots.gpkg", "enclosure",
                        "application/geopackage+sqlite3", "all of them as a GeoPackage"),
                OGCLink(base + "/v1/runs/\(snapshot.run.runID)/files/hotspots.fgb", "enclosure",
                        "application/vnd.flatgeobuf", "all of them as a FlatGeobuf"),
            ],
            extent: .init(spatial: .init(bbox: [features.bbox ?? [-180, -90, 180, 90]], crs: FeatureRoutes.crs84),
                          temporal: .init(interval: [[snapshot.run.record.createdAt, snapshot.run.record.createdAt]],
                                          trs: "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian")),
            itemType: "feature", crs: [FeatureRoutes.crs84])
    }

    func items(_ request: Request) throws -> Response {
        try checkOGCParameters(request, known: Self.itemParameters)
        let (limit, offset) = try page(request, default: FeatureRoutes.pageSize, maximum: FeatureRoutes.maxPageSize)
        let query = request.uri.queryParameters
        var matched = try served.current().run.hotspots.features
        if query.get("bbox") != nil, let box = try PartnerRoutes.filter(request).bbox {
            matched = matched.filter { Self.overlaps($0.bbox, box) }
        }
        if let name = query.get("class") {
            guard let code = Self.classes[name] ?? Int(name).flatMap({ (1...3).contains($0) ? $0 : nil }) else {
                throw Problem.badParameter("class", "class must be sequestration, loss or both (or 1, 2, 3)")
            }
            matched = matched.filter { $0.classCode == code }
        }
        if let region = query.get("region") {
            guard RegionCatalog.isValidID(region) else {
                throw Problem.badParameter("region", "region must be a region id of [a-z0-9_-] (see /v1/regions), or none")
            }
            matched = matched.filter { ($0.region ?? "none") == region }
        }
        let shown = matched.dropFirst(offset).prefix(limit)
        let links = pageLinks(request, path: HotspotServer.baseURL(request, options) + "/collections/hotspots/items",
                              limit: limit, offset: offset, returned: shown.count, matched: matched.count)
        // The features are GeoJSON already (made once a run): the page is put together around them.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var body = Data("{\"features\":[".utf8)
        for (index, feature) in shown.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(feature.json)
        }
        body.append(Data("],\"links\":".utf8))
        body.append(try encoder.encode(links))
        body.append(Data(",\"numberMatched\":\(matched.count),\"numberReturned\":\(shown.count),\"timeStamp\":\"\(PartnerRoutes.timestamp())\",\"type\":\"FeatureCollection\"}".utf8))
        return respond(request, body, type: "application/geo+json", caching: .run)
    }

    func item(_ request: Request, id: String) throws -> Response {
        try checkOGCParameters(request)
        guard id.count <= 200, let feature = try served.current().run.hotspots.features.first(where: { $0.id == id }) else {
            throw Problem(.notFound, "no feature '\(id.prefix(60))' in the hotspots collection (ids are region.class, "
                          + "e.g. europe.loss)")
        }
        let base = HotspotServer.baseURL(request, options) + "/collections/hotspots"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var body = feature.json.dropLast()
        body.append(Data(",\"links\":".utf8))
        body.append(try encoder.encode([
            OGCLink(base + "/items/" + (id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id), "self",
                    "application/geo+json", "this feature"),
            OGCLink(base, "collection", "application/json", "the hotspots collection"),
        ]))
        body.append(UInt8(ascii: "}"))
        return respond(request, Data(body), type: "application/geo+json", caching: .run)
    }

    /// Whether two west, south, east, north boxes meet; a query box with west > east crosses the antimeridian.
    static func overlaps(_ a: [Double], _ b: [Double]) -> Bool {
        guard a[1] <= b[3], a[3] >= b[1] else { return false }
        if b[0] <= b[2] { return a[0] <= b[2] && a[2] >= b[0] }
        return a[2] >= b[0] || a[0] <= b[2]
    }
}
