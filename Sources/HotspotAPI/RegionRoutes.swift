import Foundation
import Hummingbird
import RunReader

/// `GET /v1/regions` (the initiative's regions as GeoJSON), `GET /v1/regions/{id}/stats` (zonal statistics) and
/// `POST /v1/statistics` (the same over a polygon of the caller's).
struct RegionRoutes {
    let served: ServedRun
    let regions: RegionCatalog
    let options: ServerOptions
    /// A GeoJSON body of polygons: a country's detailed outline is a few megabytes.
    static let maxPolygonBytes = 8 << 20

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("/v1/regions") { request, _ in
            respond(request, regions.featureCollection(HotspotServer.language(request)), type: "application/geo+json",
                    caching: .run, headers: [.vary: "Accept-Language"])
        }
        routes.get("/v1/regions/{id}/stats") { request, context in
            let region = try regions.region(try context.parameters.require("id"))
            let language = HotspotServer.language(request)
            let snapshot = try served.current()
            let stats = try await offload {
                try snapshot.run.statistics(of: region, catalog: regions, language: language)
            }
            return try respondJSON(request, stats, caching: .run)
        }
        routes.post("/v1/statistics") { request, _ in try await polygonStatistics(request) }
        return routes
    }

    /// The body's polygons become a catalogue of one region (as `hotspot region --polygon`), summarised over a window
    /// no larger than a download's.
    func polygonStatistics(_ request: Request) async throws -> Response {
        try HotspotAPI.checkParameters(request, known: ["lang"])
        if let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces)
            .lowercased(), type != "application/json", type != "application/geo+json" {
            throw Problem(.unsupportedMediaType, "send the polygons as application/geo+json or application/json (got \(type))")
        }
        let body = Data(buffer: try await request.body.collect(upTo: Self.maxPolygonBytes))
        let language = HotspotServer.language(request)
        let snapshot = try served.current()
        let maxPixels = options.configuration.server.maxDownloadPixels
        let scratch = NSTemporaryDirectory() + "hotspot-polygon-\(UUID().uuidString).geojson"
        let stats = try await offload {
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let catalog = try RegionCatalog(polygons: body, named: "the body", title: "polygon",
                                        scratch: scratch)
            return try snapshot.run.statistics(of: try catalog.region(RegionCatalog.polygonID), catalog: catalog,
                                               language: language, maxPixels: maxPixels)
        }
        return try respondJSON(request, stats, caching: .never)
    }
}
