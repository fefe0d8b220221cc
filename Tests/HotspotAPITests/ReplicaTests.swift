import Foundation
import Testing
import TestSupport

/// Debian's nginx running `deploy/nginx/hotspot.conf` itself, with this test's ports and folders put in: in the
/// foreground (`daemon off`) as a child of the test, its logs and cache in a temporary folder.
final class NginxProxy: Sendable {
    let port: Int
    let folder: TemporaryFolder
    private let process: Process

    var base: String { "http://127.0.0.1:\(port)" }

    init(replicas: [Int]) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") else {
            throw TestFailure("nginx is not installed: `make test` installs it")
        }
        let folder = TemporaryFolder("hotspot-nginx")
        self.folder = folder
        port = try freePort()
        var text = try String(contentsOfFile: repositoryRoot + "/deploy/nginx/hotspot.conf", encoding: .utf8)
        // Each replacement must find its text: a changed deploy file fails here, not silently untested.
        let replacements = [
            ("server 127.0.0.1:8081", "server 127.0.0.1:\(replicas[0])"),
            ("server 127.0.0.1:8082", "server 127.0.0.1:\(replicas[1])"),
            ("listen 127.0.0.1:8080", "listen 127.0.0.1:\(port)"),
            ("/var/log/nginx/hotspot", folder.file("hotspot")),
            ("/var/cache/nginx/hotspot", folder.file("cache")),
            // Workers run as nobody when nginx starts as root: their temporary files go where they may write.
            ("http {", "http {\n    client_body_temp_path \(folder.file("body"));\n    proxy_temp_path \(folder.file("proxy"));\n"
                + "    fastcgi_temp_path \(folder.file("fastcgi"));\n    uwsgi_temp_path \(folder.file("uwsgi"));\n"
                + "    scgi_temp_path \(folder.file("scgi"));"),
        ]
        for (old, new) in replacements {
            guard text.contains(old) else { throw TestFailure("deploy/nginx/hotspot.conf no longer has '\(old)'") }
            text = text.replacingOccurrences(of: old, with: new)
        }
        text = "pid \(folder.file("nginx.pid"));\n" + text
        try text.write(toFile: folder.file("hotspot.conf"), atomically: true, encoding: .utf8)
        chmod(folder.path, 0o777)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", folder.path, "-e", folder.file("startup.log"), "-c", folder.file("hotspot.conf"),
                             "-g", "daemon off;"]
        // Output to a file: a pipe nobody reads would fill, and one inherited by the workers would never close.
        FileManager.default.createFile(atPath: folder.file("nginx.out"), contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: folder.file("nginx.out"))
        process.standardError = FileHandle(forWritingAtPath: folder.file("nginx.out"))
        try process.run()
        self.process = process
        for _ in 0..<100 {
            let probe = try await runToolDetached("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/health"], timeout: 10)
            if probe.out == "200" { return }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = (try? String(contentsOfFile: folder.file("startup.log"), encoding: .utf8)) ?? ""
        kill(process.processIdentifier, SIGQUIT)
        throw TestFailure("nginx did not answer within 10 s: \(log.suffix(800))")
    }

    deinit {
        // SIGQUIT: a graceful stop of the master and its workers.
        kill(process.processIdentifier, SIGQUIT)
        process.waitUntilExit()
    }
}

/// Issue 17's promise, shown with real servers: two `hotspot serve` replicas on one PostgreSQL + PostGIS partner
/// directory behind nginx running the deployed configuration (`replicas_load.py` drives them and reports).
@Suite(.serialized) struct ReplicaTests {
    /// The refresh delay the README documents (a replica polls the store's change mark every second).
    static let documentedDelay = 2.0

    @Test func twoReplicasBehindNginxShareOneDirectory() async throws {
        let postgres = try PostgresServer.shared()
        let database = try postgres.createDatabase()
        let token = "replica-token-\(UUID().uuidString)"
        let environment = ["HOTSPOT_ADMIN_TOKEN": token]
        let a = try await ServeProcess(environment: environment, partners: testPartners, partnerStore: database.connection)
        let b = try await ServeProcess(environment: environment, partnerStore: database.connection)
        let proxy = try await NginxProxy(replicas: [a.port, b.port])
        let script = repositoryRoot + "/Tests/HotspotAPITests/replicas_load.py"
        let run = try await runToolDetached("/usr/bin/python3", [script, proxy.base, a.base, b.base, "\(b.processIdentifier)",
                                                                  token, "\(Self.documentedDelay)"], timeout: 300)
        let report = try #require((try? JSONSerialization.jsonObject(with: Data(run.out.utf8))) as? [String: Any],
                                  "\(run.out) \(run.err.suffix(3000))")
        print("replicas: \(report)")

        // 100 concurrent edits through nginx, spread over both replicas, all kept: counted in PostgreSQL.
        #expect(report["create_statuses"] as? [String: Int] == ["201": 100], "\(report)")
        let upstreams = report["create_upstreams"] as? [String: Int] ?? [:]
        #expect(upstreams.count == 2 && upstreams.values.allSatisfy { $0 > 0 }, "\(upstreams)")
        // rep-099 was deleted by the driver with a fresh If-Match.
        #expect(try postgres.psql(database.name, "SELECT count(*) FROM partners WHERE id LIKE 'rep-%'") == "99")
        #expect(try postgres.psql(database.name, "SELECT count(*) FROM partners") == "\(testPartners.count + 99)")

        // Both replicas answer the same listing within the documented delay.
        let converged = try #require(report["converged_s"] as? Double, "the replicas never agreed: \(report)")
        #expect(converged <= Self.documentedDelay, "\(converged) s")
        #expect(report["listed"] as? Int == testPartners.count + 100)

        // A stale If-Match is 412 on the other replica, even before that replica has refreshed.
        let ifMatch = report["if_match"] as? [String: Any] ?? [:]
        #expect(ifMatch["put_fresh"] as? Int == 200 && ifMatch["tag_changed"] as? Bool == true, "\(ifMatch)")
        #expect(ifMatch["put_stale"] as? Int == 412 && ifMatch["delete_stale"] as? Int == 412, "\(ifMatch)")
        #expect(ifMatch["stale_type"] as? String == "application/problem+json", "\(ifMatch)")
        #expect(ifMatch["delete_fresh"] as? Int == 204, "\(ifMatch)")
        #expect(report["renamed_on_b"] as? String == "Renamed on A")
        #expect(try postgres.psql(database.name, "SELECT name FROM partners WHERE id = 'rep-000'") == "Renamed on A")

        // Tiles addressed by run id are cached by nginx; those that follow the served run are not.
        #expect(report["tile_cache"] as? [String] == ["MISS", "HIT", "BYPASS"], "\(report)")

        // Replica B killed mid-load: nothing fails beyond what was in flight on it (one request per client at most),
        // and after half a second every answer comes from A.
        let load = report["load"] as? [String: Any] ?? [:]
        let clients = load["clients"] as? Int ?? 0
        #expect((load["ok_before_kill"] as? Int ?? 0) > 20, "\(load)")
        #expect((load["failed"] as? Int ?? .max) <= clients, "\(load)")
        #expect(load["failed_after_kill"] as? Int == 0, "\(load)")
        let after = load["upstreams_after_kill"] as? [String: Int] ?? [:]
        // A request resent from B to A names both ("B, A"): it was answered by the last.
        #expect(!after.isEmpty && after.keys.allSatisfy { $0.hasSuffix("127.0.0.1:\(a.port)") }, "\(after)")

        // No private e-mail in any public answer seen.
        // Every listing of the convergence loop and one load answer in ten (fewer on a loaded machine).
        #expect((report["public_answers"] as? Int ?? 0) > 30, "\(report)")
        #expect(report["private_leaks"] as? Int == 0, "\(report)")
    }
}
