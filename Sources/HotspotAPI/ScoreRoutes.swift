import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RunReader

/// `GET /v1/score` (one point) and `POST /v1/score` (a batch as JSON, GeoJSON or CSV).
struct ScoreRoutes {
    let served: ServedRun
    let maxBatchPoints: Int

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("/v1/score") { request, _ in try point(request) }
        routes.post("/v1/score") { request, _ in try await batch(request) }
        return routes
    }

    func point(_ request: Request) throws -> Response {
        try checkParameters(request, known: ["lon", "lat", "lang"])
        let lon = try number(request, "lon", in: -180...180), lat = try number(request, "lat", in: -90...90)
        let language = HotspotServer.language(request)
        let snapshot = try served.current()
        // Read inline: the pixel's blocks are in GDAL's cache after the first reads (microseconds), and a hop to a
        // thread pool and back cost more than the read at thousands of requests a second.
        let answer = try snapshot.run.score(lon: lon, lat: lat, language: language)
        return respond(request, answer.json, type: "application/json", caching: .run, headers: [.vary: "Accept-Language"])
    }

    func batch(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20 + maxBatchPoints * 200)
        let points = try BatchScore.points(body: Data(buffer: body), contentType: request.headers[.contentType],
                                           limit: maxBatchPoints)
        let language = HotspotServer.language(request)
        let snapshot = try served.current()
        let answers = try await offload { try points.map { try snapshot.run.score(lon: $0.lon, lat: $0.lat, language: language) } }
        let format = BatchScore.format(accept: request.headers[.accept])
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[.contentType] = switch format {
        case .json: "application/json"
        case .geojson: "application/geo+json"
        case .csv: "text/csv; charset=utf-8"
        }
        let data: Data = switch format {
        case .json: BatchAnswer(runId: snapshot.run.runID, points: answers).json
        case .geojson: try BatchScore.geojson(answers, runID: snapshot.run.runID)
        case .csv: BatchScore.csv(answers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
