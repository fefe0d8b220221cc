import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HotspotAPI
import Pipeline
import TestSupport
import Testing

/// moto's S3 server (PyPI `moto[server]`, installed by `make test` into .build/venv) on a loopback port, and the GDAL
/// configuration that sends `/vsis3/` there.
final class MotoServer: Sendable {
    let port: Int
    private let process: Process

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// What a hotspot process needs in its environment to reach the bucket through GDAL's `/vsis3/`.
    var gdalEnvironment: [String: String] {
        ["AWS_S3_ENDPOINT": "127.0.0.1:\(port)", "AWS_HTTPS": "NO", "AWS_VIRTUAL_HOSTING": "FALSE",
         "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
         "CPL_VSIL_USE_TEMP_FILE_FOR_RANDOM_WRITE": "YES"]
    }

    init(log: String) async throws {
        port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: repositoryRoot + "/.build/venv/bin/moto_server")
        process.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
        // Its request log goes to a file: a pipe nobody reads would fill and stop the server.
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        self.process = process
        for _ in 0..<300 {
            let probe = try await runToolDetached("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", endpoint + "/"], timeout: 10)
            if probe.out == "200" { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw Problem(.internalServerError, "moto_server did not answer within 30 s")
    }

    /// A plain S3 call, signed as GDAL signs (objects are private to their writer): PUT of a bucket or of a file's
    /// bytes, GET of an object.
    func curl(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        try await runToolDetached("curl", ["-s", "-f", "-S", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", "test:test"]
                                  + arguments, timeout: 60)
    }

    deinit {
        // SIGKILL: werkzeug's server outlives a SIGTERM here, and waitUntilExit would spin on it forever.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// One run with its layers read from and its outputs written to an S3-compatible store (moto on loopback) through
/// GDAL's /vsis3/, sharded in three, then served read-only from there.
@Suite(.serialized) struct ObjectStoreRunTests {
    static func hotspot(_ arguments: [String], environment: [String: String]) async throws {
        let env = environment.map { "\($0.key)=\($0.value)" }
        let result = try await runToolDetached("env", env + [DemoFixture.hotspotBinary] + arguments, timeout: 600)
        try #require(result.status == 0, "hotspot \(arguments.joined(separator: " ")): \(result.err)")
    }

    @Test func aShardedRunOnS3EqualsThePlainRunAndIsServedFromThere() async throws {
        let plain = DemoFixture.run
        let folder = TemporaryFolder("hotspot-s3")
        let s3 = try await MotoServer(log: folder.file("moto.log"))
        let env = s3.gdalEnvironment
        try #require(try await s3.curl(["-X", "PUT", s3.endpoint + "/hotspot"]).status == 0)
        let layers = try FileManager.default.contentsOfDirectory(atPath: DemoFixture.directory).filter { $0.hasSuffix(".tif") }
        for name in layers {
            let put = try await s3.curl(["-T", DemoFixture.path(name), s3.endpoint + "/hotspot/inputs/" + name])
            try #require(put.status == 0, "upload of \(name): \(put.err)")
        }
        let text = try DemoFixture.configText(output: "/vsis3/hotspot/runs")
            .replacingOccurrences(of: DemoFixture.directory + "/", with: "/vsis3/hotspot/inputs/")
        #expect(text.components(separatedBy: "/vsis3/hotspot/inputs/").count > 4, "the layers come from the bucket")
        try text.write(toFile: folder.file("s3.yaml"), atomically: true, encoding: .utf8)

        let run = "/vsis3/hotspot/runs/global"
        try await Self.hotspot(["run", "plan", "--config", folder.file("s3.yaml"), "--run-dir", run, "--shards", "3"], environment: env)
        for phase in ["score", "classify"] {
            for i in 0..<3 { try await Self.hotspot(["run", phase, "--run-dir", run, "--shard", "\(i)"], environment: env) }
            if phase == "score" { try await Self.hotspot(["run", "rank", "--run-dir", run], environment: env) }
        }
        try await Self.hotspot(["run", "publish", "--run-dir", run, "--assemble"], environment: env)

        // The unsharded run of the same configuration (inputs from the bucket, outputs on disk: `--out` keeps the
        // configuration, hence the provenance in the COGs' metadata, the same).
        try await Self.hotspot(["run", "--config", folder.file("s3.yaml"), "--out", folder.file("plain")], environment: env)
        // Read back over plain HTTP, not through this process's GDAL: the objects themselves.
        for layer in OutputLayer.allCases {
            let local = folder.file(layer.fileName)
            let get = try await s3.curl(["-o", local, s3.endpoint + "/hotspot/runs/global/" + layer.fileName])
            try #require(get.status == 0, "\(layer.fileName) is not in the bucket: \(get.err)")
            #expect(try Checksum.file(local) == Checksum.file(folder.file("plain/latest/" + layer.fileName)),
                    "\(layer.rawValue) of the sharded run on S3 differs from the unsharded run's")
            // And layers read through /vsis3/ are the files on disk: the pixels of the run over the local inputs.
            let mine = try RasterArray(path: local), reference = try RasterArray(path: plain.directory + "/" + layer.fileName)
            #expect(mine.grid == reference.grid)
            #expect(mine.values.elementsEqual(reference.values) { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(layer.rawValue) pixels")
        }
        let latest = try await s3.curl([s3.endpoint + "/hotspot/runs/latest"])
        #expect(latest.out == "global\n", "latest is a pointer object naming the run: '\(latest.out)'")
        let record = try await s3.curl([s3.endpoint + "/hotspot/runs/global/run.json"])
        let json = try JSONSerialization.jsonObject(with: Data(record.out.utf8)) as? [String: Any]
        #expect((json?["shards"] as? [Any])?.count == 3)
        #expect((json?["inputs"] as? [[String: Any]])?.allSatisfy { ($0["path"] as? String)?.hasPrefix("/vsis3/") == true } == true)

        // The server reads the run from the bucket (output.dir is the /vsis3/ prefix) and answers as GDAL reads it.
        let server = try await ServeProcess(environment: env) { config in
            config.replacingOccurrences(of: "dir: " + (DemoFixture.run.directory as NSString).deletingLastPathComponent,
                                        with: "dir: /vsis3/hotspot/runs")
        }
        let runs = try await TestServer.session.data(from: URL(string: server.base + "/v1/layers")!)
        let served = try JSONSerialization.jsonObject(with: runs.0) as? [String: Any]
        #expect(served?["run_id"] as? String == json?["run_id"] as? String, "the bucket's run is served: \(String(decoding: runs.0, as: UTF8.self))")
        for (lon, lat) in try samplePoints(count: 12) {
            let (data, _) = try await TestServer.session.data(from: URL(string: server.base + "/v1/score?lon=\(lon)&lat=\(lat)")!)
            let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            let code = (answer?["class"] as? [String: Any])?["code"] as? NSNumber
            let gdal = try gdalLocationValue(folder.file(OutputLayer.hotspotClass.fileName), lon: lon, lat: lat)
            #expect(code?.doubleValue == (gdal == OutputLayer.hotspotClass.noData ? nil : gdal), "class at \(lon), \(lat): \(String(decoding: data, as: UTF8.self))")
            let score = (answer?["sequestration"] as? [String: Any])?["score"] as? NSNumber
            let expected = try gdalLocationValue(folder.file(OutputLayer.sequestrationScore.fileName), lon: lon, lat: lat)
            if let expected, expected != OutputLayer.sequestrationScore.noData {
                #expect(abs((score?.doubleValue ?? .nan) - expected) <= 1e-6 * max(1, abs(expected)), "score at \(lon), \(lat)")
            }
        }
        // The hotspot polygons were uploaded beside the COGs and are served from the bucket's GeoPackage; the run's
        // STAC Item names its files by their s3:// URLs (the service does not proxy a store's files).
        let polygons = json?["hotspot_polygons"] as? [String: Any]
        let (page, _) = try await TestServer.session.data(from: URL(string: server.base + "/collections/hotspots/items")!)
        let hotspots = try JSONSerialization.jsonObject(with: page) as? [String: Any]
        #expect(hotspots?["numberMatched"] as? Int == polygons?["features"] as? Int && (polygons?["features"] as? Int ?? 0) > 0,
                "\(String(decoding: page.prefix(300), as: UTF8.self))")
        let (itemData, _) = try await TestServer.session.data(from: URL(string: server.base + "/stac/collections/runs/items/global")!)
        let item = try JSONSerialization.jsonObject(with: itemData) as? [String: Any]
        let hrefs = ((item?["assets"] as? [String: [String: Any]]) ?? [:]).values.compactMap { $0["href"] as? String }
        #expect(hrefs.count >= 11 && hrefs.allSatisfy { $0.hasPrefix("s3://hotspot/runs/global/") }, "\(hrefs)")
    }
}
