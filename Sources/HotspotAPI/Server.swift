import Contact
import Foundation
import Mail
import GeoKit
import HTTPTypes
import HotspotConfig
import Hummingbird
import Logging
import Metrics
import NIOCore
import Pipeline
import RunReader
import Partners
import Prometheus
import ServiceLifecycle
import Tiling
import Synchronization

/// Where the server finds its data, and how it listens.
public struct ServerOptions: Sendable {
    public var configuration: HotspotConfiguration
    public var host: String
    public var port: Int
    /// `<output.dir>/latest` unless given.
    public var latestPath: String
    public var tilesDirectory: String
    /// The folder of the published runs: the one `latest` is in.
    public var outputDirectory: String { Storage.split(latestPath).parent }
    /// Tiles rendered on demand and clipped downloads, per run.
    public var cacheDirectory: String
    /// The partner GeoPackage (`server.partners`).
    public var partnersPath: String
    /// Leaflet and its marker-cluster plugin (Debian's libjs-leaflet and libjs-leaflet.markercluster).
    public var leafletDirectory = "/usr/share/javascript/leaflet"
    /// The base of the absolute links in answers: `server.public_url`, else the listen address with the port the
    /// server got (a port of 0 is known once it listens).
    let publicBase = PublicBase()

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
        // Point answers read a few blocks of many rasters: the served run sizes GDAL's block cache to its working
        // set (`ServedRun.sizeBlockCache`; the pipeline keeps its own small cache).
        let served = ServedRun(configuration: options.configuration, latestPath: options.latestPath,
                               tilesDirectory: options.tilesDirectory, cacheDirectory: options.cacheDirectory, logger: logger)
        let regions = try RegionCatalog(path: options.configuration.server.regions)
        let store = try PartnerStore(path: options.partnersPath)
        if options.configuration.server.publicURL == nil, ["0.0.0.0", "::"].contains(options.host) {
            logger.warning("listening on \(options.host) without server.public_url: links in answers name 127.0.0.1")
        }
        if store.exists {
            logger.info("partner directory \(store.path): \(store.snapshot.count) partners")
        } else {
            logger.warning("""
                no partner directory at \(store.path): run `hotspot partners import FILE`; \
                serving an empty directory (the first edit creates it)
                """)
        }
        for skipped in store.skipped.prefix(20) {
            logger.warning("\(store.path): \(skipped) (not served; fix it or import the directory again)")
        }
        let relay = try contactRelay(options, store: store)
        if relay == nil { logger.info("no server.smtp: the contact relay is off (POST /v1/partners/{id}/contact answers 503)") }
        let router = try makeRouter(options, served: served, regions: regions, partners: store, relay: relay)
        let watcher = WatchService(served: served)
        let server = options.configuration.server
        let limits = ConnectionLimits(headTimeout: server.headTimeout, idleTimeout: server.idleTimeout,
                                      bodyTimeout: server.bodyTimeout, maxConnections: server.maxConnections)
        let roster = ConnectionRoster(limit: limits.maxConnections)
        var services: [any Service] = [watcher, PartnerRefreshService(store: store, logger: logger)]
        if let relay { services.append(ContactSenderService(relay: relay, logger: logger)) }
        let descriptors = raiseOpenFileLimit()
        if descriptors < limits.maxConnections + 256 {
            logger.warning("""
                only \(descriptors) file descriptors may be open (ulimit -n): fewer than server.max_connections \
                (\(limits.maxConnections)) and the rasters need; raise the limit or lower max_connections
                """)
        }
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [SlowClientGuard(limits: limits, roster: roster), PeerAddressHandler()])),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "hotspot"),
            services: services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? options.port
                options.publicBase.listening(publicURL: options.configuration.server.publicURL, host: options.host, port: port)
                await onServerRunning(port)
            },
            logger: logger)
    }

    /// The middleware, then one route collection per part of the API, each translating HTTP to reader calls.
    static func makeRouter(_ options: ServerOptions, served: ServedRun, regions: RegionCatalog,
                           partners: PartnerStore, relay: ContactRelay? = nil) throws -> Router<BasicRequestContext> {
        let server = options.configuration.server
        // Every GET route answers HEAD too (its headers, no body).
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: CORSPolicy(readOrigins: server.cors, editOrigins: server.corsEdits))
        // Outermost first: the log line and the metrics see the final answer (problems included).
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: ContentLanguageMiddleware())
        router.add(middleware: MethodMiddleware())
        router.add(middleware: ProblemMiddleware())
        let token = ProcessInfo.processInfo.environment[server.adminTokenEnv].flatMap { $0.isEmpty ? nil : $0 }
        router.addRoutes(ScoreRoutes(served: served, maxBatchPoints: server.maxBatchPoints,
                                     budget: PointBudget(capacity: server.batchPointsInFlight)).routes)
        router.addRoutes(LayerRoutes(served: served, options: options).routes)
        router.addRoutes(WMTSRoutes(served: served, options: options).routes)
        router.addRoutes(TileSetRoutes(served: served, options: options).routes)
        router.addRoutes(DownloadRoutes(served: served, regions: regions, options: options).routes)
        router.addRoutes(RegionRoutes(served: served, regions: regions, options: options).routes)
        let partnerRoutes = PartnerRoutes(store: partners, served: served, token: token)
        router.addRoutes(partnerRoutes.routes)
        router.addRoutes(ContactRoutes(relay: relay, store: partners, partners: partnerRoutes).routes)
        router.addRoutes(FeatureRoutes(store: partners, served: served, options: options).routes)
        router.addRoutes(RunFileRoutes(served: served, options: options).routes)
        router.addRoutes(StacRoutes(served: served, options: options).routes)
        MetaRoutes(served: served, leafletDirectory: options.leafletDirectory).register(on: router)
        return router
    }

    /// The contact relay `server.smtp` configures (nil without one); the account from the environment.
    static func contactRelay(_ options: ServerOptions, store: PartnerStore) throws -> ContactRelay? {
        let server = options.configuration.server
        guard let smtp = server.smtp else { return nil }
        let environment = ProcessInfo.processInfo.environment
        func secret(_ name: String?) throws -> String? {
            guard let name else { return nil }
            guard let value = environment[name], !value.isEmpty else {
                throw ConfigError(.invalidValue("names \(name), which is not set in the environment"), key: "server.smtp",
                                  line: nil, file: options.configuration.file)
            }
            return value
        }
        let settings = ContactRelay.Settings(
            smtp: SMTPSettings(host: smtp.host, port: smtp.port, startTLS: smtp.startTLS, user: try secret(smtp.userEnv),
                               password: try secret(smtp.passwordEnv), caFile: smtp.caFile),
            from: MailMessage.Address(name: smtp.fromName, email: smtp.from), limits: server.contact,
            publicURL: server.publicURL ?? "http://\(options.host == "0.0.0.0" ? "127.0.0.1" : options.host):\(options.port)")
        return ContactRelay(outbox: PartnerOutbox(store: store), settings: settings)
    }

    /// Every connection is a file descriptor: the soft limit (often 1024) is raised to the hard one, as servers do.
    /// Returns the limit now in force.
    static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Int.max }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur > UInt64(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    static func language(_ request: Request) -> Language {
        Language.choose(query: request.uri.queryParameters.get("lang"), acceptLanguage: request.headers[.acceptLanguage])
    }

    /// The base of absolute links in answers (never the request's Host header).
    static func baseURL(_ request: Request, _ options: ServerOptions) -> String { options.publicBase.value }
}

/// `server.public_url`, or `http://host:port` of the listen address once the server listens.
final class PublicBase: Sendable {
    private let base = Mutex("")

    var value: String { base.withLock { $0 } }

    func listening(publicURL: String?, host: String, port: Int) {
        // A wildcard address is no address for a client: links then name this machine's loopback, and a server
        // meant for others should set server.public_url.
        let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host.contains(":") ? "[\(host)]" : host
        base.withLock { $0 = publicURL ?? "http://\(shown):\(port)" }
    }
}
