import Foundation
import GeoKit
import HTTPTypes
import HotspotConfig
import Hummingbird
import Logging
import Metrics
import NIOCore
import Pipeline
import Partners
import Prometheus
import Tiling

/// Where the server finds its data, and how it listens.
public struct ServerOptions: Sendable {
    public var configuration: HotspotConfiguration
    public var host: String
    public var port: Int
    /// `<output.dir>/latest` unless given.
    public var latestPath: String
    public var tilesDirectory: String
    /// Tiles rendered on demand and clipped downloads, per run.
    public var cacheDirectory: String
    /// The partner GeoPackage (`server.partners`).
    public var partnersPath: String
    /// Leaflet and its marker-cluster plugin (Debian's libjs-leaflet and libjs-leaflet.markercluster).
    public var leafletDirectory = "/usr/share/javascript/leaflet"

    public init(configuration: HotspotConfiguration, host: String? = nil, port: Int? = nil, latestPath: String? = nil,
                tilesDirectory: String? = nil, cacheDirectory: String? = nil, partnersPath: String? = nil) {
        self.partnersPath = partnersPath ?? configuration.server.partners
        self.configuration = configuration
        self.host = host ?? configuration.server.host
        self.port = port ?? configuration.server.port
        self.latestPath = latestPath ?? (configuration.output.dir as NSString).appendingPathComponent("latest")
        self.tilesDirectory = tilesDirectory ?? configuration.tiles.dir
        self.cacheDirectory = cacheDirectory ?? ProcessInfo.processInfo.environment["HOTSPOT_CACHE"]
            ?? (configuration.output.dir as NSString).appendingPathComponent(".cache")
    }
}

/// Prometheus metrics for the whole process (swift-metrics can be bootstrapped once only).
public enum ServerMetrics {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// `hotspot serve`: the Hummingbird application over the served run, the regions and the tiles.
public enum HotspotServer {
    public static func makeApplication(
        _ options: ServerOptions, logger: Logger = Logger(label: "hotspot"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        _ = ServerMetrics.registry  // bootstrap before the middleware makes its first counters
        // Point answers read a few blocks of many rasters: a block cache that holds a run's working set keeps them
        // from decompressing the same blocks again (the pipeline keeps its own small cache).
        if ProcessInfo.processInfo.environment["GDAL_CACHEMAX"] == nil { GDALRuntime.setCacheMax(megabytes: 1024) }
        let served = ServedRun(configuration: options.configuration, latestPath: options.latestPath,
                               tilesDirectory: options.tilesDirectory, cacheDirectory: options.cacheDirectory, logger: logger)
        let regions = try RegionCatalog(path: options.configuration.server.regions)
        let store = try PartnerStore(path: options.partnersPath)
        let router = try makeRouter(options, served: served, regions: regions, partners: store)
        let watcher = WatchService(served: served)
        return Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "hotspot"),
            services: [watcher],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? options.port) },
            logger: logger)
    }

    static func corsOrigins(_ origins: [String]) throws -> CORSMiddleware<BasicRequestContext>.AllowOriginExtended {
        if origins.isEmpty { return .none }
        if origins.contains("*") { return .all }
        switch origins.count {
        case 1: return .oneOf(origins[0])
        case 2: return .oneOf(origins[0], origins[1])
        case 3: return .oneOf(origins[0], origins[1], origins[2])
        case 4: return .oneOf(origins[0], origins[1], origins[2], origins[3])
        default: throw Problem(.internalServerError, "server.cors: at most 4 origins (or \"*\")")
        }
    }

    static func makeRouter(_ options: ServerOptions, served: ServedRun, regions: RegionCatalog,
                           partners: PartnerStore) throws -> Router<BasicRequestContext> {
        let server = options.configuration.server
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: CORSMiddleware(allowOrigin: try corsOrigins(server.cors),
                                              allowHeaders: [.accept, .authorization, .contentType, .origin, .range],
                                              allowMethods: [.get, .head, .post, .put, .delete, .options],
                                              exposedHeaders: ["ETag", "Content-Range", "Content-Disposition"]))
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        let downloads = FileMiddleware<BasicRequestContext, LocalFileSystem>(
            options.cacheDirectory, cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(3600)])]))
            .withAdditionalMediaType(MediaType(type: .image, subType: "tiff"), mappedToFileExtension: "tif")

        router.get("/health") { request, _ in
            let snapshot = try served.current()
            struct Health: Encodable { var status = "ok"; var runId: String; var dataVersion: String; var synthetic: Bool }
            return try respondJSON(request, Health(runId: snapshot.run.runID, dataVersion: snapshot.run.runID,
                                                   synthetic: snapshot.run.record.synthetic), caching: .never)
        }

        router.get("/v1/score") { request, _ in
            let lon = try number(request, "lon", in: -180...180), lat = try number(request, "lat", in: -90...90)
            let language = try language(request)
            let snapshot = try served.current()
            // Read inline: the pixel's blocks are in GDAL's cache after the first reads (microseconds), and a hop to
            // a thread pool and back cost more than the read at thousands of requests a second.
            let answer = try snapshot.run.score(lon: lon, lat: lat, language: language)
            return respond(request, answer.json, type: "application/json", caching: .run, headers: [.vary: "Accept-Language"])
        }

        router.post("/v1/score") { request, _ in
            let limit = server.maxBatchPoints
            let body = try await request.body.collect(upTo: 1 << 20 + limit * 200)
            let points = try BatchScore.points(body: Data(buffer: body), contentType: request.headers[.contentType],
                                               limit: limit)
            let language = try language(request)
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

        router.get("/v1/layers") { request, _ in
            let snapshot = try served.current()
            let base = baseURL(request, options)
            let layers = OutputLayer.allCases.map { output in
                LayerInfo(id: output.rawValue, description: output.description, units: output.units,
                          statistics: snapshot.run.record.statistics[output.rawValue],
                          legend: snapshot.tiles.jobs[output.rawValue] == nil ? nil : "\(base)/tiles/\(output.rawValue)/legend.png",
                          tilejson: snapshot.tiles.jobs[output.rawValue] == nil ? nil : "\(base)/tiles/\(output.rawValue)/tilejson.json",
                          download: "\(base)/v1/download?layer=\(output.rawValue)&bbox={west},{south},{east},{north}")
            }
            let g = snapshot.run.grid.geoTransform
            let grid = LayersAnswer.GridInfo(crs: snapshot.run.record.grid.crs,
                                             width: snapshot.run.grid.width, height: snapshot.run.grid.height,
                                             pixelSize: [abs(g.pixelWidth), abs(g.pixelHeight)],
                                             maxDownloadPixels: server.maxDownloadPixels)
            return try respondJSON(request, LayersAnswer(runId: snapshot.run.runID, grid: grid, layers: layers), caching: .run)
        }

        router.get("/tiles/{layer}/tilejson.json") { request, context in
            let snapshot = try served.current()
            let layer = try context.parameters.require("layer")
            guard let job = snapshot.tiles.jobs[layer] else { throw unknownLayer(layer, snapshot) }
            let base = baseURL(request, options)
            var onDemand = job
            onDemand.zooms = job.zooms.lowerBound...max(job.zooms.upperBound, RunTiles.maxOnDemandZoom)
            let tileJSON = TileJSON(job: onDemand, bounds: snapshot.tiles.bounds[layer] ?? (-180, -85, 180, 85),
                                    tileURL: "\(base)/tiles/\(layer)/{z}/{x}/{y}.png?run=\(snapshot.run.runID)",
                                    legendURL: "\(base)/tiles/\(layer)/legend.png")
            return respond(request, try tileJSON.encoded(), type: "application/json", caching: .run)
        }

        router.get("/tiles/{layer}/legend.png") { request, context in
            let snapshot = try served.current()
            let layer = try context.parameters.require("layer")
            guard let legends = snapshot.tiles.legends[layer] else { throw unknownLayer(layer, snapshot) }
            let legend = legends[try language(request)] ?? legends[.en]!
            return respond(request, legend, type: "image/png", caching: .run, headers: [.vary: "Accept-Language"])
        }

        router.get("/tiles/{layer}/{z}/{x}/{y}.png") { request, context in
            let snapshot = try served.current()
            let layer = try context.parameters.require("layer")
            guard snapshot.tiles.jobs[layer] != nil else { throw unknownLayer(layer, snapshot) }
            let tile = try tileAddress(context)
            let asked = request.uri.queryParameters.get("run")
            if let asked, asked != snapshot.run.runID {
                throw Problem(.notFound, "run \(asked) is not served any more (the current run is \(snapshot.run.runID)): "
                              + "fetch the TileJSON again", parameter: "run")
            }
            let data = try await offload { try snapshot.tiles.png(layer: layer, tile: tile) }
            return respond(request, data, type: "image/png", caching: asked == nil ? .run : .immutable)
        }

        router.get("/v1/regions") { request, _ in
            respond(request, regions.featureCollection(try language(request)), type: "application/geo+json", caching: .run,
                    headers: [.vary: "Accept-Language"])
        }

        router.get("/v1/regions/{id}/stats") { request, context in
            let region = try regions.region(try context.parameters.require("id"))
            let language = try language(request)
            let snapshot = try served.current()
            let stats = try await offload { try snapshot.run.statistics(of: region, catalog: regions, language: language) }
            return try respondJSON(request, stats, caching: .run)
        }

        @Sendable func download(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
            let query = request.uri.queryParameters
            let asked = try DownloadRequest(layer: query.get("layer"), bbox: query.get("bbox"), region: query.get("region"),
                                            catalog: regions)
            let snapshot = try served.current()
            let relative = try await offload {
                try snapshot.run.download(asked, catalog: regions, cacheDirectory: options.cacheDirectory,
                                          maxPixels: server.maxDownloadPixels)
            }
            // Hummingbird's file middleware answers it (ETag, Range, HEAD, If-None-Match), with the Range checked here.
            var head = request.head
            head.path = "/" + relative
            let size = (try? FileManager.default.attributesOfItem(atPath: (options.cacheDirectory as NSString)
                .appendingPathComponent(relative))[.size] as? Int) ?? 0
            let range = ByteRange(header: request.headers[.range], size: size)
            if range == .unsatisfiable {
                var headers = HTTPFields()
                headers[.contentRange] = "bytes */\(size)"
                headers[.contentType] = "application/problem+json"
                let problem = Problem(.rangeNotSatisfiable, "the file has \(size) bytes", parameter: "Range")
                return Response(status: .rangeNotSatisfiable, headers: headers,
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: problem.body(instance: request.uri.path))))
            }
            head.headerFields[.range] = range.normalised
            var response = try await downloads.handle(Request(head: head, body: request.body), context: context) { _, _ in
                throw Problem(.notFound, "the download disappeared from the cache; ask again")
            }
            response.headers[.contentDisposition] = "attachment; filename=\"\((relative as NSString).lastPathComponent)\""
            response.headers[.contentType] = "image/tiff; application=geotiff; profile=cloud-optimized"
            return response
        }
        router.get("/v1/download", use: download)
        router.head("/v1/download", use: download)

        router.get("/v1/download/stac") { request, _ in
            let query = request.uri.queryParameters
            let asked = try DownloadRequest(layer: query.get("layer"), bbox: query.get("bbox"), region: query.get("region"),
                                            catalog: regions)
            let snapshot = try served.current()
            let href = baseURL(request, options) + "/v1/download?" + (request.uri.query ?? "")
            let data = try await offload {
                let relative = try snapshot.run.download(asked, catalog: regions, cacheDirectory: options.cacheDirectory,
                                                         maxPixels: server.maxDownloadPixels)
                return try snapshot.run.stacItem(asked, file: (options.cacheDirectory as NSString).appendingPathComponent(relative),
                                                 href: href)
            }
            return respond(request, data, type: "application/geo+json", caching: .run)
        }

        let token = ProcessInfo.processInfo.environment[server.adminTokenEnv].flatMap { $0.isEmpty ? nil : $0 }
        PartnerRoutes(store: partners, served: served, token: token).register(on: router)

        // The map page, its script and style (bundled), and Leaflet from Debian's libjs-leaflet.
        let page = Bundle.module.url(forResource: "map", withExtension: nil)
        router.add(middleware: FileMiddleware(page?.path ?? "map", urlBasePath: "/map/assets",
                                              cacheControl: .init([(MediaType(type: .any), [.noCache])])))
        router.add(middleware: FileMiddleware(options.leafletDirectory, urlBasePath: "/vendor/leaflet",
                                              cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(86400)])])))
        @Sendable func mapPage(_ request: Request, _ context: BasicRequestContext) throws -> Response {
            guard let url = page?.appendingPathComponent("index.html"), let html = try? Data(contentsOf: url) else {
                throw Problem(.internalServerError, "the map page is missing from the build")
            }
            return respond(request, html, type: "text/html; charset=utf-8", caching: .never)
        }
        router.get("/map", use: mapPage)
        router.get("/map/embed", use: mapPage)
        router.get("/") { _, _ in Response.redirect(to: "/map") }

        router.get("/openapi.json") { request, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
                  let data = try? Data(contentsOf: url) else { throw Problem(.internalServerError, "openapi.json is missing") }
            return respond(request, data, type: "application/json", caching: .run)
        }

        router.get("/metrics") { request, _ in
            var bytes: [UInt8] = []
            ServerMetrics.registry.emit(into: &bytes)
            return respond(request, Data(bytes), type: "text/plain; version=0.0.4; charset=utf-8", caching: .never)
        }
        return router
    }

    static func language(_ request: Request) throws(Problem) -> Language {
        try Language.choose(query: request.uri.queryParameters.get("lang"), acceptLanguage: request.headers[.acceptLanguage])
    }

    static func unknownLayer(_ layer: String, _ snapshot: ServedRun.Snapshot) -> Problem {
        Problem(.notFound, "unknown layer '\(layer)'; known: \(snapshot.tiles.jobs.keys.sorted().joined(separator: ", "))")
    }

    /// z/x/y from the path: whole numbers (400 otherwise) inside WebMercatorQuad at that zoom (404 otherwise).
    static func tileAddress(_ context: BasicRequestContext) throws -> Tile {
        var numbers: [Int] = []
        for name in ["z", "x", "y"] {
            let text = try context.parameters.require(name)
            guard let value = Int(text) else { throw Problem.badParameter(name, "\(name) must be a whole number (got '\(text.prefix(20))')") }
            numbers.append(value)
        }
        let (z, x, y) = (numbers[0], numbers[1], numbers[2])
        guard (0...RunTiles.maxOnDemandZoom).contains(z) else {
            throw Problem(.notFound, "zoom \(z) is outside 0-\(RunTiles.maxOnDemandZoom)", parameter: "z")
        }
        guard (0..<(1 << z)).contains(x), (0..<(1 << z)).contains(y) else {
            throw Problem(.notFound, "tile \(z)/\(x)/\(y) does not exist: x and y run from 0 to \((1 << z) - 1) at zoom \(z)")
        }
        return Tile(z: z, x: x, y: y)
    }

    /// `http://host:port` as the client addressed us (for links in answers).
    static func baseURL(_ request: Request, _ options: ServerOptions) -> String {
        let host = request.head.authority ?? "\(options.host):\(options.port)"
        return "http://\(host)"
    }
}

struct BatchAnswer: Encodable {
    var runId: String
    var points: [ScoreAnswer]

    /// As `JSONEncoder.api` writes it (keys sorted), through the fast writer of the point answers.
    var json: Data {
        var text = JSONText(capacity: 1500 * points.count + 64)
        text.object { text in
            text.member("points") { text in text.array(points) { $1.write(to: &$0) } }
            text.member("run_id", runId)
        }
        return text.data
    }
}

struct LayerInfo: Encodable {
    var id: String
    var description: String
    var units: String
    var statistics: LayerStatistics?
    var legend: String?
    var tilejson: String?
    var download: String
}

struct LayersAnswer: Encodable {
    /// The grid downloads are cut from, and how many of its pixels one download may hold.
    struct GridInfo: Encodable {
        var crs: String
        var width: Int
        var height: Int
        var pixelSize: [Double]
        var maxDownloadPixels: Int
    }
    var runId: String
    var grid: GridInfo
    var layers: [LayerInfo]
}
