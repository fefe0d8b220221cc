import Foundation
import TestSupport
import Testing

/// Half the planet has negative coordinates: `--lon -3.7`, `--lat -1.5` and `--bbox -10,35,5,45` are typed as users
/// type them, not read as options.
@Suite struct NegativeCoordinateTests {
    @Test func queryAndRegionTakeNegativeNumbersInTheOrdinaryForm() throws {
        let folder = TemporaryFolder()
        let config = folder.file("hotspot.yaml")
        try DemoFixture.configText(output: DemoFixture.runFolder.file("derived"))
            .write(toFile: config, atomically: true, encoding: .utf8)
        let query = try runTool(DemoFixture.hotspotBinary, ["query", "--config", config, "--run", DemoFixture.run.directory,
                                                            "--lon", "-3.7", "--lat", "40.4"], cwd: repositoryRoot)
        #expect(query.status == 0, "\(query.err)")
        let answer = try JSONSerialization.jsonObject(with: Data(query.out.utf8)) as? [String: Any]
        #expect(answer?["lon"] as? Double == -3.7 && answer?["inside"] as? Bool == true)
        let south = try runTool(DemoFixture.hotspotBinary, ["query", "--config", config, "--run", DemoFixture.run.directory,
                                                            "--lat", "-1.5", "--lon", "-60"], cwd: repositoryRoot)
        #expect(south.status == 0, "\(south.err)")
        let clip = try runTool(DemoFixture.hotspotBinary, ["region", "--config", config, "--run", DemoFixture.run.directory,
                                                           "--bbox", "-10,35,5,45", "--layer", "loss_score",
                                                           "--out", folder.file("iberia.tif")], cwd: repositoryRoot)
        #expect(clip.status == 0, "\(clip.err)")
        let info = try runTool("gdalinfo", [folder.file("iberia.tif")])
        #expect(info.out.contains("Upper Left  ( -10.0000000,  45.0000000)"), "\(info.out)")
    }
}

@Suite struct VersionTests {
    /// `hotspot --version` names the libraries it runs on, as their own tools report them.
    @Test func versionNamesGDALPROJAndGEOS() throws {
        let version = try runTool(DemoFixture.hotspotBinary, ["--version"])
        #expect(version.status == 0)
        let gdal = try runTool("gdal-config", ["--version"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let proj = try runTool("pkg-config", ["--modversion", "proj"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let geos = try runTool("pkg-config", ["--modversion", "geos"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!gdal.isEmpty && !proj.isEmpty && !geos.isEmpty)
        #expect(version.out.hasPrefix("hotspot 0.2.0 (GDAL \(gdal), PROJ \(proj), GEOS \(geos)"), "\(version.out)")
    }
}
