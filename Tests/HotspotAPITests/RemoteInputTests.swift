import Foundation
import Hummingbird
import Logging
import Pipeline
import TestSupport
import Testing

/// Layers read through GDAL's `/vsicurl/` (an HTTP server with byte ranges on loopback, here Hummingbird's file
/// middleware over the demo inputs) give the same rasters as the same files read from disk.
@Suite struct RemoteInputTests {
    @Test func layersOverHTTPGiveTheSameRun() async throws {
        var logger = Logger(label: "remote-inputs")
        logger.logLevel = .warning
        let router = Router()
        router.add(middleware: FileMiddleware(DemoFixture.directory, searchForIndexHtml: false))
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())

        // Climate (resampled) and land cover (warped from EPSG:6933) come over HTTP; soils from disk.
        let folder = TemporaryFolder()
        let base = "/vsicurl/http://127.0.0.1:\(port)/"
        var yaml = try DemoFixture.configText(output: folder.file("derived"))
        for name in ["tmean.tif", "precip.tif", "landcover.tif"] {
            yaml = yaml.replacingOccurrences(of: DemoFixture.directory + "/" + name, with: base + name)
        }
        #expect(yaml.components(separatedBy: "/vsicurl/").count == 4)
        try yaml.write(toFile: folder.file("remote.yaml"), atomically: true, encoding: .utf8)
        // The pipeline runs in its own process, off this process's cooperative threads that serve the files.
        let run = try await runToolDetached(DemoFixture.hotspotBinary, ["run", "--config", folder.file("remote.yaml")],
                                            timeout: 300)
        #expect(run.status == 0, "\(run.err)")
        for output in OutputLayer.allCases {
            let remote = try RasterArray(path: folder.file("derived/latest/" + output.fileName))
            let local = try RasterArray(path: DemoFixture.run.directory + "/" + output.fileName)
            #expect(remote.grid == local.grid)
            #expect(remote.values.elementsEqual(local.values) { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(output)")
        }
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
            folder.file("derived/latest/run.json")))) as? [String: Any]
        let inputs = record?["inputs"] as? [[String: Any]] ?? []
        #expect(inputs.contains { ($0["path"] as? String)?.hasPrefix("/vsicurl/") == true })
    }
}
