import Foundation
import GeoKit
import HotspotConfig
import Pipeline
import Testing
import TestSupport
@testable import Tiling

@Suite(.serialized) struct TilePyramidTests {
    static func job(_ folder: TemporaryFolder, layer: String = "loss_score", zooms: ClosedRange<Int> = 0...4,
                    format: ImageEncoder.Format = .png, source: String? = nil, sha: String = "sha-a") throws -> TileJob {
        let ramp = ColourRamp(try RampSpec.load(named: layer == "hotspot_class" ? "hotspot_classes" : "score_reds",
                                                configDirectory: repositoryRoot + "/Config"))
        return TileJob(layer: layer, sourcePath: source ?? DemoFixture.run.directory + "/\(layer).tif", sourceSHA256: sha,
                       runID: DemoFixture.run.runID, ramp: ramp, rampName: "r", sampling: layer == "hotspot_class" ? .nearest : .bilinear,
                       format: format, zooms: zooms, outputDirectory: folder.file("Tiles"), attribution: "test", description: "test")
    }

    static func tileFiles(_ job: TileJob) -> [String] {
        (FileManager.default.enumerator(atPath: job.layerDirectory)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".\(job.format.rawValue)") && $0 != "legend.png" }.sorted()
    }

    @Test func anInterruptedPyramidIsResumedAndAFinishedOneIsNotRedone() throws {
        let folder = TemporaryFolder()
        let job = try Self.job(folder)
        let partial = try TilePyramid.generate(job, stopAfter: 40)
        #expect(partial.written + partial.empty == 40)
        #expect(TileState.load(from: job.layerDirectory)?.complete == false)
        let resumed = try TilePyramid.generate(job)
        #expect(resumed.alreadyThere == partial.written, "tiles of the first run are kept")
        #expect(TileState.load(from: job.layerDirectory)?.complete == true)
        let again = try TilePyramid.generate(job)
        #expect(again.upToDate)
        // The same pyramid as one uninterrupted run.
        let other = TemporaryFolder()
        let whole = try TilePyramid.generate(try Self.job(other))
        #expect(Self.tileFiles(job) == Self.tileFiles(try Self.job(other)))
        #expect(whole.written == resumed.written + resumed.alreadyThere)
        // A new source redoes everything.
        let changed = try TilePyramid.generate(try Self.job(folder, sha: "sha-b"))
        #expect(changed.alreadyThere == 0 && changed.written == whole.written)
    }

    /// A pyramid made by N shards and a merge is the unsharded pyramid, file for file and byte for byte; each tile is
    /// made by exactly one task; a merge before every shard names the missing one; a shard finding a pyramid of
    /// other inputs starts it afresh.
    @Test(arguments: [3, 5]) func shardsAndAMergeMakeTheUnshardedPyramid(_ shards: Int) throws {
        let whole = TemporaryFolder()
        let wholeJob = try Self.job(whole, zooms: 0...5)
        let reference = try TilePyramid.generate(wholeJob)
        let folder = TemporaryFolder()
        _ = try TilePyramid.generate(try Self.job(folder, zooms: 0...2, sha: "sha-old"))
        let job = try Self.job(folder, zooms: 0...5)
        var counts: [Int] = []
        for index in 0..<shards where index != 1 {
            let share = try TilePyramid.generate(job, partition: .shard(index: index, count: shards))
            #expect(share.alreadyThere == 0, "a stale pyramid's tiles are not kept")
            counts.append(share.written + share.empty)
        }
        #expect(throws: TilingError.self) { try TilePyramid.generate(job, partition: .merge) }
        do {
            _ = try TilePyramid.generate(job, partition: .merge)
        } catch {
            #expect(error.description.hasPrefix("shard 1 of \(shards) has not finished in \(job.layerDirectory)"),
                    "\(error.description)")
        }
        let second = try TilePyramid.generate(job, partition: .shard(index: 1, count: shards))
        counts.append(second.written + second.empty)
        #expect(FileManager.default.fileExists(atPath: job.layerDirectory + "/.state.json"))
        #expect(TileState.load(from: job.layerDirectory)?.complete == false, "complete only after the merge")
        let merged = try TilePyramid.generate(job, partition: .merge)
        #expect(TileState.load(from: job.layerDirectory)?.complete == true)
        #expect(counts.reduce(0, +) + merged.written + merged.empty == reference.written + reference.empty,
                "every tile made once: \(counts) + \(merged.written + merged.empty)")
        #expect(counts.min()! * 2 >= counts.max()!, "shares balance: \(counts)")
        #expect(merged.tiles == reference.tiles)
        let files = Self.tileFiles(job)
        #expect(files == Self.tileFiles(wholeJob) && files.count > 300)
        for file in files {
            #expect(FileManager.default.contents(atPath: job.layerDirectory + "/" + file)
                    == FileManager.default.contents(atPath: wholeJob.layerDirectory + "/" + file), "\(file) differs")
        }
        #expect(try TilePyramid.generate(job, partition: .merge).upToDate)
    }

    /// The commands a Slurm array and its last job type: `--shard I/N` per task, then `--merge --package pmtiles`,
    /// make the package of an unsharded `hotspot tiles --package pmtiles`, byte for byte.
    @Test func shardedTilesCommandsPackageTheSamePMTiles() throws {
        func config(_ folder: TemporaryFolder) throws -> String {
            let text = try String(contentsOfFile: repositoryRoot + "/Config/hotspot.yaml", encoding: .utf8)
                .replacingOccurrences(of: "dir: Rasters/derived", with: "dir: \((DemoFixture.run.directory as NSString).deletingLastPathComponent)")
                .replacingOccurrences(of: "dir: Tiles", with: "dir: \(folder.file("Tiles"))")
            try text.write(toFile: folder.file("c.yaml"), atomically: true, encoding: .utf8)
            return folder.file("c.yaml")
        }
        let common = ["--zoom", "0-4", "--layers", "hotspot_class,loss_score", "--package", "pmtiles"]
        let plain = TemporaryFolder(), sharded = TemporaryFolder()
        let reference = try runTool(Self.binary, ["tiles", "--config", try config(plain)] + common, cwd: repositoryRoot)
        #expect(reference.status == 0, "\(reference.err)")
        let file = try config(sharded)
        for index in [1, 0] {
            let share = try runTool(Self.binary, ["tiles", "--config", file, "--shard", "\(index)/2"] + common, cwd: repositoryRoot)
            #expect(share.status == 0, "\(share.err)")
            #expect(!FileManager.default.fileExists(atPath: sharded.file("Tiles/hotspot_class.pmtiles")), "packaged before the merge")
        }
        let merge = try runTool(Self.binary, ["tiles", "--config", file, "--merge"] + common, cwd: repositoryRoot)
        #expect(merge.status == 0, "\(merge.err)")
        for layer in ["hotspot_class", "loss_score"] {
            let a = FileManager.default.contents(atPath: plain.file("Tiles/\(layer).pmtiles"))
            #expect(a != nil && a == FileManager.default.contents(atPath: sharded.file("Tiles/\(layer).pmtiles")), "\(layer).pmtiles")
            #expect(FileManager.default.contents(atPath: plain.file("Tiles/\(layer)/tilejson.json"))
                    == FileManager.default.contents(atPath: sharded.file("Tiles/\(layer)/tilejson.json")))
        }
    }

    @Test func killingTheCommandMidwayLeavesNoCorruptTileAndARerunFinishes() throws {
        let folder = TemporaryFolder()
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hotspot").path
        let config = try String(contentsOfFile: repositoryRoot + "/Config/hotspot.yaml", encoding: .utf8)
            .replacingOccurrences(of: "dir: Rasters/derived", with: "dir: \((DemoFixture.run.directory as NSString).deletingLastPathComponent)")
            .replacingOccurrences(of: "dir: Tiles", with: "dir: \(folder.file("Tiles"))")
        try config.write(toFile: folder.file("c.yaml"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["tiles", "--config", folder.file("c.yaml"), "--zoom", "0-4", "--layers", "loss_score"]
        process.currentDirectoryURL = URL(fileURLWithPath: repositoryRoot)
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once it has started writing (its state file exists), not after a fixed delay: a loaded machine
        // may take longer than that to start.
        let stateFile = folder.file("Tiles/loss_score/.state.json")
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: stateFile) && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.05)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let state = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("Tiles/loss_score/.state.json"))))
        #expect((state as? [String: Any])?["complete"] as? Bool == false, "the first run was interrupted before finishing")
        let rerun = try runTool(binary, ["tiles", "--config", folder.file("c.yaml"), "--zoom", "0-4", "--layers", "loss_score"],
                                cwd: repositoryRoot)
        #expect(rerun.status == 0, "rerun failed: \(rerun.err)")
        let directory = folder.file("Tiles/loss_score")
        let files = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? [])
        #expect(!files.contains { $0.hasSuffix(".partial") }, "leftover partial files")
        let tiles = files.filter { $0.hasSuffix(".png") && $0 != "legend.png" }
        #expect(tiles.count > 150)
        for tile in tiles {
            let dataset = try Dataset(path: directory + "/" + tile)
            #expect(dataset.width == 256 && dataset.bandCount == 4, "\(tile) is not a 256 px RGBA PNG")
        }
        #expect(FileManager.default.fileExists(atPath: directory + "/tilejson.json"))
        #expect(FileManager.default.fileExists(atPath: directory + "/legend.png"))
    }

    /// The native zoom: the coarsest whose tile pixels (360 / 256 / 2^z degrees at the equator) are as fine as the data.
    @Test(arguments: [(0.05, 5), (0.5, 2), (0.0439, 6), (0.00225, 10), (2.0, 0), (1.40625, 0), (1.4, 1)])
    func nativeZoomIsTheFirstAsFineAsTheData(_ degrees: Double, _ zoom: Int) {
        #expect(WebMercator.nativeZoom(pixelDegrees: degrees) == zoom)
        #expect(360 / 256 / pow(2, Double(zoom)) <= degrees || zoom == 0)
    }

    @Test func tileJSONBoundsStayWithinTheWorldAndTheZooms() throws {
        let folder = TemporaryFolder()
        let job = try Self.job(folder, zooms: 1...3)
        let summary = try TilePyramid.generate(job)
        let json = TileJSON(job: job, bounds: summary.bounds)
        #expect(json.tilejson == "3.0.0")
        #expect(json.bounds[0] < json.bounds[2] && json.bounds[0] >= -180 && json.bounds[2] <= 180)
        #expect(json.bounds[1] >= -WebMercator.maxLatitude && json.bounds[3] <= WebMercator.maxLatitude)
        #expect(json.bounds == [-180, -60, 180, 84])
        #expect(json.minzoom == 1 && json.maxzoom == 3 && json.tiles == ["{z}/{x}/{y}.png"])
        // An antimeridian-crossing box never produces west > east.
        let crossing = TileJSON(job: job, bounds: (170, -10, -170, 10))
        #expect(crossing.bounds[0] < crossing.bounds[2])
    }

    @Test func mbtilesPackageOpensInGdalWithTheTilesAndMetadata() throws {
        let folder = TemporaryFolder()
        let job = try Self.job(folder, layer: "hotspot_class", zooms: 0...3)
        let summary = try TilePyramid.generate(job)
        let path = try TilePackage.writeMBTiles(job: job, tiles: summary.tiles, tileJSON: TileJSON(job: job, bounds: summary.bounds))
        let info = try runTool("gdalinfo", [path])
        #expect(info.status == 0, "gdalinfo: \(info.err)")
        #expect(info.out.contains("ZOOM_LEVEL=3"))
        let rows = try runTool("/usr/bin/python3", ["-c", """
            import sqlite3; c = sqlite3.connect('\(path)')
            print(c.execute('select count(*) from tiles').fetchone()[0])
            print(dict(c.execute('select name, value from metadata').fetchall())['format'])
            z, x, y = \(summary.tiles.last!.z), \(summary.tiles.last!.x), \(summary.tiles.last!.y)
            print(len(c.execute('select tile_data from tiles where zoom_level=? and tile_column=? and tile_row=?', (z, x, 2**z - 1 - y)).fetchone()[0]))
            """])
        let lines = rows.out.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(summary.tiles.count)")
        #expect(lines.dropFirst().first == "png")
        let size = try FileManager.default.attributesOfItem(atPath: job.tilePath(summary.tiles.last!))[.size] as! Int
        #expect(lines.last == "\(size)", "TMS row flip: the last tile is where MBTiles expects it")
    }

    @Test func webpTilesAreWrittenWhenAsked() throws {
        let folder = TemporaryFolder()
        let job = try Self.job(folder, zooms: 0...1, format: .webp)
        let summary = try TilePyramid.generate(job)
        #expect(summary.written > 0)
        let info = try runTool("gdalinfo", [job.tilePath(summary.tiles[0])])
        #expect(info.out.contains("Driver: WEBP"))
    }

    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hotspot").path
    }

    @Test(arguments: [
        (["--zoom", "9-2"], "bad zoom range"),
        (["--zoom", "0-99"], "bad zoom range"),
        (["--layers", "soc_magic"], "unknown layer 'soc_magic'"),
        (["--format", "gif"], "The value 'gif' is invalid for '--format <format>'"),
        (["--package", "zip"], "The value 'zip' is invalid for '--package <package>'"),
        (["--out", "/proc/version/tiles"], "cannot write tiles to /proc/version/tiles"),
        (["--run", "/nonexistent/run"], "no published run at /nonexistent/run"),
        (["--shard", "2/2"], "--shard must be I/N with 0 <= I < N"),
        (["--shard=-1/2"], "--shard must be I/N with 0 <= I < N"),
        (["--shard", "1/3", "--merge"], "--shard and --merge are separate steps"),
        (["--merge"], "no shard of this pyramid has finished in"),
    ])
    func badArgumentsGetOneClearError(_ arguments: [String], _ says: String) throws {
        let folder = TemporaryFolder()
        let config = try String(contentsOfFile: repositoryRoot + "/Config/hotspot.yaml", encoding: .utf8)
            .replacingOccurrences(of: "dir: Rasters/derived", with: "dir: \((DemoFixture.run.directory as NSString).deletingLastPathComponent)")
            .replacingOccurrences(of: "dir: Tiles", with: "dir: \(folder.file("Tiles"))")
        try config.write(toFile: folder.file("c.yaml"), atomically: true, encoding: .utf8)
        let result = try runTool(Self.binary, ["tiles", "--config", folder.file("c.yaml")] + arguments, cwd: repositoryRoot)
        #expect(result.status != 0)
        #expect(result.err.contains(says), "stderr was: \(result.err)")
    }
}
