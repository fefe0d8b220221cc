import Foundation
import Synchronization

/// A port nothing listens on now (the kernel's choice for port 0).
public func freePort() throws -> Int {
    let result = try runTool("/usr/bin/python3", ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
    return Int(result.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
}

/// A real PostgreSQL 15 with PostGIS 3 (Debian's `postgresql-15-postgis-3`, installed by `make test`) for the test
/// process: `initdb` in a temporary folder, the server on a loopback port, one database per test made from a
/// PostGIS template. A watcher shell stops the server and removes the folder when the test process ends, however it
/// ends. PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user.
public final class PostgresServer: Sendable {
    public let port: Int
    public let folder: String
    public static let bin = "/usr/lib/postgresql/15/bin"
    public static let user = "hotspot"

    private static let started = Mutex<Result<PostgresServer, any Error>?>(nil)

    /// The server of this test process, started on first use.
    public static func shared() throws -> PostgresServer {
        try started.withLock { state in
            if state == nil { state = Result { try PostgresServer() } }
            return try state!.get()
        }
    }

    private init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.bin + "/postgres") else {
            throw TestFailure("PostgreSQL 15 is not installed: `make test` installs postgresql-15-postgis-3")
        }
        port = try freePort()
        folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("hotspot-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        let run = asRoot ? "runuser -u postgres -- " : ""
        if asRoot { try runTool("chown", ["postgres", folder]) }
        let initdb = try runTool("/bin/sh", ["-c", "\(run)\(Self.bin)/initdb -D \(folder)/data -A trust -U \(Self.user) --no-sync -E UTF8 --locale=C.UTF-8"])
        guard initdb.status == 0 else { throw TestFailure("initdb failed: \(initdb.err)") }
        // The watcher: PostgreSQL in the foreground of a shell that stops it (fast shutdown) when this process is gone.
        let server = "\(run)\(Self.bin)/postgres -D \(folder)/data -p \(port) -k \(folder) -c listen_addresses=127.0.0.1 "
            + "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        let watcher = "\(server) >\(folder)/server.log 2>&1 & pg=$!; "
            + "while kill -0 \(getpid()) 2>/dev/null && kill -0 $pg 2>/dev/null; do sleep 0.5; done; "
            + "\(run)\(Self.bin)/pg_ctl -D \(folder)/data -m immediate stop >/dev/null 2>&1; wait $pg; rm -rf \(folder)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", watcher]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<300 {
            if try runTool(Self.bin + "/pg_isready", ["-h", "127.0.0.1", "-p", "\(port)", "-q"]).status == 0 {
                try psql("postgres", "CREATE DATABASE hotspot_template")
                try psql("hotspot_template", "CREATE EXTENSION postgis")
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
        throw TestFailure("PostgreSQL did not start within 30 s: \(log.suffix(500))")
    }

    /// A new, empty database with PostGIS; its OGR connection string.
    public func createDatabase() throws -> (name: String, connection: String) {
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "_")
        try psql("postgres", "CREATE DATABASE \(name) TEMPLATE hotspot_template")
        return (name, connection(name))
    }

    public func connection(_ database: String) -> String {
        "PG:host=127.0.0.1 port=\(port) user=\(Self.user) dbname=\(database)"
    }

    /// Runs SQL with psql; its unaligned, tuples-only output.
    @discardableResult
    public func psql(_ database: String, _ sql: String) throws -> String {
        let result = try runTool(Self.bin + "/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", Self.user, "-d", database,
                                                      "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
        guard result.status == 0 else { throw TestFailure("psql \(database): \(sql.prefix(80)): \(result.err)") }
        return result.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A test set-up that could not be made, said plainly.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
