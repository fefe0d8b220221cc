import Foundation
import HTTPTypes
import Hummingbird
import Partners
import RunReader

/// OGC API - Features, Part 1 (Core, GeoJSON, OpenAPI 3.0) over the partner directory and the run's hotspot polygons
/// (`HotspotCollection`), so that GDAL's OAPIF driver,
/// QGIS, R's sf and Python's OWSLib connect to the service instead of hand-writing URLs: the landing page `/`,
/// `/conformance`, `/collections`, and a collection's items by `bbox`, `datetime` (the partner's `updated` time), the
/// listing's own filters and `limit`/`offset` pages linked by `next`/`prev`. Public fields only, as `/v1/partners`.
struct FeatureRoutes: Sendable {
    let store: PartnerStore
    let served: ServedRun
    let options: ServerOptions
    var hotspots: HotspotCollection { HotspotCollection(served: served, options: options) }

    static let crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    static let conformance = [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    ]
    /// Items a page: the standard leaves the default to the server; clients ask for more with `limit`.
    static let pageSize = 100, maxPageSize = 10_000
    static let itemParameters: Set<String> = ["bbox", "datetime", "limit", "offset", "theme", "type", "country", "q", "f"]

    var routes: RouteCollection<BasicRequestContext> {
        let router = RouteCollection(context: BasicRequestContext.self)
        router.get("/") { request, _ in try landing(request) }
        router.get("/conformance") { request, _ in
            try checkParameters(request, known: ["f"], json: true)
            return try json(request, ConformanceDocument(conformsTo: Self.conformance + TileSetRoutes.conformance))
        }
        router.get("/collections") { request, _ in
            try checkParameters(request, known: ["f"], json: true)
            let base = HotspotServer.baseURL(request, options)
            let snapshot = try served.current()
            return try json(request, CollectionsDocument(
                links: [OGCLink(base + "/collections", "self", "application/json", "the collections")],
                collections: [partnersCollection(base), try hotspots.collection(base)] + snapshot.tiles.jobs.keys.sorted().map {
                    TileSetRoutes.collection($0, snapshot, base: base)
                }))
        }
        router.get("/collections/{collectionId}") { request, context in
            try checkParameters(request, known: ["f"], json: true)
            let id = try context.parameters.require("collectionId")
            let base = HotspotServer.baseURL(request, options)
            let snapshot = try served.current()
            if snapshot.tiles.jobs[id] != nil { return try json(request, TileSetRoutes.collection(id, snapshot, base: base)) }
            if try collection(id) == HotspotCollection.id { return try json(request, try hotspots.collection(base)) }
            return try json(request, partnersCollection(base))
        }
        router.get("/collections/{collectionId}/items") { request, context in
            if try collection(try context.parameters.require("collectionId")) == HotspotCollection.id {
                return try hotspots.items(request)
            }
            return try items(request)
        }
        router.get("/collections/{collectionId}/items/{featureId}") { request, context in
            try checkParameters(request, known: ["f"], json: true)
            let collectionID = try collection(try context.parameters.require("collectionId"))
            let id = try context.parameters.require("featureId")
            if collectionID == HotspotCollection.id { return try hotspots.item(request, id: id) }
            guard Partner.isValidID(id), let partner = store.snapshot[id] else {
                throw Problem(.notFound, "no feature '\(id.prefix(60))' in the partners collection")
            }
            let base = HotspotServer.baseURL(request, options) + "/collections/partners"
            return try json(request, LinkedFeature(feature: partner.feature(includePrivate: false), links: [
                OGCLink(base + "/items/\(id)", "self", "application/geo+json", "this partner"),
                OGCLink(base, "collection", "application/json", "the partners collection"),
            ]), type: "application/geo+json")
        }
        return router
    }

    // MARK: documents

    /// JSON for clients, a short HTML page for a browser (its `Accept` names text/html before JSON) or `?f=html`.
    func landing(_ request: Request) throws -> Response {
        try checkParameters(request, known: ["f"], json: false)
        let format = request.uri.queryParameters.get("f")
        guard format == nil || format == "json" || format == "html" else {
            throw Problem.badParameter("f", "f must be json or html")
        }
        let base = HotspotServer.baseURL(request, options)
        let links = [
            OGCLink(base + "/", "self", "application/json", "this document"),
            OGCLink(base + "/?f=html", "alternate", "text/html", "this document as HTML"),
            OGCLink(base + "/openapi.json", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "the API definition"),
            OGCLink(base + "/conformance", "conformance", "application/json", "the conformance classes"),
            OGCLink(base + "/collections", "data", "application/json", "the collections"),
            OGCLink(base + "/tileMatrixSets", "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", "application/json",
                    "the tile matrix sets"),
            OGCLink(base + "/map", "alternate", "text/html", "the map"),
        ]
        if format == "html" || (format == nil && Self.prefersHTML(request.headers[.accept])) {
            let page = """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Soil Carbon Hotspots</title>
                <meta name="viewport" content="width=device-width, initial-scale=1"></head>
                <body><h1>Soil Carbon Hotspots</h1>
                <p>Hotspots of soil organic carbon sequestration and loss, and the partners of the 4 per 1000 initiative.</p>
                <ul><li><a href="/map">The map</a></li>
                <li><a href="/openapi.json">The API definition (OpenAPI 3.1)</a></li>
                <li><a href="/collections">The collections (OGC API - Features)</a>: <a href="/collections/partners/items?limit=100">partners</a>, <a href="/collections/hotspots/items">hotspots</a></li>
                <li><a href="/stac">The STAC catalogue of runs</a></li>
                <li><a href="/conformance">Conformance classes</a></li></ul></body></html>

                """
            return respond(request, Data(page.utf8), type: "text/html; charset=utf-8", caching: .run,
                           headers: [.vary: "Accept"])
        }
        var response = try json(request, LandingPage(
            title: "Soil Carbon Hotspots",
            description: "Hotspots of soil organic carbon sequestration and loss (4 per 1000 initiative), and its partners.",
            links: links))
        response.headers[.vary] = "Accept"
        return response
    }

    /// Whether an `Accept` header ranks HTML above JSON (browsers send text/html first, clients JSON or */*).
    static func prefersHTML(_ accept: String?) -> Bool {
        guard let accept else { return false }
        var html = -1.0, json = -1.0
        for part in accept.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let type = fields.first?.lowercased() ?? ""
            let q = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if type == "text/html" { html = max(html, q) }
            if type == "application/json" || type == "application/geo+json" { json = max(json, q) }
        }
        return html > 0 && html > json
    }

    func partnersCollection(_ base: String) -> CollectionDocument {
        let partners = store.snapshot.list(PartnerIndex.Filter())
        var box = [-180.0, -90, 180, 90]
        if !partners.isEmpty {
            box = [partners.map(\.lon).min()!, partners.map(\.lat).min()!, partners.map(\.lon).max()!, partners.map(\.lat).max()!]
        }
        let times = partners.map(\.updated).sorted()
        return CollectionDocument(
            id: "partners", title: "Partners of the 4 per 1000 initiative",
            description: "Who does what and where: research institutes, NGOs, farmers' organisations, governments and "
                + "companies, with their themes (public fields only).",
            links: [
                OGCLink(base + "/collections/partners", "self", "application/json", "this collection"),
                OGCLink(base + "/collections/partners/items", "items", "application/geo+json", "the partners"),
            ],
            extent: .init(spatial: .init(bbox: [box], crs: Self.crs84),
                          temporal: .init(interval: [[times.first, times.last]], trs: "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian")),
            itemType: "feature", crs: [Self.crs84])
    }

    func items(_ request: Request) throws -> Response {
        try checkParameters(request, known: Self.itemParameters, json: true)
        let (limit, offset) = try page(request, default: Self.pageSize, maximum: Self.maxPageSize)
        let filter = try PartnerRoutes.filter(request)
        var partners = store.snapshot.list(filter)
        if let text = request.uri.queryParameters.get("datetime") {
            let interval = try DateTimeFilter(text)
            partners = partners.filter { interval.contains($0.updated) }
        }
        let shown = partners.dropFirst(offset).prefix(limit)
        let links = pageLinks(request, path: HotspotServer.baseURL(request, options) + "/collections/partners/items",
                              limit: limit, offset: offset, returned: shown.count, matched: partners.count)
        return try json(request, FeaturePage(
            features: shown.map { $0.feature(includePrivate: false) }, numberMatched: partners.count,
            numberReturned: shown.count, timeStamp: PartnerRoutes.timestamp(), links: links), type: "application/geo+json")
    }

    // MARK: helpers

    /// The known parameters, and with `json` an `f` that can only be `json` (these documents have no HTML form).
    func checkParameters(_ request: Request, known: Set<String>, json: Bool) throws {
        json ? try checkOGCParameters(request, known: known) : try HotspotAPI.checkParameters(request, known: known)
    }

    /// The feature collection `id` names (`partners` or `hotspots`); the tiled layers' collections have no items.
    @discardableResult
    func collection(_ id: String) throws -> String {
        guard id == "partners" || id == HotspotCollection.id else {
            if (try? served.current())?.tiles.jobs[id] != nil {
                throw Problem(.notFound, "collection '\(id)' is map tiles (see its tiles link): it has no items")
            }
            throw Problem(.notFound, "no collection '\(id.prefix(60))': see /collections")
        }
        return id
    }

    func json<T: Encodable>(_ request: Request, _ value: T, type: String = "application/json") throws -> Response {
        try respondOGC(request, value, type: type)
    }
}

/// A page's `self` link, and `next` and `prev` where there are such pages.
func pageLinks(_ request: Request, path: String, limit: Int, offset: Int, returned: Int, matched: Int) -> [OGCLink] {
    func link(offset: Int, rel: String) -> OGCLink {
        OGCLink(pageURL(request, path: path, limit: limit, offset: offset), rel, "application/geo+json",
                rel == "self" ? "this page" : "the \(rel) page")
    }
    var links = [link(offset: offset, rel: "self")]
    if offset + returned < matched { links.append(link(offset: offset + returned, rel: "next")) }
    if offset > 0 { links.append(link(offset: max(0, offset - limit), rel: "prev")) }
    return links
}

/// The known parameters (`f` always, and it can only be `json`: the OGC documents have no HTML form).
func checkOGCParameters(_ request: Request, known: Set<String> = []) throws {
    try HotspotAPI.checkParameters(request, known: known.union(["f"]))
    if let format = request.uri.queryParameters.get("f"), format != "json" {
        throw Problem.badParameter("f", "this document is JSON only: f must be json")
    }
}

/// An OGC API document: the standards' member names are camelCase (`numberMatched`, `itemType`), not the `/v1`
/// answers' snake_case.
func respondOGC<T: Encodable>(_ request: Request, _ value: T, type: String = "application/json") throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return respond(request, try encoder.encode(value), type: type, caching: .run)
}

// MARK: the standard's documents

struct OGCLink: Encodable {
    var href: String
    var rel: String
    var type: String
    var title: String
    /// True when `href` is a URI template (`{tileMatrix}`...).
    var templated: Bool?

    init(_ href: String, _ rel: String, _ type: String, _ title: String, templated: Bool? = nil) {
        (self.href, self.rel, self.type, self.title, self.templated) = (href, rel, type, title, templated)
    }
}

struct LandingPage: Encodable {
    var title: String
    var description: String
    var links: [OGCLink]
}

struct ConformanceDocument: Encodable {
    var conformsTo: [String]
}

struct CollectionsDocument: Encodable {
    var links: [OGCLink]
    var collections: [CollectionDocument]
}

struct CollectionDocument: Encodable {
    struct Extent: Encodable {
        struct Spatial: Encodable {
            var bbox: [[Double]]
            var crs: String
        }
        struct Temporal: Encodable {
            var interval: [[String?]]
            var trs: String
        }
        var spatial: Spatial
        var temporal: Temporal?
    }
    var id: String
    var title: String
    var description: String
    var links: [OGCLink]
    var extent: Extent
    /// `feature` for a feature collection; `dataType` `map` for a tiled layer's, and `layerDataType` `Raster` (as
    /// Ecere's server writes it: GDAL's OAPIF driver then does not list it as a vector layer).
    var itemType: String?
    var dataType: String?
    var layerDataType: String?
    var crs: [String]
}

struct FeaturePage: Encodable {
    var type = "FeatureCollection"
    var features: [PartnerFeature]
    var numberMatched: Int
    var numberReturned: Int
    var timeStamp: String
    var links: [OGCLink]
}

/// A feature with its links beside its members (`id`, `geometry`, `properties`).
struct LinkedFeature: Encodable {
    var feature: PartnerFeature
    var links: [OGCLink]

    enum Keys: String, CodingKey { case links }

    func encode(to encoder: any Encoder) throws {
        try feature.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(links, forKey: .links)
    }
}

/// OGC API's `datetime`: an RFC 3339 instant, or an interval `start/end` with `..` (or nothing) for an open end.
struct DateTimeFilter {
    var start: Date?, end: Date?
    /// The formats a time may come in, made once a request (a formatter costs more than a partner's comparison).
    private let formatters: [ISO8601DateFormatter] = [
        [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate],
    ].map { (options: ISO8601DateFormatter.Options) in
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        return formatter
    }

    init(_ text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count) else { throw Self.invalid(text) }
        func instant(_ part: String) throws -> Date? {
            if parts.count == 2 && (part.isEmpty || part == "..") { return nil }
            guard let date = parse(part) else { throw Self.invalid(text) }
            return date
        }
        start = try instant(parts[0])
        // A date alone is the whole day.
        end = parts.count == 2 ? try instant(parts[1]) : text.count == 10 ? start!.addingTimeInterval(86_399.999) : start
        guard start != nil || end != nil else { throw Self.invalid(text) }
        if let start, let end, start > end { throw Problem.badParameter("datetime", "datetime's interval ends before it starts") }
    }

    func contains(_ timestamp: String) -> Bool {
        guard let date = parse(timestamp) else { return false }
        return (start.map { date >= $0 } ?? true) && (end.map { date <= $0 } ?? true)
    }

    /// RFC 3339, with or without fractional seconds, or a date alone (that day from midnight UTC).
    func parse(_ text: String) -> Date? {
        for formatter in formatters {
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    static func invalid(_ text: String) -> Problem {
        Problem.badParameter("datetime", "datetime must be an RFC 3339 time (2026-01-31T12:00:00Z) or an interval "
                             + "start/end with '..' for an open end, not '\(text.prefix(60))'")
    }
}
