import Foundation
import HotspotConfig
@testable import Pipeline
import TestSupport
import Testing

/// A careless operator's runs: an empty layer, an absurd grid, two runs into one folder, killed runs' leftovers,
/// and folders that fill up with old runs.
@Suite struct RunHardeningTests {
    /// An all-NaN layer gives no valid pixel: the run fails in one sentence and publishes nothing.
    @Test func aRunWithNoValidPixelPublishesNothing() throws {
        let folder = TemporaryFolder()
        let empty = folder.file("soc_nan.tif")
        let made = try runTool("/usr/bin/python3", ["-c", """
            from osgeo import gdal; import sys
            d = gdal.Translate(sys.argv[2], sys.argv[1], outputType=gdal.GDT_Float32)
            d.GetRasterBand(1).Fill(float('nan')); d = None
            """, DemoFixture.path("soc.tif"), empty])
        #expect(made.status == 0, "\(made.err)")
        let output = folder.file("derived")
        let config = try DemoFixture.config(output: output) { $0.replacingOccurrences(of: DemoFixture.path("soc.tif"), with: empty) }
        #expect {
            try HotspotRun.execute(config)
        } throws: { error in
            guard case PipelineError.noValidPixels = error else { return false }
            return "\(error)".contains("no pixel of the target grid has a valid value") && !"\(error)".contains("\n")
        }
        #expect(!FileManager.default.fileExists(atPath: output + "/latest"))
        let left = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
        #expect(!left.contains { $0.hasPrefix(".partial") || $0.hasPrefix("2") }, "\(left)")
    }

    /// A grid of 1e-9 degree pixels is refused at plan time in one sentence, not by a failed 64 GB allocation.
    @Test func aHugeGridIsRefusedBeforeAnythingIsAllocated() throws {
        let folder = TemporaryFolder()
        let text = try DemoFixture.configText(output: folder.file("derived"))
            .replacingOccurrences(of: "resolution: \(DemoFixture.resolution)", with: "resolution: 1e-9")
        try text.write(toFile: folder.file("c.yaml"), atomically: true, encoding: .utf8)
        let result = try runTool(DemoFixture.hotspotBinary, ["run", "--config", folder.file("c.yaml")], cwd: repositoryRoot)
        #expect(result.status == 1)
        #expect(result.err.hasPrefix("error: target grid: resolution 1e-09") && result.err.contains("at most 1048576 columns"),
                "\(result.err)")
        #expect(result.err.split(separator: "\n").count == 1, "one sentence: \(result.err)")
    }

    /// While a run holds an output folder, a second run into it is refused, naming the first one's process.
    @Test func aSecondRunIntoTheSameFolderIsRefused() throws {
        let folder = TemporaryFolder()
        let output = folder.file("derived")
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        // Another run's lock, as `hotspot run` takes it (flock on .run.lock, its pid inside).
        let fd = open(output + "/.run.lock", O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        _ = "4242\n".withCString { write(fd, $0, 5) }
        #expect {
            try HotspotRun.execute(try DemoFixture.config(output: output))
        } throws: { error in
            "\(error)".contains("another hotspot run (pid 4242) is writing into this folder")
        }
        close(fd)
        let result = try HotspotRun.execute(try DemoFixture.config(output: output))
        #expect(FileManager.default.fileExists(atPath: result.directory + "/run.json"), "the lock is free again")
    }

    /// Killed runs' partial folders are removed by the next run; `output.keep_runs` prunes older published runs and
    /// never the one `latest` names.
    @Test func leftoversOfKilledRunsAndOldRunsArePruned() throws {
        let folder = TemporaryFolder()
        let output = folder.file("derived")
        let stale = output + "/.partial-20200101T000000Z-deadbeef/work"
        try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: true)
        try Data(repeating: 1, count: 1024).write(to: URL(fileURLWithPath: stale + "/rate.tif"))
        let config = try DemoFixture.config(output: output) {
            $0.replacingOccurrences(of: "  level: 1\n", with: "  level: 1\n  keep_runs: 2\n")
        }
        #expect(config.output.keepRuns == 2)
        var ids: [String] = []
        for _ in 0..<3 { ids.append(try HotspotRun.execute(config).runID) }
        let names = try FileManager.default.contentsOfDirectory(atPath: output)
        #expect(!names.contains { $0.hasPrefix(".partial") }, "\(names)")
        let runs = names.filter { FileManager.default.fileExists(atPath: output + "/" + $0 + "/run.json") && $0 != "latest" }
        #expect(Set(runs) == Set(ids.suffix(2)), "\(names) after \(ids)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: output + "/latest") == ids.last)
    }

    /// The statistics of an empty set are null in run.json, not 0.
    @Test func statisticsOfNoPixelAreNull() throws {
        var empty = LayerStatistics()
        empty.finish()
        let json = String(decoding: try JSONEncoder().encode(empty), as: UTF8.self)
        #expect(json.contains("\"min\":null") && json.contains("\"max\":null") && json.contains("\"mean\":null"), "\(json)")
        let decoded = try JSONDecoder().decode(LayerStatistics.self, from: Data(json.utf8))
        #expect(decoded.validPixels == 0)
    }
}
