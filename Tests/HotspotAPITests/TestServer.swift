import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HotspotAPI
import HotspotConfig
import Hummingbird
import Logging
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
        return try await TestServer(configuration: try configuration(output: output))
    }

    static func configuration(output: String) throws -> HotspotConfiguration {
        try DemoFixture.config(output: output) {
            $0.replacingOccurrences(of: "regions: Config/regions.geojson",
                                    with: "regions: \(repositoryRoot)/Config/regions.geojson")
                .replacingOccurrences(of: "max_batch_points: 10000", with: "max_batch_points: 500")
                .replacingOccurrences(of: "max_download_pixels: 100000000", with: "max_download_pixels: 50000")
        }
    }

    init(configuration: HotspotConfiguration) async throws {
        let folder = TemporaryFolder("hotspot-serve")
        self.folder = folder
        let options = ServerOptions(configuration: configuration, host: "127.0.0.1", port: 0,
                                    tilesDirectory: folder.file("tiles"), cacheDirectory: folder.file("cache"))
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
    var generator = SplitMix(seed: seed)
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

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
