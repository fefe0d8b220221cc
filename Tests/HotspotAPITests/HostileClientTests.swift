import Foundation
import TestSupport
import Testing

/// What a hostile page or client can make the server say: links never follow the request's Host, cross-origin
/// edits are closed by default, and answers carry the headers browsers need.
@Suite struct HostileClientTests {
    func curl(_ arguments: [String]) async throws -> String {
        try await runToolDetached("curl", ["-s", "-i"] + arguments, timeout: 30).out
    }

    /// A forged Host header is not reflected into the (cached) links of TileJSON, /v1/layers or STAC.
    @Test func linksIgnoreTheHostHeader() async throws {
        let server = try await TestServer.shared.value
        for path in ["/v1/layers", "/tiles/loss_score/tilejson.json", "/v1/download/stac?layer=loss_score&bbox=5,40,6,41"] {
            let answer = try await curl(["-H", "Host: evil.example", server.base + path])
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(path): \(answer.prefix(200))")
            #expect(!answer.contains("evil.example") && answer.contains(server.base), "\(path): \(answer.prefix(600))")
        }
        // With server.public_url, links name it.
        let public_ = try await TestServer(configuration: try TestServer.configuration(output: (DemoFixture.run.directory as NSString).deletingLastPathComponent) {
            $0.replacingOccurrences(of: "  max_download_pixels: 50000\n", with: "  max_download_pixels: 50000\n  public_url: https://maps.example.org/\n")
        })
        let tileJSON = try await public_.get("/tiles/loss_score/tilejson.json").json
        #expect((tileJSON["tiles"] as? [String])?.first?.hasPrefix("https://maps.example.org/tiles/loss_score/") == true, "\(tileJSON)")
    }

    /// Reads are open to every origin; edits (and their preflights) to none unless `server.cors_edits` lists it.
    @Test func crossOriginEditsAreClosedByDefault() async throws {
        let server = try await TestServer.shared.value
        let read = try await curl(["-H", "Origin: https://any.example", server.base + "/v1/layers"])
        #expect(read.lowercased().contains("access-control-allow-origin: *"), "\(read.prefix(500))")
        let preflightRead = try await curl(["-X", "OPTIONS", "-H", "Origin: https://any.example",
                                            "-H", "Access-Control-Request-Method: GET", server.base + "/v1/layers"])
        #expect(preflightRead.lowercased().contains("access-control-allow-origin: *"), "\(preflightRead.prefix(500))")
        let preflightEdit = try await curl(["-X", "OPTIONS", "-H", "Origin: https://any.example",
                                            "-H", "Access-Control-Request-Method: DELETE",
                                            "-H", "Access-Control-Request-Headers: authorization", server.base + "/v1/partners/api-001"])
        #expect(!preflightEdit.lowercased().contains("access-control-allow-origin"), "\(preflightEdit.prefix(500))")
        let edit = try await curl(["-X", "DELETE", "-H", "Origin: https://any.example", server.base + "/v1/partners/api-001"])
        #expect(!edit.lowercased().contains("access-control-allow-origin"), "\(edit.prefix(500))")
    }

    /// Methods the API does not have (PROPFIND; made-up names never pass the HTTP parser) are 405, counted as "other".
    @Test func madeUpMethodsDoNotMakeMetricLabels() async throws {
        let server = try await TestServer.shared.value
        let answer = try await curl(["-X", "PROPFIND", server.base + "/v1/layers"])
        #expect(answer.hasPrefix("HTTP/1.1 405"), "\(answer.prefix(200))")
        let metrics = try await server.get("/metrics").text
        #expect(!metrics.contains("PROPFIND") && metrics.contains("method=\"other\",status=\"405\""), "\(metrics.prefix(1500))")
    }

    @Test func answersCarryTheSecurityHeaders() async throws {
        let server = try await TestServer.shared.value
        let layers = try await curl([server.base + "/v1/layers"]).lowercased()
        #expect(layers.contains("x-content-type-options: nosniff"))
        let map = try await curl([server.base + "/map"]).lowercased()
        #expect(map.contains("content-security-policy: default-src 'self'"), "\(map.prefix(600))")
        let withEmail = try await curl(["-H", "Authorization: Bearer \(TestServer.token)", server.base + "/v1/partners/api-001"])
        #expect(withEmail.lowercased().contains("cache-control: private, no-store"), "\(withEmail.prefix(600))")
    }

    /// A 500 tells the client an id, not the server's paths or GDAL's words (those go to the log under the id).
    @Test func internalErrorsDoNotLeakPaths() async throws {
        let output = (DemoFixture.run.directory as NSString).deletingLastPathComponent
        let server = try await TestServer(configuration: try TestServer.configuration(output: output))
        // The download cache cannot be made: a file stands where its folder should be.
        try? FileManager.default.removeItem(atPath: server.options.cacheDirectory)
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: server.options.cacheDirectory))
        let answer = try await server.get("/v1/download?layer=loss_score&bbox=5,40,6,41")
        #expect(answer.status == 500)
        let detail = answer.json["detail"] as? String ?? ""
        #expect(!detail.contains("/") && detail.contains("request"), "\(detail)")
        let id = try #require(answer.header("X-Request-Id"))
        #expect(detail.hasSuffix(id))
    }

    /// /health says "degraded" (503) when a served raster can no longer be read, so a balancer drops the replica.
    @Test func healthIsDegradedWhenARasterIsGone() async throws {
        let folder = TemporaryFolder()
        let output = folder.file("derived"), runID = DemoFixture.run.runID
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: DemoFixture.run.directory, toPath: output + "/" + runID)
        try FileManager.default.createSymbolicLink(atPath: output + "/latest", withDestinationPath: runID)
        let server = try await TestServer(configuration: try TestServer.configuration(output: output))
        let healthy = try await server.get("/health")
        #expect(healthy.status == 200 && healthy.json["status"] as? String == "ok", "\(healthy.text)")
        try FileManager.default.removeItem(atPath: output + "/" + runID + "/loss_score.tif")
        let degraded = try await server.get("/health")
        #expect(degraded.status == 503 && degraded.json["status"] as? String == "degraded", "\(degraded.text)")
        #expect(degraded.json["unreadable"] as? [String] == ["loss_score"])
    }
}

/// Malformed framing (#14, item 6): a bad chunk size, or a body shorter than its Content-Length followed by a
/// half-close, is a 400 problem, never a 500.
@Suite struct MalformedBodyTests {
    func raw(_ port: Int, _ request: String, halfClose: Bool) async throws -> String {
        let script = """
            import socket, sys
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
            s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
            if sys.argv[3] == "1":
                s.shutdown(socket.SHUT_WR)
            data = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except socket.timeout:
                pass
            print(data.decode("latin-1"))
            """
        return try await runToolDetached("/usr/bin/python3", ["-c", script, "\(port)", request, halfClose ? "1" : "0"],
                                         timeout: 30).out
    }

    @Test(arguments: [
        ("a bad chunk size", #"POST /v1/score HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n"#, false),
        ("a chunk longer than said", #"POST /v1/score HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"points\": []}\r\n0\r\n\r\n"#, false),
        ("a short body then a half-close", #"POST /v1/score HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"points\": "#, true),
        ("a chunked body cut off by a half-close", #"POST /v1/score HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n{\"points\": "#, true),
    ])
    func malformedBodiesAre400(_ name: String, _ request: String, _ halfClose: Bool) async throws {
        let server = try await TestServer.shared.value
        let answer = try await raw(server.port, request, halfClose: halfClose)
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(name): \(answer.prefix(400))")
        #expect(answer.contains("application/problem+json"), "\(name): \(answer.prefix(400))")
    }
}
