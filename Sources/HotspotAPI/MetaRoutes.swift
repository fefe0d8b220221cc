import Foundation
import Hummingbird
import RunReader

/// What is not data (the landing page `/` is OGC API Features'): `/health`, `/openapi.json`, `/metrics`, and the map page with its assets and Leaflet.
struct MetaRoutes {
    let served: ServedRun
    /// Leaflet and its marker-cluster plugin (Debian's libjs-leaflet and libjs-leaflet.markercluster).
    let leafletDirectory: String

    /// The map's files are served by middleware (they are folders, not routes), so these register on the router.
    func register(on router: Router<BasicRequestContext>) {
        let page = Bundle.module.url(forResource: "map", withExtension: nil)
        router.add(middleware: FileMiddleware(page?.path ?? "map", urlBasePath: "/map/assets",
                                              cacheControl: .init([(MediaType(type: .any), [.noCache])])))
        router.add(middleware: FileMiddleware(leafletDirectory, urlBasePath: "/vendor/leaflet",
                                              cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(86400)])])))
        router.addRoutes(routes(page: page))
    }

    func routes(page: URL?) -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("/health") { request, _ in
            let snapshot = try served.current()
            struct Health: Encodable {
                var status: String
                var runId: String
                var dataVersion: String
                var synthetic: Bool
                var unreadable: [String]?
            }
            // Degraded when a served raster cannot be read any more: a load balancer takes the replica out.
            let unreadable = snapshot.run.unreadableOutputs.map(\.rawValue)
            let health = Health(status: unreadable.isEmpty ? "ok" : "degraded", runId: snapshot.run.runID,
                                dataVersion: snapshot.run.runID, synthetic: snapshot.run.record.synthetic,
                                unreadable: unreadable.isEmpty ? nil : unreadable)
            var response = try respondJSON(request, health, caching: .never)
            if !unreadable.isEmpty { response.status = .serviceUnavailable }
            return response
        }
        @Sendable func mapPage(_ request: Request, _ context: BasicRequestContext) throws -> Response {
            guard let url = page?.appendingPathComponent("index.html"), let html = try? Data(contentsOf: url) else {
                throw Problem(.internalServerError, "the map page is missing from the build")
            }
            // Scripts and data from this server only (Leaflet sets inline styles); the embed may be framed anywhere.
            return respond(request, html, type: "text/html; charset=utf-8", caching: .never, headers: [
                .contentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                    + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'",
            ])
        }
        routes.get("/map", use: mapPage)
        routes.get("/map/embed", use: mapPage)
        routes.get("/openapi.json") { request, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
                  let data = try? Data(contentsOf: url) else { throw Problem(.internalServerError, "openapi.json is missing") }
            return respond(request, data, type: "application/json", caching: .run)
        }
        let runMetric = ServedRunMetric()
        routes.get("/metrics") { request, _ in
            if let snapshot = try? served.current() { runMetric.update(runID: snapshot.run.runID) }
            var bytes: [UInt8] = []
            ServerMetrics.registry.emit(into: &bytes)
            return respond(request, Data(bytes), type: "text/plain; version=0.0.4; charset=utf-8", caching: .never)
        }
        return routes
    }
}
