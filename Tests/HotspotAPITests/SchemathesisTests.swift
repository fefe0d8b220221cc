import Foundation
import TestSupport
import Testing

/// The API document and the server agree (#14, item 16): schemathesis (PyPI, installed by `make test-tools`) sends
/// a bounded, seeded set of generated requests — valid ones that must be accepted, invalid ones that must be
/// refused, undocumented methods, stateful sequences of edits — and checks every answer against the document.
/// `Tests/HotspotAPITests/schemathesis.toml` holds the bounds and the few invariants a schema cannot state.
@Suite struct SchemathesisTests {
    @Test func theServerKeepsItsDocumentedContract() async throws {
        let tool = repositoryRoot + "/.build/venv/bin/schemathesis"
        try #require(FileManager.default.isExecutableFile(atPath: tool), "run `make test-tools` (it installs schemathesis)")
        // Its own server: the run's edits (POST, PUT, DELETE) must not reach the other tests' directory.
        let output = (DemoFixture.run.directory as NSString).deletingLastPathComponent
        let server = try await TestServer(configuration: try TestServer.configuration(output: output), partners: testPartners)
        let folder = TemporaryFolder("hotspot-schemathesis")
        let run = try await runToolDetached("/bin/sh", ["-c", """
            cd '\(folder.path)' && '\(tool)' --no-color --config-file '\(repositoryRoot)/Tests/HotspotAPITests/schemathesis.toml' \
              run '\(server.base)/openapi.json' --checks all --seed 1 --workers 2 \
              -H 'Authorization: Bearer \(TestServer.token)' 2>&1
            """], timeout: 900)
        let summary = run.out.split(separator: "\n").suffix(30).joined(separator: "\n")
        #expect(run.status == 0, "\(run.out.suffix(12000))")
        #expect(run.out.contains(" passed"), "\(summary)")
        print("schemathesis: \(summary)")
    }
}
