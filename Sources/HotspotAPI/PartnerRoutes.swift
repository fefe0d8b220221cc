import Foundation
import GeoKit
import HTTPTypes
import Hummingbird
import Partners
import Pipeline
import RunReader

/// The partner directory's routes: listings and neighbours for everyone (public fields only), edits for holders of
/// the admin token, and partners near hotspots joined with the served run.
struct PartnerRoutes: Sendable {
    let store: PartnerStore
    let served: ServedRun
    /// The admin token, from the environment variable the configuration names; nil disables edits.
    let token: String?

    static let maxBodyBytes = 64 * 1024

    var routes: RouteCollection<BasicRequestContext> {
        let router = RouteCollection(context: BasicRequestContext.self)
        router.get("/v1/partners") { request, _ in try list(request) }
        router.post("/v1/partners") { request, context in try await create(request, context) }
        router.get("/v1/partners/near-hotspots") { request, _ in try await nearHotspots(request) }
        router.get("/v1/partners/{id}") { request, context in
            let partner = try find(try context.parameters.require("id"))
            return try geojson(request, partner.feature(includePrivate: try authorised(request, required: false)))
        }
        router.get("/v1/partners/{id}/neighbours") { request, context in try neighbours(request, id: try context.parameters.require("id")) }
        router.put("/v1/partners/{id}") { request, context in
            try await update(request, context, id: try context.parameters.require("id"))
        }
        router.delete("/v1/partners/{id}") { request, context in
            _ = try authorised(request, required: true)
            let id = try context.parameters.require("id")
            let expected = Self.precondition(request)
            try await edit(context) { try store.delete(id: id, expected: expected) }
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        return router
    }

    // MARK: reading

    /// Listings: 1000 partners a page unless `limit` says otherwise, 10000 at most.
    static let pageSize = 1000, maxPageSize = 10_000

    func list(_ request: Request) throws -> Response {
        try checkParameters(request, known: ["bbox", "theme", "type", "country", "q", "limit", "offset", "lang"])
        let (limit, offset) = try page(request, default: Self.pageSize, maximum: Self.maxPageSize)
        let filter = try Self.filter(request)
        let includePrivate = try authorised(request, required: false)
        let partners = store.snapshot.list(filter)
        let shown = partners.dropFirst(offset).prefix(limit)
        var collection = PartnerCollection(features: shown.map { $0.feature(includePrivate: includePrivate) },
                                           numberMatched: partners.count)
        collection.numberReturned = shown.count
        if offset + shown.count < partners.count {
            collection.links = [.init(href: pageURL(request, path: "/v1/partners", limit: limit, offset: offset + shown.count),
                                      rel: "next")]
        }
        return try geojson(request, collection)
    }

    /// The listing filters of a request (`bbox`, `theme`, `type`, `country`, `q`), shared with OGC API Features' items.
    static func filter(_ request: Request) throws -> PartnerIndex.Filter {
        let query = request.uri.queryParameters
        var filter = PartnerIndex.Filter()
        if let bbox = query.get("bbox") {
            let parts = bbox.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 4, let b = parts as? [Double], b.allSatisfy(\.isFinite), b[1] < b[3],
                  (-180...180).contains(b[0]), (-180...180).contains(b[2]), b[1] >= -90, b[3] <= 90 else {
                throw Problem.badParameter("bbox", "bbox must be west,south,east,north in degrees with south < north "
                                           + "(west > east crosses the antimeridian)")
            }
            filter.bbox = b
        }
        if let theme = query.get("theme") {
            guard let value = Theme(rawValue: theme) else {
                throw Problem.badParameter("theme", "unknown theme '\(theme.prefix(40))'; known: \(Theme.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.theme = value
        }
        if let type = query.get("type") {
            guard let value = PartnerType(rawValue: type) else {
                throw Problem.badParameter("type", "unknown type '\(type.prefix(40))'; known: \(PartnerType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.type = value
        }
        if let country = query.get("country") {
            guard country.count == 2, country.allSatisfy(\.isLetter) else {
                throw Problem.badParameter("country", "country must be an ISO 3166-1 alpha-2 code such as FR")
            }
            filter.country = country
        }
        if let text = query.get("q") {
            guard text.count <= 200 else { throw Problem.badParameter("q", "q is at most 200 characters") }
            filter.text = text
        }
        return filter
    }

    func neighbours(_ request: Request, id: String) throws -> Response {
        let partner = try find(id)
        let query = request.uri.queryParameters
        let radius = try query.get("radius_km").map { try checkedNumber($0, "radius_km", in: 0.001...20_050) } ?? 100
        let limit = try query.get("limit").map { text -> Int in
            guard let n = Int(text), (1...1000).contains(n) else { throw Problem.badParameter("limit", "limit must be 1-1000") }
            return n
        } ?? 20
        let includePrivate = try authorised(request, required: false)
        let found = store.snapshot.within(radiusKm: radius, ofLon: partner.lon, lat: partner.lat, excluding: id, limit: limit)
        let features = found.map { match in
            var feature = match.partner.feature(includePrivate: includePrivate)
            feature.properties.distanceKm = (match.distanceKm * 1e6).rounded() / 1e6
            return feature
        }
        return try geojson(request, PartnerCollection(features: features, partner: id, radiusKm: radius,
                                                      distance: "geodesic on the WGS84 ellipsoid (PROJ geod_inverse)"))
    }

    func nearHotspots(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let className = query.get("class") ?? "any"
        let radius = try query.get("radius_km").map { try checkedNumber($0, "radius_km", in: 0.001...500) } ?? 50
        let snapshot = try served.current()
        let partners = store.snapshot
        let run = snapshot.run
        let result = try await offload { try run.coverage(className: className, radiusKm: radius, partners: partners) }
        let language = HotspotServer.language(request)
        var nearFeatures: [PartnerFeature] = []
        for near in result.nearPartners {
            var feature = near.partner.feature(includePrivate: false)
            feature.properties.distanceToHotspotKm = (near.distanceKm * 1e6).rounded() / 1e6
            let here = try snapshot.run.score(lon: near.partner.lon, lat: near.partner.lat, language: language)
            feature.properties.sequestrationScore = here.sequestration?.score
            feature.properties.lossScore = here.loss?.score
            feature.properties.class = here.class?.label
            nearFeatures.append(feature)
        }
        let gaps = result.gaps.map { gap in
            GapFeature(geometry: .init(coordinates: [gap.lon, gap.lat]), properties: .init(areaKm2: gap.areaKm2, pixels: gap.pixels))
        }
        return try geojson(request, NearHotspotsAnswer(
            runId: snapshot.run.runID, class: className, radiusKm: radius, hotspotAreaKm2: result.hotspotAreaKm2,
            unsupportedAreaKm2: result.unsupportedAreaKm2, partners: PartnerCollection(features: nearFeatures),
            unsupported: .init(features: gaps)), type: "application/json")
    }

    // MARK: editing

    func create(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try authorised(request, required: true)
        let object = try await body(request)
        try PartnerBody.check(object)
        let now = Self.timestamp()
        var partner = try Partner(json: object, defaultID: "p-" + UUID().uuidString.prefix(12).lowercased(), now: now)
        // The server owns the timestamps: a client's `created` or `updated` is not kept.
        (partner.created, partner.updated) = (now, now)
        let new = partner
        try await edit(context) { try store.insert(new) }
        var response = try geojson(request, partner.feature(includePrivate: true), caching: false)
        response.status = .created
        response.headers[.location] = "/v1/partners/\(partner.id)"
        return response
    }

    func update(_ request: Request, _ context: BasicRequestContext, id: String) async throws -> Response {
        _ = try authorised(request, required: true)
        var object = try await body(request)
        try PartnerBody.check(object, id: id)
        if object["type"] as? String == "Feature" {
            var properties = object["properties"] as? [String: Any] ?? [:]
            properties["id"] = id
            object["properties"] = properties
        } else {
            object["id"] = id
        }
        object["updated"] = Self.timestamp()
        let partner = try Partner(json: object, now: Self.timestamp())
        let expected = Self.precondition(request)
        let stored = try await edit(context) { try store.replace(partner, expected: expected) }
        return try geojson(request, stored.feature(includePrivate: true), caching: false)
    }

    /// Runs an edit off the event loop (on a shared database it may wait for another replica's edit); a store that
    /// cannot be written (a database gone) is a 503 whose cause goes to the log, not to the client.
    func edit<T: Sendable>(_ context: BasicRequestContext, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await offload(body)
        } catch let error as GeoError {
            context.logger.error("partner store \(store.path): \(error)")
            throw Problem(.serviceUnavailable, "the partner directory cannot be written just now; try again")
        }
    }

    /// The partner's ETag: a hash of its full record as editors read it (GET with the token, or a PUT's answer),
    /// so `If-Match` names one version of everything stored.
    static func etag(of partner: Partner) -> String {
        "\"" + fnv1a((try? JSONEncoder.api.encode(partner.feature(includePrivate: true))) ?? Data()) + "\""
    }

    /// `If-Match` (RFC 9110 13.1.1, strong comparison): the edit goes ahead only if the partner as stored at that
    /// moment has one of the tags, or exists for `*`; nil without the header (the last write wins).
    static func precondition(_ request: Request) -> (@Sendable (Partner) -> Bool)? {
        guard let header = request.headers[.ifMatch] else { return nil }
        let tags = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if tags.contains("*") { return { _ in true } }
        return { partner in tags.contains(etag(of: partner)) }
    }

    // MARK: helpers

    func find(_ id: String) throws -> Partner {
        guard Partner.isValidID(id) else { throw Problem.badParameter("id", "a partner id is a-z, 0-9, '-' or '_'") }
        guard let partner = store.snapshot[id] else { throw Problem(.notFound, "no partner '\(id)'") }
        return partner
    }

    /// Whether the request carries the admin token. `required`: a missing token is 401, a wrong one (or edits
    /// disabled) 403; otherwise a wrong token is just not authorised (public answers).
    func authorised(_ request: Request, required: Bool) throws -> Bool {
        guard let header = request.headers[.authorization] else {
            if required { throw Problem(.unauthorized, "edits need Authorization: Bearer <token>") }
            return false
        }
        guard let token else {
            if required { throw Problem(.forbidden, "edits are disabled: no admin token is configured") }
            return false
        }
        // The scheme is case-insensitive (RFC 9110); the token is not.
        let given = header.prefix(7).lowercased() == "bearer " ? String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces) : ""
        let ok = constantTimeEqual(given, token)
        if required && !ok { throw Problem(.forbidden, "the token is not valid") }
        return ok
    }

    func body(_ request: Request) async throws -> [String: Any] {
        let buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else {
            throw Problem(.badRequest, "the body must be a JSON object or a GeoJSON Feature")
        }
        return object
    }

    func geojson<T: Encodable>(_ request: Request, _ value: T, caching: Bool = true,
                               type: String = "application/geo+json") throws -> Response {
        let data = try JSONEncoder.api.encode(value)
        // Answers that include private fields must not sit in shared caches.
        let private_ = request.headers[.authorization] != nil
        return respond(request, data, type: type, caching: private_ ? .privateNoStore : caching ? .run : .never)
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}

/// Compares secrets in time that does not depend on where they differ (hashes first, so lengths do not show).
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(Checksum.hex(of: Data(a.utf8)).utf8), y = Array(Checksum.hex(of: Data(b.utf8)).utf8)
    var difference: UInt8 = 0
    for i in 0..<min(x.count, y.count) { difference |= x[i] ^ y[i] }
    return difference == 0 && x.count == y.count
}

struct GapFeature: Encodable {
    struct Point: Encodable {
        var type = "Point"
        var coordinates: [Double]
    }
    struct Properties: Encodable {
        var areaKm2: Double
        var pixels: Int
    }
    var type = "Feature"
    var geometry: Point
    var properties: Properties
}

struct NearHotspotsAnswer: Encodable {
    struct Gaps: Encodable {
        var type = "FeatureCollection"
        var description = "hotspot pixels with no partner within the radius, gathered in 1-degree cells (area-weighted "
            + "centroid, area)"
        var features: [GapFeature]
    }
    var runId: String
    var `class`: String
    var radiusKm: Double
    var hotspotAreaKm2: Double
    var unsupportedAreaKm2: Double
    var partners: PartnerCollection
    var unsupported: Gaps
}
