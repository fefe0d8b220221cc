import Foundation
import Hummingbird
import RunReader

/// `GET /v1/regions` (the initiative's regions as GeoJSON) and `GET /v1/regions/{id}/stats` (zonal statistics).
struct RegionRoutes {
    let served: ServedRun
    let regions: RegionCatalog

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
        return routes
    }
}
