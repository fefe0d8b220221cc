import Foundation
import HotspotAPI
import RunReader
import Pipeline
import TestSupport
import Testing

@Suite struct RunSwitchTests {
    /// Publishing a new run as `latest` switches the server to it without a restart; a run that is replaced keeps
    /// answering the requests that hold it.
    @Test func aNewRunIsServedWithoutARestart() async throws {
        let output = TemporaryFolder("hotspot-switch")
        let configuration = try TestServer.configuration(output: output.file("derived"))
        let first = try HotspotRun.execute(configuration)
        let server = try await TestServer(configuration: configuration)
        #expect(try await server.get("/health").json["run_id"] as? String == first.runID)
        let oldTile = try await server.get("/tiles/loss_score/tilejson.json").json
        let oldRun = try RunReader(directory: first.directory)
        // A tile rendered on demand fills the first run's cache folder.
        #expect(try await server.get("/tiles/loss_score/3/4/2.png").status == 200)
        let oldCache = (server.options.cacheDirectory as NSString).appendingPathComponent(first.runID)
        #expect(FileManager.default.fileExists(atPath: oldCache))

        let second = try HotspotRun.execute(configuration)
        var served = ""
        for _ in 0..<50 where served != second.runID {
            try await Task.sleep(for: .milliseconds(100))
            served = try await server.get("/health").json["run_id"] as? String ?? ""
        }
        #expect(served == second.runID)
        // The replaced run's cache is removed: no request will ask for it again.
        #expect(!FileManager.default.fileExists(atPath: oldCache))
        // Tile URLs carry the run: the old ones are refused, the new TileJSON names the new run.
        let oldTemplate = try #require((oldTile["tiles"] as? [String])?.first)
        let oldURL = oldTemplate.replacingOccurrences(of: "{z}/{x}/{y}", with: "1/1/0").dropFirst(server.base.count)
        #expect(try await server.get(String(oldURL)).status == 404)
        let newTemplate = try #require((try await server.get("/tiles/loss_score/tilejson.json").json["tiles"] as? [String])?.first)
        #expect(newTemplate.contains("run=\(second.runID)"))
        // A holder of the old run still reads it (its files are still there: runs are never deleted under it).
        let (lon, lat) = try samplePoints(count: 1, seed: 2)[0]
        #expect(try oldRun.score(lon: lon, lat: lat, language: .en).runId == first.runID)
    }
}
