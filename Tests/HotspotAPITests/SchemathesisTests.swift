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
        // Its own server, as its own process: the run's edits (POST, PUT, DELETE) must not reach the other tests'
        // directory, and its answer times (checked) must not wait for the cooperative threads the tests beside it
        // hold (in process, an edit once took 13 s on a loaded machine).
        // The contact relay is on, towards an SMTP port nothing listens on: messages are kept and wait.
        let smtpPort = try freePort()
        let server = try await ServeProcess(environment: [TestServer.tokenVariable: TestServer.token], partners: testPartners) {
            $0.replacingOccurrences(of: "max_batch_points: 10000", with: "max_batch_points: 500")
                .replacingOccurrences(of: "  admin_token_env: HOTSPOT_ADMIN_TOKEN\n", with: """
                      admin_token_env: HOTSPOT_ADMIN_TOKEN
                      smtp: {host: 127.0.0.1, port: \(smtpPort), starttls: false, from: relay@hotspot.example.org}

                    """)
                .replacingOccurrences(of: "max_download_pixels: 100000000", with: "max_download_pixels: 50000")
                .replacingOccurrences(of: "admin_token_env: HOTSPOT_ADMIN_TOKEN", with: "admin_token_env: \(TestServer.tokenVariable)")
        }
        let folder = TemporaryFolder("hotspot-schemathesis")
        let run = try await runToolDetached("/bin/sh", ["-c", """
            cd '\(folder.path)' && '\(tool)' --no-color --config-file '\(repositoryRoot)/Tests/HotspotAPITests/schemathesis.toml' \
              run '\(server.base)/openapi.json' --checks all --seed 1 --workers 1 --suppress-health-check=all \
              -H 'Authorization: Bearer \(TestServer.token)' 2>&1
            """], timeout: 900)
        let summary = run.out.split(separator: "\n").suffix(30).joined(separator: "\n")
        // What failed, without the tracebacks of the tool's own errors (their first lines say what they are).
        let report = run.out.split(separator: "\n").filter { line in
            !line.hasPrefix("      |") && !line.contains("File \"") && !line.trimmingCharacters(in: .whitespaces).hasPrefix("^")
        }.joined(separator: "\n")
        // A failed check (❌) or a server that stopped answering fails the test. schemathesis's own generator errors
        // ("Runtime Error": seen here, CPython 3.11's "AST constructor recursion depth mismatch" inside its code
        // generation, with two workers on a loaded machine; hence one worker) are reported, not counted: they say
        // nothing of the server.
        let summaryStart = run.out.range(of: "==== SUMMARY")?.lowerBound ?? run.out.endIndex
        let finalSummary = run.out[summaryStart...]
        let failed = finalSummary.contains("❌ ST") || finalSummary.contains("Failures:")
        let unreachable = ["Network Error", "Server Unavailable", "Connection", "Timeout"].contains { finalSummary.contains($0) }
        let errorsOnlyRuntime = !finalSummary.contains("Errors:") || finalSummary.split(separator: "\n")
            .filter { $0.contains("🚫") && !$0.contains("Coverage") && !$0.contains("Stateful") && !$0.contains("Fuzzing")
                      && !$0.contains("Examples") }
            .allSatisfy { $0.contains("Runtime Error") }
        #expect(run.status == 0 || (!failed && !unreachable && errorsOnlyRuntime), "\(report.suffix(15000))")
        if run.status != 0 { print("schemathesis reported tool errors (not counted): \(report.suffix(4000))") }
        #expect(run.out.contains(" passed"), "\(summary)")
        print("schemathesis: \(summary)")
    }
}
