import Foundation
import TestSupport
import Testing

/// The README's snippets for users of the service ("Using the service"): the `sh` and `python` blocks run against a
/// test server, so that they cannot rot. (The R and QGIS ones need tools this machine does not have.)
@Suite struct ReadmeSnippetTests {
    static func snippets(_ language: String) throws -> [String] {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        guard let section = readme.components(separatedBy: "### Using the service").dropFirst().first?
            .components(separatedBy: "\n## ").first else { return [] }
        return section.components(separatedBy: "```" + language + "\n").dropFirst()
            .compactMap { $0.components(separatedBy: "\n```").first }
    }

    @Test func theShellAndPythonSnippetsRunAgainstAServer() async throws {
        let server = try await TestServer.shared.value
        let shell = try Self.snippets("sh"), python = try Self.snippets("python")
        #expect(shell.count == 2 && python.count == 1, "the section has its snippets")
        let folder = TemporaryFolder()
        for (index, script) in shell.enumerated() {
            let text = "set -euo pipefail\ncd '\(folder.path)'\n" + script.replacingOccurrences(of: "http://127.0.0.1:8080", with: server.base)
            let path = folder.file("snippet\(index).sh")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let result = try await runToolDetached("/bin/bash", [path], timeout: 120)
            #expect(result.status == 0, "\(script)\n\(result.err)")
            if index == 0 {
                #expect(result.out.contains("\"explanation\"") && result.out.contains("lon,lat"), "\(result.out.prefix(800))")
                #expect(result.out.contains("RUN_ID=") && result.out.contains("HTTP/1.1 200"), "\(result.out.suffix(400))")
            } else {
                // GDAL's OGC API Features driver lists the collection and copies it.
                #expect(result.out.contains("partners") && FileManager.default.fileExists(atPath: folder.file("partners.gpkg")),
                        "\(result.out.suffix(400))")
                #expect(FileManager.default.fileExists(atPath: folder.file("hotspots.gpkg"))
                        && result.out.contains("Feature Count: \(DemoFixture.run.record.hotspotPolygons?.features ?? -1)"),
                        "\(result.out.suffix(400))")
            }
        }
        for (index, script) in python.enumerated() {
            let path = folder.file("snippet\(index).py")
            try script.replacingOccurrences(of: "http://127.0.0.1:8080", with: server.base)
                .write(toFile: path, atomically: true, encoding: .utf8)
            let result = try await runToolDetached("/usr/bin/python3", [path], timeout: 120)
            #expect(result.status == 0, "\(script)\n\(result.err)")
            let lines = result.out.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix(DemoFixture.run.runID) == true, "\(result.out)")
            #expect(lines.last?.hasSuffix(DemoFixture.run.runID) == true, "\(result.out)")
        }
    }
}
