import Foundation
import Pipeline
import TestSupport
import Testing

/// The STAC 1.1 catalogue of runs (#16): every document validates against the STAC 1.1.0 JSON schemas shipped as
/// fixtures (core, projection 2.0, raster 1.1, file 2.1; offline), `pystac` walks it from the root, and every asset's
/// `file:checksum` is the SHA-256 of the bytes its href serves.
@Suite struct StacCatalogTests {
    static let validator = repositoryRoot + "/Tests/Fixtures/stac-schemas/validate.py"
    static let python = repositoryRoot + "/.build/venv/bin/python"

    /// Runs the offline validator on documents; exit 0 means all valid.
    static func validate(_ documents: [String: Data]) async throws -> (status: Int32, out: String) {
        let folder = TemporaryFolder()
        var paths: [String] = []
        for (name, data) in documents {
            try data.write(to: URL(fileURLWithPath: folder.file(name + ".json")))
            paths.append(folder.file(name + ".json"))
        }
        let result = try await runToolDetached(python, [validator] + paths.sorted(), timeout: 120)
        return (result.status, result.out + result.err)
    }

    @Test func theValidatorRejectsWhatIsNotSTAC() async throws {
        // The check below can fail: its own samples pass and fail as listed, and a broken Item is refused.
        let selfTest = try await runToolDetached(Self.python, [Self.validator, "--self-test"], timeout: 120)
        #expect(selfTest.status == 0, "\(selfTest.out) \(selfTest.err)")
        let server = try await TestServer.shared.value
        var item = try await server.get("/stac/collections/runs/items/\(DemoFixture.run.runID)").json
        var properties = item["properties"] as? [String: Any] ?? [:]
        properties["proj:shape"] = ["rows"]
        item["properties"] = properties
        let broken = try await Self.validate(["broken": JSONSerialization.data(withJSONObject: item)])
        #expect(broken.status == 1, "\(broken.out)")
    }

    @Test func everyDocumentValidatesAgainstTheSTACSchemas() async throws {
        let server = try await TestServer.shared.value
        let runID = DemoFixture.run.runID
        var documents: [String: Data] = [:]
        for (name, path) in [("catalog", "/stac"), ("collection", "/stac/collections/runs"),
                             ("items", "/stac/collections/runs/items"), ("item", "/stac/collections/runs/items/\(runID)"),
                             ("search", "/stac/search?bbox=-10,35,30,60&datetime=2000-01-01T00:00:00Z/.."),
                             ("download", "/v1/download/stac?layer=loss_score&bbox=-10,35,30,60")] {
            let answer = try await server.get(path)
            #expect(answer.status == 200, "\(path): \(answer.text.prefix(300))")
            documents[name] = answer.body
        }
        let result = try await Self.validate(documents)
        #expect(result.status == 0, "\(result.out)")
        #expect(result.out.components(separatedBy: ": valid").count - 1 == documents.count, "\(result.out)")
        // The Item: the run's every COG, both polygon files, its styles and run.json, with the three extensions.
        let item = try JSONSerialization.jsonObject(with: documents["item"]!) as? [String: Any] ?? [:]
        let assets = item["assets"] as? [String: [String: Any]] ?? [:]
        for name in ["sequestration_rate_low", "sequestration_rate_medium", "sequestration_rate_high", "sequestration_score",
                     "loss_expected", "loss_score", "hotspot_class", "hotspots_gpkg", "hotspots_fgb", "run",
                     "style_loss_score"] {
            #expect(assets[name] != nil, "the Item lacks \(name): \(assets.keys.sorted())")
        }
        let properties = item["properties"] as? [String: Any] ?? [:]
        #expect(properties["proj:code"] as? String == "EPSG:4326" && properties["proj:shape"] as? [Int] == [288, 720],
                "\(properties)")
        #expect(properties["datetime"] as? String == DemoFixture.run.record.createdAt)
        // A download's Item links back to its run's Item.
        let download = try JSONSerialization.jsonObject(with: documents["download"]!) as? [String: Any] ?? [:]
        let derived = (download["links"] as? [[String: Any]] ?? []).first { $0["rel"] as? String == "derived_from" }
        #expect(derived?["href"] as? String == server.base + "/stac/collections/runs/items/\(runID)")
        #expect(download["stac_version"] as? String == "1.1.0")
    }

    @Test func pystacWalksTheCatalogueAndTheChecksumsAreTheServedBytes() async throws {
        let server = try await TestServer.shared.value
        let walk = try await runToolDetached(Self.python, [repositoryRoot + "/Tests/HotspotAPITests/stac_walk.py",
                                                           server.base + "/stac"], timeout: 120)
        #expect(walk.status == 0, "\(walk.err)")
        let found = try JSONSerialization.jsonObject(with: Data(walk.out.utf8)) as? [String: Any] ?? [:]
        #expect(found["id"] as? String == "soil-carbon-hotspots")
        #expect((found["children"] as? [[String: Any]])?.map { $0["id"] as? String } == ["runs"])
        let items = found["items"] as? [[String: Any]] ?? []
        #expect(items.map { $0["id"] as? String } == [DemoFixture.run.runID], "\(items.map { $0["id"] ?? "" })")
        let assets = items.first?["assets"] as? [String: [String: Any]] ?? [:]
        #expect(assets.count >= 11)
        for (name, asset) in assets {
            let href = try #require(asset["href"] as? String)
            #expect(href.hasPrefix(server.base + "/v1/runs/"), "\(name): \(href)")
            let answer = try await server.get(String(href.dropFirst(server.base.count)))
            #expect(answer.status == 200, "\(name): \(answer.status)")
            let sum = Checksum.hex(of: answer.body)
            #expect(asset["checksum"] as? String == "1220" + sum, "\(name): the checksum is not the served bytes'")
            #expect(asset["size"] as? Int == answer.body.count, "\(name): size")
        }
        // Ranges on a COG, as /vsicurl/ reads it.
        let cog = try #require(assets["loss_score"]?["href"] as? String)
        let info = try await runToolDetached("gdalinfo", ["/vsicurl/" + cog], timeout: 60)
        #expect(info.status == 0 && info.out.contains("LAYOUT=COG"), "\(info.err)")
    }

    @Test func searchSelectsByBboxAndDatetimeAndRefusesBadParameters() async throws {
        let server = try await TestServer.shared.value
        let created = DemoFixture.run.record.createdAt
        func count(_ query: String) async throws -> Int? {
            let answer = try await server.get("/stac/search?" + query)
            #expect(answer.status == 200, "\(query): \(answer.text.prefix(200))")
            return answer.json["numberMatched"] as? Int
        }
        #expect(try await count("bbox=-10,35,30,60") == 1)
        #expect(try await count("bbox=-10,-89,10,-70") == 0, "south of the grid")
        #expect(try await count("datetime=\(created)") == 1)
        #expect(try await count("datetime=2000-01-01T00:00:00Z/2001-01-01T00:00:00Z") == 0)
        #expect(try await count("datetime=../2001-01-01T00:00:00Z") == 0)
        #expect(try await count("ids=\(DemoFixture.run.runID)&collections=runs") == 1)
        #expect(try await count("collections=other") == 0)
        for bad in ["bbox=1,2,3", "datetime=yesterday", "limit=0", "colour=red"] {
            let answer = try await server.get("/stac/search?" + bad)
            #expect(answer.status == 400 && answer.header("Content-Type") == "application/problem+json", "\(bad)")
        }
        #expect(try await server.get("/stac/collections/other").status == 404)
        #expect(try await server.get("/stac/collections/runs/items/nope").status == 404)
        #expect(try await server.get("/v1/runs/latest/files/../../etc/passwd").status == 404)
        #expect(try await server.get("/v1/runs/latest/files/plan.json").status == 404)
        // Ranges on the binary files (as /vsicurl/ reads them), the JSON records whole.
        let whole = try Data(contentsOf: URL(fileURLWithPath: DemoFixture.run.directory + "/hotspots.fgb"))
        let part = try await server.get("/v1/runs/latest/files/hotspots.fgb", headers: ["Range": "bytes=8-107"])
        #expect(part.status == 206 && part.body == whole.subdata(in: 8..<108), "\(part.status)")
        #expect(part.header("Content-Type") == "application/vnd.flatgeobuf")
        let past = try await server.get("/v1/runs/latest/files/hotspots.fgb", headers: ["Range": "bytes=\(whole.count + 10)-"])
        #expect(past.status == 416 && past.header("Content-Range") == "bytes */\(whole.count)")
        let record = try await server.get("/v1/runs/\(DemoFixture.run.runID)/files/run.json", headers: ["Range": "bytes=0-9"])
        #expect(record.status == 200 && record.json["run_id"] as? String == DemoFixture.run.runID)
        #expect(record.header("Cache-Control")?.contains("immutable") == true, "a run's own files never change")
    }
}
