import Foundation
import GeoKit
import HotspotConfig
import Pipeline
import Testing
import TestSupport

/// The sharding contract, driven through the `hotspot run plan|score|rank|classify|publish` commands exactly as the
/// engines call them, against a plain `hotspot run` of the same configuration.
@Suite(.serialized) struct ShardedRunTests {
    /// 280 rows (the demo grid without its northernmost 4 degrees): 2 strips of 256 for the plain run; the plans of 3
    /// and 7 shards thin the strips (128 and 32 rows), so the shards' rows do not divide evenly.
    static let folder = TemporaryFolder("hotspot-shards")
    static let configPath: String = {
        let text = try! DemoFixture.configText(output: folder.file("plain"))
            .replacingOccurrences(of: "bbox: [-180, -60, 180, 84]", with: "bbox: [-180, -60, 180, 80]")
        let path = folder.file("hotspot.yaml")
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }()
    static let plain: HotspotRun.Result = {
        try! HotspotRun.execute(try! HotspotConfiguration.load(path: configPath))
    }()

    @discardableResult
    static func hotspot(_ arguments: String..., expect status: Int32 = 0, environment: [String: String] = [:]) async throws
        -> (status: Int32, out: String, err: String) {
        let env = environment.map { "\($0.key)=\($0.value)" }
        // On a thread of its own: a test waiting on a tool must not hold one of Swift's few cooperative threads,
        // which the in-process servers of other suites answer on.
        let result = try await runToolDetached("env", env + [DemoFixture.hotspotBinary] + arguments, timeout: 900)
        #expect(result.status == status, "hotspot \(arguments.joined(separator: " ")): \(result.err)")
        return result
    }

    /// Every phase, the shards' tasks in an order that is not theirs (as an array's tasks finish).
    static func shardedRun(_ shards: Int, into runDirectory: String, assemble: Bool) async throws {
        try await hotspot("run", "plan", "--config", configPath, "--run-dir", runDirectory, "--shards", "\(shards)")
        for i in (0..<shards).reversed() { try await hotspot("run", "score", "--run-dir", runDirectory, "--shard", "\(i)") }
        try await hotspot("run", "rank", "--run-dir", runDirectory)
        for i in 0..<shards {
            // The engines' way of saying which shard: Slurm's array index.
            try await hotspot("run", "classify", "--run-dir", runDirectory, environment: ["SLURM_ARRAY_TASK_ID": "\(i)"])
        }
        try await hotspot(["run", "publish", "--run-dir", runDirectory] + (assemble ? ["--assemble"] : []))
    }

    static func hotspot(_ arguments: [String]) async throws {
        let result = try await runToolDetached(DemoFixture.hotspotBinary, arguments, timeout: 900)
        #expect(result.status == 0, "hotspot \(arguments.joined(separator: " ")): \(result.err)")
    }

    /// run.json without what differs between any two runs (names, times) and what only a sharded run has.
    static func comparableRecord(_ directory: String, dropOutputs: Bool = false) throws -> NSDictionary {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/run.json"))
        var record = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        for key in ["run_id", "created_at", "timings_seconds", "shards"] { record.removeValue(forKey: key) }
        if dropOutputs { record.removeValue(forKey: "outputs") }
        // A GeoPackage records when it was written (gpkg_contents.last_change): its digest differs from run to run.
        // The FlatGeobuf's does not, and it holds the same features.
        if var polygons = record["hotspot_polygons"] as? [String: Any], var files = polygons["files"] as? [String: Any],
           var gpkg = files["gpkg"] as? [String: Any] {
            gpkg.removeValue(forKey: "sha256")
            files["gpkg"] = gpkg
            polygons["files"] = files
            record["hotspot_polygons"] = polygons
        }
        return NSDictionary(dictionary: record)
    }

    /// The two records agree; where they do not, the keys that differ and both values are said.
    static func expectSameRecord(_ run: String, _ plain: String, dropOutputs: Bool = false,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let a = try comparableRecord(run, dropOutputs: dropOutputs), b = try comparableRecord(plain, dropOutputs: dropOutputs)
        let keys = Set(a.allKeys.map { "\($0)" }).union(b.allKeys.map { "\($0)" }).sorted()
        let differing = keys.filter { !((a[$0] as? NSObject)?.isEqual(b[$0]) ?? (b[$0] == nil)) }
        #expect(differing.isEmpty, "\(differing.map { "\($0): \(String(describing: a[$0]).prefix(600)) vs plain \(String(describing: b[$0]).prefix(600))" })",
                sourceLocation: sourceLocation)
    }

    @Test(arguments: [1, 7])
    func assembledShardsAreByteIdenticalToThePlainRun(shards: Int) async throws {
        let plain = Self.plain
        let parent = Self.folder.file("assembled-\(shards)"), run = parent + "/global"
        try await Self.shardedRun(shards, into: run, assemble: true)
        for layer in OutputLayer.allCases {
            let a = try Checksum.file(plain.directory + "/" + layer.fileName)
            let b = try Checksum.file(run + "/" + layer.fileName)
            #expect(a == b, "\(layer.rawValue): the assembled COG of \(shards) shards differs from the plain run's")
        }
        try Self.expectSameRecord(run, plain.directory)
        let record = try JSONDecoder().decode(RunRecord.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/run.json")))
        #expect(record.shards?.count == shards)
        #expect(record.shards?.map(\.rows).flatMap { $0 }.first == 0 && record.shards?.last?.rows[1] == record.grid.height)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: parent + "/latest") == "global")
        // Nothing a reader needs is left out, nothing it does not need is left in.
        #expect(!FileManager.default.fileExists(atPath: run + "/shards/0000/work"))
        #expect(!FileManager.default.fileExists(atPath: run + "/shards/0000/" + OutputLayer.hotspotClass.fileName))
    }

    @Test func vrtMosaicsOfThreeShardsHoldThePlainRunsPixels() async throws {
        let plain = Self.plain
        let parent = Self.folder.file("mosaic-3"), run = parent + "/global"
        try await Self.shardedRun(3, into: run, assemble: false)
        let plan = try RunPlan.load(runDirectory: run)
        let rows = plan.shards.map { $0.rows[1] - $0.rows[0] }
        #expect(Set(rows).count > 1, "the shards' rows divide evenly (\(rows)): the test would not see an offset")
        for layer in OutputLayer.allCases {
            let mosaic = try RasterArray(path: run + "/" + layer.rawValue + ".vrt")
            let reference = try RasterArray(path: plain.directory + "/" + layer.fileName)
            #expect(mosaic.grid == reference.grid, "\(layer.rawValue): grid")
            #expect(mosaic.noData == reference.noData)
            let differing = zip(mosaic.values, reference.values).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            #expect(differing == 0, "\(layer.rawValue): \(differing) pixels differ from the plain run")
            // The mosaic's overviews are the plain COG's overviews (what tiles at low zooms read).
            let a = try Dataset(path: run + "/" + layer.rawValue + ".vrt").band(1)
            let b = try Dataset(path: plain.directory + "/" + layer.fileName).band(1)
            #expect(a.overviewCount == b.overviewCount && a.overviewCount > 0, "\(layer.rawValue): overview levels")
            for k in 0..<min(a.overviewCount, b.overviewCount) {
                let (oa, ob) = (try a.overview(k), try b.overview(k))
                #expect(oa.size == ob.size)
                var va = [Double](repeating: 0, count: oa.size.width * oa.size.height), vb = va
                let window = Window(column: 0, row: 0, width: oa.size.width, height: oa.size.height)
                try va.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try oa.read(window, into: p) }
                try vb.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try ob.read(window, into: p) }
                #expect(va == vb, "\(layer.rawValue): overview \(k) differs")
            }
        }
        try Self.expectSameRecord(run, plain.directory, dropOutputs: true)
        // GDAL's own tool reads the mosaic with the COGs' metadata and overviews.
        let info = try await runToolDetached("gdalinfo", [run + "/hotspot_class.vrt"], timeout: 60)
        #expect(info.out.contains("Color Table"), "\(info.out)")
        #expect(info.out.contains("Overviews:"), "the VRT exposes the shards' overviews: \(info.out)")
        #expect(info.out.contains("NoData Value=255"))
    }

    @Test func aKilledScoreTaskIsRunAgainAndAMissingShardStopsPublish() async throws {
        let plain = Self.plain
        let parent = Self.folder.file("faults"), run = parent + "/global"
        try await Self.hotspot("run", "plan", "--config", Self.configPath, "--run-dir", run, "--shards", "3")
        // A task killed mid-way: its staging folder is left, its marker is not written.
        let task = Process()
        task.executableURL = URL(fileURLWithPath: DemoFixture.hotspotBinary)
        task.arguments = ["run", "score", "--run-dir", run, "--shard", "1"]
        task.standardError = FileHandle.nullDevice
        try task.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let staged = (try? FileManager.default.contentsOfDirectory(atPath: run + "/shards/0001")) ?? []
            if let staging = staged.first(where: { $0.hasPrefix(".staging-") }),
               let files = try? FileManager.default.contentsOfDirectory(atPath: run + "/shards/0001/" + staging),
               !files.isEmpty { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(task.processIdentifier, SIGKILL)
        task.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: run + "/shards/0001/score.json"))
        for i in [0, 2] { try await Self.hotspot("run", "score", "--run-dir", run, "--shard", "\(i)") }
        let early = try await Self.hotspot("run", "rank", "--run-dir", run, expect: 1)
        #expect(early.err.contains("shard 1 not scored"), "\(early.err)")
        #expect(early.err.split(separator: "\n").count == 1, "one sentence: \(early.err)")

        try await Self.hotspot("run", "score", "--run-dir", run, "--shard", "1")
        #expect(!((try? FileManager.default.contentsOfDirectory(atPath: run + "/shards/0001")) ?? []).contains { $0.hasPrefix(".staging-") },
                "the rerun removed what the killed task left")
        try await Self.hotspot("run", "rank", "--run-dir", run)
        for i in 0..<3 { try await Self.hotspot("run", "classify", "--run-dir", run, "--shard", "\(i)") }

        // An older run is `latest`; a shard's COG goes missing: publish refuses, naming it, and `latest` stays.
        try FileManager.default.createDirectory(atPath: parent + "/older", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: parent + "/latest", withDestinationPath: "older")
        try FileManager.default.moveItem(atPath: run + "/shards/0002/classify.json", toPath: parent + "/classify.json")
        let refused = try await Self.hotspot("run", "publish", "--run-dir", run, "--assemble", expect: 1)
        #expect(refused.err.contains("shard 2 is not classified"), "\(refused.err)")
        #expect(refused.err.split(separator: "\n").count == 1, "one sentence: \(refused.err)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: parent + "/latest") == "older")
        #expect(!FileManager.default.fileExists(atPath: run + "/run.json"))

        try FileManager.default.moveItem(atPath: parent + "/classify.json", toPath: run + "/shards/0002/classify.json")
        try await Self.hotspot("run", "publish", "--run-dir", run, "--assemble")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: parent + "/latest") == "global")
        for layer in OutputLayer.allCases {
            #expect(try Checksum.file(plain.directory + "/" + layer.fileName) == Checksum.file(run + "/" + layer.fileName),
                    "\(layer.rawValue) after the killed task's rerun")
        }
        // Publishing again (a repeated task) changes nothing.
        try await Self.hotspot("run", "publish", "--run-dir", run, "--assemble")
    }

    @Test func aScoreRepeatedAfterRankMakesClassifyAndPublishRefuse() async throws {
        let run = Self.folder.file("stale") + "/global"
        try await Self.hotspot("run", "plan", "--config", Self.configPath, "--run-dir", run, "--shards", "2")
        for i in 0..<2 { try await Self.hotspot("run", "score", "--run-dir", run, "--shard", "\(i)") }
        try await Self.hotspot("run", "rank", "--run-dir", run)
        // Same inputs, same sums: a repeated score keeps the rank valid.
        try await Self.hotspot("run", "score", "--run-dir", run, "--shard", "0")
        try await Self.hotspot("run", "classify", "--run-dir", run, "--shard", "0")
        // Sums that changed (here: tampered with) are stale for the rank tables.
        let marker = run + "/shards/0001/score.json"
        let text = try String(contentsOfFile: marker, encoding: .utf8)
        let sums = try #require(text.range(of: #""sums_sha256" : "[0-9a-f]{64}""#, options: .regularExpression))
        try text.replacingCharacters(in: sums, with: "\"sums_sha256\" : \"" + String(repeating: "0", count: 64) + "\"")
            .write(toFile: marker, atomically: true, encoding: .utf8)
        let refused = try await Self.hotspot("run", "classify", "--run-dir", run, "--shard", "1", expect: 1)
        #expect(refused.err.contains("scored again after"), "\(refused.err)")
    }

    @Test func planAndTaskMistakesAreOneSentence() async throws {
        let run = Self.folder.file("mistakes") + "/global"
        let noPlan = try await Self.hotspot("run", "score", "--run-dir", run, "--shard", "0", expect: 1)
        #expect(noPlan.err.contains("has no plan"), "\(noPlan.err)")
        try await Self.hotspot("run", "plan", "--config", Self.configPath, "--run-dir", run, "--shards", "2")
        let outside = try await Self.hotspot("run", "score", "--run-dir", run, "--shard", "5", expect: 1)
        #expect(outside.err.contains("there is no shard 5"), "\(outside.err)")
        let wrongCount = try await Self.hotspot("run", "score", "--run-dir", run, "--shard", "1/4", expect: 1)
        #expect(wrongCount.err.contains("planned with 2"), "\(wrongCount.err)")
        let noIndex = try await Self.hotspot("run", "score", "--run-dir", run, expect: 1)
        #expect(noIndex.err.contains("SLURM_ARRAY_TASK_ID"), "\(noIndex.err)")
        let badIndex = try await Self.hotspot("run", "score", "--run-dir", run, expect: 1, environment: ["JOB_COMPLETION_INDEX": "x"])
        #expect(badIndex.err.contains("JOB_COMPLETION_INDEX"), "\(badIndex.err)")
        let unranked = try await Self.hotspot("run", "classify", "--run-dir", run, "--shard", "0", expect: 1)
        #expect(unranked.err.contains("not ranked"), "\(unranked.err)")
        let zero = try await Self.hotspot("run", "plan", "--config", Self.configPath, "--run-dir", run, "--shards", "0", expect: 1)
        #expect(zero.err.contains("1 or more"), "\(zero.err)")
        // A configuration edited after the plan changes nothing: the tasks read the plan's copy.
        let plan = try RunPlan.load(runDirectory: run)
        #expect(plan.configText == (try String(contentsOfFile: Self.configPath, encoding: .utf8)))
        for err in [noPlan, outside, wrongCount, noIndex, badIndex, unranked, zero].map(\.err) {
            #expect(err.split(separator: "\n").count == 1, "one sentence: \(err)")
        }
    }

    @Test func moreShardsThanStripsLeaveSomeEmpty() async throws {
        let parent = Self.folder.file("empty"), run = parent + "/global"
        // 280 rows in strips of at least 8 rows make 35 strips: 40 shards leave 5 empty.
        try await Self.hotspot("run", "plan", "--config", Self.configPath, "--run-dir", run, "--shards", "40")
        let plan = try RunPlan.load(runDirectory: run)
        #expect(plan.stripRows == 8)
        #expect(plan.shards.filter(\.isEmpty).count == 5)
        #expect(plan.shards.last!.rows[1] == 280 || plan.shards.last!.isEmpty)
    }

    /// A real single-node Slurm cluster (Debian's slurm-wlm and munge, started here in a folder of the test's) runs
    /// a 4-shard run submitted with the project's own sbatch script; the run equals the plain one.
    @Test func aFourShardRunOnSlurmEqualsThePlainRun() async throws {
        let plain = Self.plain
        let cluster = Self.folder.file("slurm")
        let script = repositoryRoot + "/deploy/slurm/local-cluster.sh"
        let started = try await runToolDetached(script, ["start", cluster], timeout: 120)
        try #require(started.status == 0, "the Slurm cluster did not start: \(started.err)")
        defer { _ = try? runTool(script, ["stop", cluster]) }
        let environment = ["SLURM_CONF": cluster + "/slurm.conf"]
        let parent = Self.folder.file("slurm-runs"), run = parent + "/global"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let submitted = try await Self.hotspot(
            "slurm", "submit", "--config", Self.configPath, "--shards", "4", "--run-dir", run, "--assemble",
            "--script", repositoryRoot + "/deploy/slurm/run.sbatch", "--sbatch-option=--output=\(parent)/%x-%A_%a.out",
            "--tiles", "--tiles-option=--zoom=0-3", "--tiles-option=--layers=hotspot_class,loss_score",
            "--tiles-option=--out=\(parent)/tiles", "--tiles-option=--package=pmtiles", environment: environment)
        let ids = submitted.out.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(ids.count == 7, "seven jobs: \(submitted.out) \(submitted.err)")
        let deadline = Date().addingTimeInterval(600)
        var state = ""
        while Date() < deadline {
            let show = try await runToolDetached("env", ["SLURM_CONF=\(cluster)/slurm.conf", "scontrol", "show", "job", ids[6]],
                                                 timeout: 30)
            state = show.out.components(separatedBy: "JobState=").dropFirst().first?.split(separator: " ").first.map(String.init) ?? ""
            if ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL"].contains(state) { break }
            if show.out.contains("DependencyNeverSatisfied") { state = "DependencyNeverSatisfied"; break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let logs = ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasSuffix(".out") }
            .compactMap { try? String(contentsOfFile: parent + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        try #require(state == "COMPLETED", "tiles-merge job \(ids[6]) ended \(state): \(logs)")
        for layer in OutputLayer.allCases {
            #expect(try Checksum.file(plain.directory + "/" + layer.fileName) == Checksum.file(run + "/" + layer.fileName),
                    "\(layer.rawValue) from the Slurm run differs from the plain run's")
        }
        try Self.expectSameRecord(run, plain.directory)
        let record = try JSONDecoder().decode(RunRecord.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/run.json")))
        #expect(record.shards?.count == 4)
        #expect(record.shards?.allSatisfy { $0.scoredBy?.job?.hasPrefix("slurm:\(ids[1])_") == true } == true,
                "each shard was scored by a task of the score array: \(String(describing: record.shards))")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: parent + "/latest") == "global")
        // The tile shards of the array and the merge make the tiles of one unsharded `hotspot tiles` (the packages
        // differ only in the run they name).
        try await Self.hotspot("tiles", "--config", Self.configPath, "--run", plain.directory, "--zoom", "0-3",
                               "--layers", "hotspot_class,loss_score", "--out", Self.folder.file("plain-tiles"))
        for layer in ["hotspot_class", "loss_score"] {
            #expect(FileManager.default.fileExists(atPath: parent + "/tiles/\(layer).pmtiles"))
            let mine = parent + "/tiles/" + layer, theirs = Self.folder.file("plain-tiles/" + layer)
            let tiles = { (root: String) in
                (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
                    .filter { $0.hasSuffix(".png") && $0 != "legend.png" }.sorted()
            }
            #expect(tiles(mine) == tiles(theirs) && tiles(mine).count > 40, "\(layer): the same tiles")
            for tile in tiles(theirs) {
                #expect(FileManager.default.contents(atPath: mine + "/" + tile) == FileManager.default.contents(atPath: theirs + "/" + tile),
                        "\(layer)/\(tile) of the Slurm tile shards differs from the unsharded one")
            }
        }
        #expect(logs.contains("shard 3/4 done"), "the tiles array ran four shards")
    }

    /// A run whose output folder is a GDAL virtual file system (here /vsimem/, GDAL's in-memory store; /vsis3/ and
    /// the like go the same way: no renames, no links): the phases run in-process, `latest` is a pointer object,
    /// and a reader opens the run through it.
    @Test func aRunIntoAVirtualFileSystemEqualsThePlainRun() async throws {
        let plain = Self.plain
        var options = HotspotRun.Options(outputDirectory: "/vsimem/hotspot-runs")
        options.workers = 2
        let result = try HotspotRun.execute(try HotspotConfiguration.load(path: Self.configPath), options: options)
        #expect(result.directory == "/vsimem/hotspot-runs/" + result.runID)
        for layer in OutputLayer.allCases {
            let stored = try #require(Storage.read(result.directory + "/" + layer.fileName))
            #expect(Checksum.hex(of: stored) == (try Checksum.file(plain.directory + "/" + layer.fileName)),
                    "\(layer.rawValue) written through GDAL's virtual file system differs from the plain run's")
        }
        #expect(String(decoding: try #require(Storage.read("/vsimem/hotspot-runs/latest")), as: UTF8.self) == result.runID + "\n")
        #expect(LatestPointer.resolve("/vsimem/hotspot-runs/latest") == result.directory)
        #expect(!Storage.exists(result.directory + "/shards/0000/work/" + OutputLayer.lossExpected.fileName))
        Storage.removeFolder("/vsimem/hotspot-runs")
    }
}

