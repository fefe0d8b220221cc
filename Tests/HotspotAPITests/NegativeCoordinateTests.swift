import Foundation
#if canImport(Glibc)
import Glibc
#endif
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

@Suite struct HelpTests {
    /// Every subcommand's help ends with examples a user can type, naming that subcommand.
    @Test(arguments: ["demo-data", "run", "run plan", "run score", "run rank", "run classify", "run publish", "slurm submit", "tiles", "serve", "query", "region", "partners import", "partners list",
                      "partners export", "partners check"])
    func everySubcommandShowsExamples(_ command: String) throws {
        let words = command.split(separator: " ").map(String.init)
        let help = try runTool(DemoFixture.hotspotBinary, words + ["--help"])
        #expect(help.status == 0)
        let examples = help.out.components(separatedBy: "Examples:").dropFirst().first ?? ""
        let lines = examples.components(separatedBy: "\n\n").first(where: { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty })?
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
        #expect(!lines.isEmpty && lines.allSatisfy { $0 == "hotspot \(command)" || $0.hasPrefix("hotspot \(command) ") }, "\(help.out)")
    }

    /// The demo generator's box takes a negative west edge in the ordinary form too.
    @Test func demoDataTakesANegativeBox() throws {
        let folder = TemporaryFolder()
        let made = try runTool(DemoFixture.hotspotBinary, ["demo-data", "--out", folder.file("demo"), "--resolution", "1",
                                                           "--bbox", "-10,35,5,45"])
        #expect(made.status == 0, "\(made.err)")
        let info = try runTool("gdalinfo", ["-json", folder.file("demo/soc.tif")]).out
        let json = try #require(try JSONSerialization.jsonObject(with: Data(info.utf8)) as? [String: Any])
        #expect(json["size"] as? [Int] == [15, 10], "\(info.prefix(300))")
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

@Suite struct BusyPortTests {
    /// A second server on a taken port says which port, in one sentence, and exits non-zero before it serves anything.
    @Test func aBusyPortIsNamedBeforeAnythingIsServed() async throws {
        // Take a free port and keep it listening.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0 && listen(fd, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let folder = TemporaryFolder()
        let config = folder.file("hotspot.yaml")
        try DemoFixture.configText(output: DemoFixture.runFolder.file("derived"))
            .write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await runToolDetached(DemoFixture.hotspotBinary,
                                               ["serve", "--config", config, "--port", "\(port)"], timeout: 60)
        #expect(result.status != 0)
        #expect(result.err.contains("port \(port) on 127.0.0.1 is already in use"), "\(result.err)")
        #expect(!result.err.contains("serving") && !result.out.contains("serving"), "nothing was served")
    }
}
