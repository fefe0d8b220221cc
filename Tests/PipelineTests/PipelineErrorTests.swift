import Foundation
import GeoKit
import HotspotConfig
import Pipeline
import Testing
import TestSupport

/// Bad input stops a run with one clear sentence, leaves `latest` as it was and no partial folder behind.
@Suite(.serialized) struct PipelineErrorTests {
    struct BadInput: CustomTestStringConvertible, Sendable {
        let name: String
        /// Makes the bad file (if any) in the folder and edits the configuration text.
        let edit: @Sendable (TemporaryFolder, String) throws -> String
        /// A phrase the error must contain.
        let says: String
        var testDescription: String { name }
    }

    static let cases: [BadInput] = [
        BadInput(name: "missing file", edit: { _, text in
            text.replacingOccurrences(of: DemoFixture.path("soc.tif"), with: "/nonexistent/soc.tif")
        }, says: "no such file"),
        BadInput(name: "corrupt GeoTIFF (truncated)", edit: { folder, text in
            let data = try Data(contentsOf: URL(fileURLWithPath: DemoFixture.path("precip.tif")))
            try data.prefix(data.count / 3).write(to: URL(fileURLWithPath: folder.file("precip.tif")))
            return text.replacingOccurrences(of: DemoFixture.path("precip.tif"), with: folder.file("precip.tif"))
        }, says: "precip"),
        BadInput(name: "not a raster", edit: { folder, text in
            try "just text".write(toFile: folder.file("clay.tif"), atomically: true, encoding: .utf8)
            return text.replacingOccurrences(of: DemoFixture.path("clay.tif"), with: folder.file("clay.tif"))
        }, says: "clay"),
        BadInput(name: "unknown CRS", edit: { _, text in
            text.replacingOccurrences(of: "crs: \"EPSG:4326\"", with: "crs: \"EPSG:999999\"")
        }, says: "EPSG:999999"),
        BadInput(name: "layer that does not cover the grid", edit: { folder, text in
            let europe = folder.file("tmean_europe.tif")
            _ = try runTool("gdal_translate", ["-q", "-projwin", "-10", "70", "40", "35", DemoFixture.path("tmean.tif"), europe])
            return text.replacingOccurrences(of: DemoFixture.path("tmean.tif"), with: europe)
        }, says: "does not cover"),
        BadInput(name: "band that does not exist", edit: { _, text in
            text.replacingOccurrences(of: "units: \"0.1 t/ha\", scale: 0.1 }", with: "units: \"0.1 t/ha\", scale: 0.1, band: 3 }")
        }, says: "no band 3"),
        BadInput(name: "a single-band temperature where twelve months are needed", edit: { folder, text in
            text.replacingOccurrences(of: "tmean.tif", with: "soc.tif")
        }, says: "has 1 band, but the model needs a monthly climatology of 12 bands"),
    ]

    @Test(arguments: cases)
    func badInputFailsCleanly(_ bad: BadInput) throws {
        let folder = TemporaryFolder()
        let output = folder.file("derived")
        let good = try HotspotRun.execute(try DemoFixture.config(output: output))
        let text = try bad.edit(folder, try String(contentsOfFile: repositoryRoot + "/Config/hotspot.yaml", encoding: .utf8)
            .replacingOccurrences(of: "Rasters/demo/", with: DemoFixture.directory + "/")
            .replacingOccurrences(of: "resolution: 0.05", with: "resolution: \(DemoFixture.resolution)")
            .replacingOccurrences(of: "dir: Rasters/derived", with: "dir: \(output)"))
        let config = try HotspotConfiguration.parse(text, file: repositoryRoot + "/Config/test.yaml")
        #expect {
            try HotspotRun.execute(config)
        } throws: { error in
            let message = "\(error)"
            return message.contains(bad.says) && !message.contains("\n")
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: output + "/latest") == good.runID)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: output).filter { $0.hasPrefix(".partial") }
        #expect(leftovers.isEmpty, "partial run folders left behind: \(leftovers)")
    }

    /// The CLI prints one sentence on stderr and exits non-zero.
    @Test(arguments: [
        ("grid:\n  crs: EPSG:4326\n  resolution: abc\n  bbox: [0, 0, 1, 1]\n", "'grid.resolution' must be a number"),
        ("grid: { crs: EPSG:4326, resolution: 1, bbox: [0, 0, 1, 1], res: 2 }\n", "unknown key 'grid.res'"),
        ("output: { dir: x }\n", "required key 'grid' is missing"),
    ])
    func cliReportsConfigurationErrorsInOneLine(_ yaml: String, _ says: String) throws {
        let folder = TemporaryFolder()
        try yaml.write(toFile: folder.file("bad.yaml"), atomically: true, encoding: .utf8)
        let result = try runTool(DemoFixture.hotspotBinary, ["run", "--config", folder.file("bad.yaml")])
        #expect(result.status != 0)
        #expect(result.err.contains(says), "stderr was: \(result.err)")
        #expect(result.err.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
    }

    @Test func cliReportsAMissingLayerFileInOneLine() throws {
        let folder = TemporaryFolder()
        let text = try String(contentsOfFile: repositoryRoot + "/Config/hotspot.yaml", encoding: .utf8)
            .replacingOccurrences(of: "Rasters/demo/", with: "/nonexistent/")
            .replacingOccurrences(of: "dir: Rasters/derived", with: "dir: \(folder.file("derived"))")
        try text.write(toFile: folder.file("c.yaml"), atomically: true, encoding: .utf8)
        let result = try runTool(DemoFixture.hotspotBinary, ["run", "--config", folder.file("c.yaml")], cwd: repositoryRoot)
        #expect(result.status == 1)
        #expect(result.err.hasPrefix("error: layer '"), "stderr was: \(result.err)")
        #expect(result.err.contains("no such file"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("derived/latest")))
    }

    /// A full disk (#14, item 15): the run says so in one sentence naming the file system and the file, and leaves
    /// no partial run behind. The output folder is a 300 KiB tmpfs (the tests run as root, as CI does).
    @Test func aFullDiskIsNamedAsSuch() throws {
        let folder = TemporaryFolder()
        let output = folder.file("small-disk")
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let mounted = try runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=300k", "tmpfs", output])
        try #require(mounted.status == 0, "cannot mount a tmpfs (root is needed): \(mounted.err)")
        defer { _ = try? runTool("/bin/umount", [output]) }
        try DemoFixture.configText(output: output).write(toFile: folder.file("c.yaml"), atomically: true, encoding: .utf8)
        let result = try runTool(DemoFixture.hotspotBinary, ["run", "--config", folder.file("c.yaml")], cwd: repositoryRoot)
        #expect(result.status == 1)
        let message = result.err.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(message.hasPrefix("error: no space left on \(output) (tmpfs) while writing \(output)/"), "\(message)")
        #expect(message.split(separator: "\n").count == 1 && !message.contains("TIFF"), "\(message)")
        let left = try FileManager.default.contentsOfDirectory(atPath: output).filter { $0 != ".run.lock" }
        #expect(left.isEmpty, "\(left)")
    }
}
