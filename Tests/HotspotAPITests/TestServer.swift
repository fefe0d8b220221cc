import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HotspotAPI
import HotspotConfig
import Hummingbird
import Logging
import Partners
import TestSupport

/// A real `hotspot serve` on a loopback port, over a demo run, with its own tiles and cache folders.
final class TestServer: Sendable {
    let port: Int
    let options: ServerOptions
    let folder: TemporaryFolder
    private let task: Task<Void, any Error>

    var base: String { "http://127.0.0.1:\(port)" }

    /// The server over the shared demo run (`DemoFixture.run`), started once per test process.
    static let shared = Task<TestServer, any Error> {
        let run = DemoFixture.run
        let output = (run.directory as NSString).deletingLastPathComponent
        return try await TestServer(configuration: try configuration(output: output), partners: testPartners)
    }

    /// A second server over the same run for the tests that edit partners, so that the others see a directory that
    /// does not change under them.
    static let editing = Task<TestServer, any Error> {
        let output = (DemoFixture.run.directory as NSString).deletingLastPathComponent
        return try await TestServer(configuration: try configuration(output: output), partners: testPartners)
    }

    /// The demo configuration as test servers use it, then `edit` on its text.
    static func configuration(output: String, edit: (String) -> String = { $0 }) throws -> HotspotConfiguration {
        try DemoFixture.config(output: output) {
            edit($0.replacingOccurrences(of: "regions: Config/regions.geojson",
                                    with: "regions: \(repositoryRoot)/Config/regions.geojson")
                .replacingOccurrences(of: "max_batch_points: 10000", with: "max_batch_points: 500")
                .replacingOccurrences(of: "max_download_pixels: 100000000", with: "max_download_pixels: 50000")
                .replacingOccurrences(of: "admin_token_env: HOTSPOT_ADMIN_TOKEN", with: "admin_token_env: \(tokenVariable)"))
        }
    }

    /// The edit token of test servers, in the environment variable their configuration names.
    static let tokenVariable = "HOTSPOT_TEST_TOKEN"
    static let token = "test-token-\(UUID().uuidString)"

    /// Starts a server; `partners` are imported into its (new) store first.
    init(configuration: HotspotConfiguration, partners: [Partner] = [], cacheDirectory: String? = nil) async throws {
        let folder = TemporaryFolder("hotspot-serve")
        self.folder = folder
        setenv(Self.tokenVariable, Self.token, 1)
        try PartnerStore(path: folder.file("partners.gpkg")).importAll(partners, replace: true)
        let options = ServerOptions(configuration: configuration, host: "127.0.0.1", port: 0,
                                    tilesDirectory: folder.file("tiles"), cacheDirectory: cacheDirectory ?? folder.file("cache"),
                                    partnersPath: folder.file("partners.gpkg"))
        self.options = options
        var logger = Logger(label: "hotspot-test")
        logger.logLevel = .warning
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = try HotspotServer.makeApplication(options, logger: logger) { port in continuation.yield(port) }
        task = Task { try await app.runService() }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw Problem(.internalServerError, "the server did not start") }
        self.port = port
    }

    deinit { task.cancel() }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: Data

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func request(_ path: String, method: String = "GET", headers: [String: String] = [:], body: Data? = nil) async throws -> Answer {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await Self.session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
        return Answer(status: http.statusCode, headers: fields, body: data)
    }

    /// No client-side cache: the tests see every answer the server gives (304s included).
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration)
    }()

    func get(_ path: String, headers: [String: String] = [:]) async throws -> Answer {
        try await request(path, headers: headers)
    }
}

/// Land pixels of the demo run spread over the grid (centres, so every tool agrees on the pixel).
func samplePoints(count: Int, seed: UInt64 = 3) throws -> [(lon: Double, lat: Double)] {
    let score = try RasterArray(path: DemoFixture.run.directory + "/sequestration_score.tif")
    var generator = SeededGenerator(seed: seed)
    var points: [(Double, Double)] = []
    while points.count < count {
        let i = Int(generator.next() % UInt64(score.grid.pixelCount))
        guard !score.isNoData(i) else { continue }
        // Not the exact centre: anywhere inside the pixel must give that pixel.
        let c = Double(i % score.grid.width) + 0.2 + 0.6 * Double(generator.next() % 1000) / 1000
        let r = Double(i / score.grid.width) + 0.2 + 0.6 * Double(generator.next() % 1000) / 1000
        let world = score.grid.geoTransform.world(column: c, row: r)
        // Four decimals print the same in every JSON and CSV writer, so answers can be compared exactly.
        points.append(((world.x * 1e4).rounded() / 1e4, (world.y * 1e4).rounded() / 1e4))
    }
    return points
}

/// The partners of the shared test server: spread over the land of the demo run, with private e-mails.
let testPartners: [Partner] = {
    var partners: [Partner] = []
    for (i, (lon, lat)) in ((try? samplePoints(count: 60, seed: 21)) ?? []).enumerated() {
        partners.append(Partner(
            id: String(format: "api-%03d", i), name: "API partner \(i)", type: PartnerType.allCases[i % 6],
            country: ["FR", "KE", "BR", "IN"][i % 4], lon: lon, lat: lat, themes: [Theme.allCases[i % 12]],
            website: "https://api\(i).example.org", description: ["en": "Works on soils \(i)", "fr": "Travaille sur les sols \(i)"],
            email: "secret\(i)@private.example.org", created: "2025-06-01T00:00:00Z", updated: "2025-06-01T00:00:00Z"))
    }
    partners.append(Partner(id: "fiji-east", name: "Fiji east", type: .ngo, country: "FJ", lon: 179.9, lat: -17.0,
                            themes: [.mrv], email: "fiji@private.example.org", created: "2025-06-01T00:00:00Z",
                            updated: "2025-06-01T00:00:00Z"))
    partners.append(Partner(id: "fiji-west", name: "Fiji west", type: .ngo, country: "FJ", lon: -179.9, lat: -17.1,
                            themes: [.mrv], email: "fiji2@private.example.org", created: "2025-06-01T00:00:00Z",
                            updated: "2025-06-01T00:00:00Z"))
    return partners
}()

/// `hotspot serve` as its own process (the built executable), for the tests that measure how the server holds up:
/// an in-process server shares Swift's cooperative threads with the tests running beside it, whose synchronous GDAL
/// work would delay its answers and say nothing of the server.
final class ServeProcess: Sendable {
    let port: Int
    private let process: Process
    let folder: TemporaryFolder

    var base: String { "http://127.0.0.1:\(port)" }
    var processIdentifier: Int32 { process.processIdentifier }
    /// What the server wrote to standard output and error so far.
    var log: String { (try? String(contentsOfFile: folder.file("serve.log"), encoding: .utf8)) ?? "" }
    var configPath: String { folder.file("hotspot.yaml") }

    /// Starts it on a free port with the test configuration after `edit`, and waits for /health (60 s at most);
    /// `partners` are imported into its (new) directory first.
    /// `partnerStore` replaces the directory with another store (a database shared by replicas).
    init(environment: [String: String] = [:], partners: [Partner] = [], partnerStore: String? = nil,
         edit: (String) -> String = { $0 }) async throws {
        let folder = TemporaryFolder("hotspot-serve-process")
        self.folder = folder
        let store = partnerStore ?? folder.file("partners.gpkg")
        if !partners.isEmpty { try PartnerStore(path: store).importAll(partners, replace: true) }
        let output = (DemoFixture.run.directory as NSString).deletingLastPathComponent
        let config = edit(try DemoFixture.configText(output: output)
            .replacingOccurrences(of: "regions: Config/regions.geojson", with: "regions: \(repositoryRoot)/Config/regions.geojson")
            .replacingOccurrences(of: "partners: Config/partners.gpkg", with: "partners: \"\(store)\""))
        try config.write(toFile: folder.file("hotspot.yaml"), atomically: true, encoding: .utf8)
        port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DemoFixture.hotspotBinary)
        process.arguments = ["serve", "--config", folder.file("hotspot.yaml"), "--port", "\(port)"]
        process.environment = ProcessInfo.processInfo.environment.merging(["HOTSPOT_CACHE": folder.file("cache")]) { $1 }
            .merging(environment) { $1 }
        // Its log goes to a file (`log`): tests read what it said.
        FileManager.default.createFile(atPath: folder.file("serve.log"), contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: folder.file("serve.log"))
        process.standardError = FileHandle(forWritingAtPath: folder.file("serve.log"))
        try process.run()
        self.process = process
        for _ in 0..<600 {
            if (try? await TestServer.session.data(from: URL(string: "http://127.0.0.1:\(port)/health")!))?.1 != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw Problem(.internalServerError, "hotspot serve did not answer /health within 60 s")
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}
