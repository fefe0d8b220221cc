import Foundation
import GeoKit
@testable import HotspotAPI
import RunReader
import TestSupport
import Testing

/// Concurrent batches (#14): points in flight are bounded (503 with Retry-After beyond), answers are streamed a
/// chunk at a time, and the server's memory after the load comes back near where it was.
@Suite struct BatchLoadTests {
    @Test func concurrentBatchesAreBoundedAndMemoryComesBack() async throws {
        let folder = TemporaryFolder("hotspot-batch-load")
        let output = (DemoFixture.run.directory as NSString).deletingLastPathComponent
        let config = try DemoFixture.configText(output: output)
            .replacingOccurrences(of: "regions: Config/regions.geojson", with: "regions: \(repositoryRoot)/Config/regions.geojson")
            .replacingOccurrences(of: "partners: Config/partners.gpkg", with: "partners: \(folder.file("partners.gpkg"))")
            .replacingOccurrences(of: "batch_points_in_flight: 40000", with: "batch_points_in_flight: 20000")
        try config.write(toFile: folder.file("hotspot.yaml"), atomically: true, encoding: .utf8)
        let port = try freePort()
        let script = repositoryRoot + "/Tests/HotspotAPITests/batch_load.py"
        // 32 clients x 3 rounds of 10,000 points: at most two batches are scored at once.
        let run = try await runToolDetached("/usr/bin/python3", [script, DemoFixture.hotspotBinary, folder.file("hotspot.yaml"),
                                                                  "\(port)", "32", "3", "10000"], timeout: 600)
        let report = try #require((try? JSONSerialization.jsonObject(with: Data(run.out.utf8))) as? [String: Any],
                                  "\(run.out) \(run.err.suffix(3000))")
        print("batch load: \(report)")
        let statuses = report["statuses"] as? [String: Int] ?? [:]
        #expect((statuses["200"] ?? 0) >= 2 && (statuses["503"] ?? 0) >= 1, "\(report)")
        #expect((statuses["200"] ?? 0) + (statuses["503"] ?? 0) == 96, "\(report)")
        #expect(report["retry_after"] as? [String] == ["1"], "\(report)")
        #expect(report["mismatches"] as? Int == 0, "\(report)")
        #expect(report["health"] as? Int == 200)
        let before = report["before_mib"] as? Double ?? 0, peak = report["peak_mib"] as? Double ?? 0
        let after = report["after_mib"] as? Double ?? .infinity
        // Two batches in flight, each a chunk of answers at a time: the peak stays near the resting size, and what
        // the load took is given back.
        #expect(peak - before < 150, "\(report)")
        #expect(after - before < 60, "\(report)")
    }

    /// A batch whose client leaves before its answer is written gives its points back: after 30 abandoned batches
    /// (three times the budget), a batch is still admitted.
    @Test func abandonedBatchesGiveTheirPointsBack() async throws {
        let output = (DemoFixture.run.directory as NSString).deletingLastPathComponent
        let server = try await TestServer(configuration: try TestServer.configuration(output: output) {
            $0.replacingOccurrences(of: "batch_points_in_flight: 40000", with: "batch_points_in_flight: 5000")
        })
        let points = try samplePoints(count: 500).map { [$0.lon, $0.lat] }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["points": points]), as: UTF8.self)
        let script = """
            import socket, sys, time
            port, body = int(sys.argv[1]), sys.argv[2].encode()
            head = b"POST /v1/score HTTP/1.1\\r\\nHost: t\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body)
            for _ in range(30):
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(head + body)
                time.sleep(0.02)
                s.close()  # gone before the answer is read
            """
        let folder = TemporaryFolder()
        try script.write(toFile: folder.file("abandon.py"), atomically: true, encoding: .utf8)
        let run = try await runToolDetached("/usr/bin/python3", [folder.file("abandon.py"), "\(server.port)", body], timeout: 60)
        #expect(run.status == 0, "\(run.err)")
        var status = 0
        for _ in 0..<50 where status != 200 {
            try await Task.sleep(for: .milliseconds(200))
            status = try await server.request("/v1/score", method: "POST", headers: ["Content-Type": "application/json"],
                                              body: Data(body.utf8)).status
        }
        #expect(status == 200)
    }

    /// Streamed in chunks, the answer's bytes equal the whole document encoded at once (JSON by the point answers'
    /// writer, GeoJSON by JSONEncoder with sorted keys).
    @Test func chunkedAnswersEqualTheWholeDocument() throws {
        let run = try RunReader(directory: DemoFixture.run.directory)
        let answers = try samplePoints(count: 7).map { try run.score(lon: $0.lon, lat: $0.lat, language: .en) }
        func streamed(_ format: BatchScore.Format) throws -> Data {
            let framing = try BatchScore.framing(format, runID: run.runID)
            return try framing.chunk(Array(answers[0..<3]), first: true) + framing.chunk(Array(answers[3...]), first: false)
                + framing.tail
        }
        #expect(try streamed(.json) == BatchAnswer(runId: run.runID, points: answers).json)
        struct Point: Encodable { var type = "Point"; var coordinates: [Double] }
        struct Feature: Encodable { var type = "Feature"; var geometry: Point; var properties: ScoreAnswer }
        struct Collection: Encodable { var type = "FeatureCollection"; var runId: String; var features: [Feature] }
        let whole = try JSONEncoder.api.encode(Collection(runId: run.runID, features: answers.map {
            Feature(geometry: Point(coordinates: [$0.lon, $0.lat]), properties: $0)
        }))
        #expect(try streamed(.geojson) == whole)
        let csv = String(decoding: try streamed(.csv), as: UTF8.self).split(separator: "\n")
        #expect(csv.count == 8 && csv[0] == BatchScore.csvHeader[...])
    }
}

/// GDAL's block cache for point answers: twice the served run's decoded rasters, within 1 GiB and a quarter of the
/// machine's memory (the soak's collapse came from a 1 GiB cache under a 1.5 GB run read by three handle sets).
@Suite struct BlockCacheSizeTests {
    @Test func theCacheFollowsTheRunWithinBounds() throws {
        let gib = 1 << 30
        #expect(ServedRun.blockCacheMegabytes(decodedBytes: 100 << 20, physicalMemory: 24 * gib) == 1024)
        #expect(ServedRun.blockCacheMegabytes(decodedBytes: 1500 << 20, physicalMemory: 24 * gib) == 3000)
        #expect(ServedRun.blockCacheMegabytes(decodedBytes: 40 * gib, physicalMemory: 24 * gib) == 6144)
        #expect(ServedRun.blockCacheMegabytes(decodedBytes: 40 * gib, physicalMemory: 2 * gib) == 1024)
        // The demo run's rasters, as the server measures them, against their sizes computed here.
        let run = try RunReader(directory: DemoFixture.run.directory)
        var expected = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: run.directory) where file.hasSuffix(".tif") {
            let dataset = try Dataset(path: run.directory + "/" + file)
            let bytes = file == "hotspot_class.tif" ? 1 : 4
            expected += dataset.width * dataset.height * dataset.bandCount * bytes
        }
        #expect(run.decodedBytes > expected, "the inputs add to the outputs")
    }
}
