import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import RunReader

/// `GET /v1/score` (one point) and `POST /v1/score` (a batch as JSON, GeoJSON or CSV).
struct ScoreRoutes {
    let served: ServedRun
    let maxBatchPoints: Int
    let budget: PointBudget

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

    /// Answers are scored and written a chunk at a time, so a request's memory is one chunk, not its whole answer
    /// (10,000 points are ~12 MB of JSON); the first chunk is scored before the head is sent, so that a failure
    /// still gets a problem answer.
    func batch(_ request: Request) async throws -> Response {
        // Refused before the body is read and parsed when no batch fits at all: a client that retries at once
        // (ignoring Retry-After) then costs little.
        if budget.isFull { throw busy() }
        let body = try await request.body.collect(upTo: 1 << 20 + maxBatchPoints * 200)
        let points = try BatchScore.points(body: Data(buffer: body), contentType: request.headers[.contentType],
                                           limit: maxBatchPoints)
        let language = HotspotServer.language(request)
        let snapshot = try served.current()
        let format = BatchScore.format(accept: request.headers[.accept])
        let framing = try BatchScore.framing(format, runID: snapshot.run.runID)
        guard let admission = budget.admit(points.count) else { throw busy() }
        let chunks = stride(from: 0, to: points.count, by: Self.chunkSize).map {
            Array(points[$0..<min($0 + Self.chunkSize, points.count)])
        }
        @Sendable func score(_ chunk: [(lon: Double, lat: Double)], first: Bool) async throws -> ByteBuffer {
            ByteBuffer(data: try await offload(on: Self.pool) {
                try framing.chunk(chunk.map { try snapshot.run.score(lon: $0.lon, lat: $0.lat, language: language) }, first: first)
            })
        }
        let opening = try await score(chunks[0], first: true)
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[.contentType] = switch format {
        case .json: "application/json"
        case .geojson: "application/geo+json"
        case .csv: "text/csv; charset=utf-8"
        }
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // The admission lives as long as this closure: given back however the answer ends.
            withExtendedLifetime(admission) {}
            try await writer.write(opening)
            for chunk in chunks.dropFirst() { try await writer.write(try await score(chunk, first: false)) }
            try await writer.write(ByteBuffer(data: framing.tail))
            try await writer.finish(nil)
        })
    }

    static let chunkSize = 250

    /// Batches score on threads of their own (half the cores), so that a burst of them cannot queue the tiles and
    /// downloads of other clients behind it on the shared pool.
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, ProcessInfo.processInfo.activeProcessorCount / 2))
        pool.start()
        return pool
    }()

    func busy() -> Problem {
        Problem(.serviceUnavailable, """
            the server is scoring \(budget.inFlight) points for other batches (at most \(budget.capacity) at once): \
            retry in a second
            """, retryAfter: 1)
    }
}
