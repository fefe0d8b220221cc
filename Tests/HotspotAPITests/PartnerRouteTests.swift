import Foundation
import GeoKit
import Partners
import TestSupport
import Testing

@Suite struct PartnerRouteTests {
    /// A listing comes in pages (OGC API Features' limit, offset, numberMatched, numberReturned and a next link):
    /// following the links gives every partner of the full listing once, in the same order.
    @Test func listingsArePagedWithNextLinks() async throws {
        let server = try await TestServer.shared.value
        let all = try await server.get("/v1/partners").json
        let ids = ((all["features"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids.count == testPartners.count && all["number_matched"] as? Int == ids.count)
        #expect(all["number_returned"] as? Int == ids.count && all["links"] == nil, "one page: no next link")
        var seen: [String] = [], next: String? = "/v1/partners?limit=7", pages = 0
        while let path = next {
            let page = try await server.get(path).json
            let features = (page["features"] as? [[String: Any]]) ?? []
            #expect(page["number_matched"] as? Int == ids.count && page["number_returned"] as? Int == features.count)
            #expect(features.count <= 7)
            seen += features.compactMap { $0["id"] as? String }
            next = ((page["links"] as? [[String: Any]])?.first { $0["rel"] as? String == "next" })?["href"] as? String
            pages += 1
            if pages > 20 { break }
        }
        #expect(seen == ids, "the pages are the listing")
        #expect(pages == (ids.count + 6) / 7)
        let filtered = try await server.get("/v1/partners?type=ngo&limit=2").json
        let link = ((filtered["links"] as? [[String: Any]])?.first)?["href"] as? String
        if (filtered["number_matched"] as? Int ?? 0) > 2 { #expect(link?.contains("type=ngo") == true, "\(link ?? "")") }
    }

    var bearer: [String: String] { ["Authorization": "Bearer \(TestServer.token)"] }

    @Test func listingsArePublicGeoJSONAndFilter() async throws {
        let server = try await TestServer.shared.value
        let all = try await server.get("/v1/partners")
        #expect(all.status == 200 && all.header("Content-Type") == "application/geo+json")
        #expect(!all.text.contains("private.example.org"), "no private e-mail in public answers")
        let features = try #require(all.json["features"] as? [[String: Any]])
        #expect(features.count >= testPartners.count)
        let kenya = try await server.get("/v1/partners?country=KE&type=ngo").json["features"] as! [[String: Any]]
        #expect(kenya.allSatisfy { ($0["properties"] as! [String: Any])["country"] as? String == "KE" })
        let across = try await server.get("/v1/partners?bbox=179,-20,-179,-15").json["features"] as! [[String: Any]]
        #expect(Set(across.compactMap { ($0["properties"] as! [String: Any])["id"] as? String }).isSuperset(of: ["fiji-east", "fiji-west"]))
        let text = try await server.get("/v1/partners?q=SOLS%2012").json["features"] as! [[String: Any]]
        #expect(text.contains { ($0["properties"] as! [String: Any])["id"] as? String == "api-012" })
        // With the token, the e-mail is there.
        let one = try await server.get("/v1/partners/api-003", headers: bearer).json
        #expect((one["properties"] as? [String: Any])?["email"] as? String == "secret3@private.example.org")
        let publicOne = try await server.get("/v1/partners/api-003").json
        #expect((publicOne["properties"] as? [String: Any])?["name"] != nil)
        #expect((publicOne["properties"] as? [String: Any])?["email"] == nil)
        #expect(try await server.get("/v1/partners/api-003", headers: ["Authorization": "Bearer wrong"]).text.contains("@private") == false)
    }

    /// Route distances equal the independent oracle to 1 m; the antimeridian is no barrier.
    @Test func neighboursMatchAnIndependentGeodesic() async throws {
        let server = try await TestServer.shared.value
        for id in ["api-000", "api-017", "fiji-east"] {
            let answer = try await server.get("/v1/partners/\(id)/neighbours?radius_km=4000&limit=50")
            #expect(answer.status == 200)
            let features = try #require(answer.json["features"] as? [[String: Any]])
            let origin = testPartners.first { $0.id == id }!
            var pairs: [(Double, Double, Double, Double)] = [], ours: [Double] = []
            for feature in features {
                let xy = (feature["geometry"] as! [String: Any])["coordinates"] as! [Double]
                pairs.append((origin.lon, origin.lat, xy[0], xy[1]))
                ours.append(((feature["properties"] as! [String: Any])["distance_km"] as! Double) * 1000)
            }
            #expect(ours == ours.sorted())
            if !pairs.isEmpty {
                let oracle = try oracleDistances(pairs)
                #expect(zip(ours, oracle).allSatisfy { abs($0 - $1) < 1 }, "\(id)")
            }
            if id == "fiji-east" {
                #expect((features.first?["properties"] as? [String: Any])?["id"] as? String == "fiji-west")
            }
        }
    }

    @Test func nearHotspotsAnswersPartnersWithScoresAndGaps() async throws {
        let server = try await TestServer.shared.value
        let answer = try await server.get("/v1/partners/near-hotspots?class=loss&radius_km=200")
        #expect(answer.status == 200, "\(answer.text.prefix(300))")
        let json = answer.json
        let expected = try HotspotCoverage(classRaster: DemoFixture.run.directory + "/hotspot_class.tif", codes: [2, 3],
                                           partners: testPartners, radiusKm: 200)
        let near = try #require((json["partners"] as? [String: Any])?["features"] as? [[String: Any]])
        #expect(near.compactMap { ($0["properties"] as! [String: Any])["id"] as? String } == expected.nearPartners.map(\.partner.id))
        #expect(abs((json["unsupported_area_km2"] as! Double) - expected.unsupportedAreaKm2) < 1e-6 * expected.unsupportedAreaKm2)
        #expect(!answer.text.contains("private.example.org"))
        for feature in near.prefix(5) {
            let properties = feature["properties"] as! [String: Any]
            let xy = (feature["geometry"] as! [String: Any])["coordinates"] as! [Double]
            let gdal = try gdalLocationValue(DemoFixture.run.directory + "/loss_score.tif", lon: xy[0], lat: xy[1])
            if let score = properties["loss_score"] as? Double, let gdal { #expect(abs(score - gdal) < 1e-4) }
        }
        #expect(try await server.get("/v1/partners/near-hotspots?class=everything").status == 400)
        #expect(try await server.get("/v1/partners/near-hotspots?radius_km=5000").status == 400)
    }

    @Test func editsNeedTheTokenAndValidBodies() async throws {
        let server = try await TestServer.editing.value
        let body = try JSONSerialization.data(withJSONObject: [
            "id": "edit-1", "name": "Edited", "type": "company", "country": "DE", "lon": 13.4, "lat": 52.5,
            "themes": ["finance"], "email": "boss@private.example.org"])
        let json = ["Content-Type": "application/json"]
        #expect(try await server.request("/v1/partners", method: "POST", headers: json, body: body).status == 401)
        #expect(try await server.request("/v1/partners", method: "POST", headers: json.merging(["Authorization": "Bearer nope"]) { $1 },
                                         body: body).status == 403)
        #expect(try await server.request("/v1/partners/api-001", method: "DELETE").status == 401)
        let created = try await server.request("/v1/partners", method: "POST", headers: json.merging(bearer) { $1 }, body: body)
        #expect(created.status == 201, "\(created.text)")
        #expect(try await server.request("/v1/partners", method: "POST", headers: json.merging(bearer) { $1 }, body: body).status == 409)
        #expect(try await server.get("/v1/partners/edit-1").status == 200)
        // The scheme is case-insensitive; the server owns the timestamps (a client's is refused, not silently dropped).
        let lower = try JSONSerialization.data(withJSONObject: [
            "id": "edit-3", "name": "Lower", "type": "company", "country": "DE", "lon": 13.4, "lat": 52.5,
            "themes": ["finance"], "created": "1999-01-01T00:00:00Z"])
        let made = try await server.request("/v1/partners", method: "POST",
                                            headers: json.merging(["Authorization": "bearer \(TestServer.token)"]) { $1 }, body: lower)
        #expect(made.status == 400 && made.json["parameter"] as? String == "created", "\(made.text)")
        #expect((made.json["detail"] as? String ?? "").contains("set by the server"), "\(made.text)")
        let bad: [(String, Int)] = [
            ("{\"id\": \"edit-4\", \"name\": \"a\\u0000b\", \"type\": \"company\", \"country\": \"DE\", \"lon\": 2, \"lat\": 0, \"themes\": [\"mrv\"]}", 400),
            ("{", 400), ("[1, 2]", 400), ("{\"name\": \"x\"}", 400),
            ("{\"id\": \"edit-2\", \"name\": \"x\", \"type\": \"company\", \"country\": \"DE\", \"lon\": 200, \"lat\": 0, \"themes\": [\"mrv\"]}", 400),
            ("{\"id\": \"edit-2\", \"name\": \"x\", \"type\": \"company\", \"country\": \"DE\", \"lon\": 2, \"lat\": 0, \"themes\": [\"surfing\"]}", 400),
            ("{\"name\": \"" + String(repeating: "x", count: 70_000) + "\"}", 413),
        ]
        for (text, status) in bad {
            let answer = try await server.request("/v1/partners", method: "POST", headers: json.merging(bearer) { $1 }, body: Data(text.utf8))
            #expect(answer.status == status, "\(text.prefix(60)): \(answer.text.prefix(200))")
            #expect(answer.header("Content-Type") == "application/problem+json")
        }
        let update = try JSONSerialization.data(withJSONObject: [
            "name": "Renamed", "type": "company", "country": "DE", "lon": 13.5, "lat": 52.4, "themes": ["finance", "mrv"]])
        let put = try await server.request("/v1/partners/edit-1", method: "PUT", headers: json.merging(bearer) { $1 }, body: update)
        #expect(put.status == 200, "\(put.text)")
        #expect((try await server.get("/v1/partners/edit-1").json["properties"] as? [String: Any])?["name"] as? String == "Renamed")
        #expect(try await server.request("/v1/partners/edit-1", method: "DELETE", headers: bearer).status == 204)
        #expect(try await server.get("/v1/partners/edit-1").status == 404)
    }

    /// 100 edits at once: none lost, and the GeoPackage stays valid.
    @Test func concurrentEditsLoseNothing() async throws {
        let server = try await TestServer.editing.value
        let headers = ["Content-Type": "application/json", "Authorization": "Bearer \(TestServer.token)"]
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<100 {
                group.addTask {
                    let body = try JSONSerialization.data(withJSONObject: [
                        "id": "burst-\(i)", "name": "Burst \(i)", "type": "ngo", "country": "FR",
                        "lon": Double(i) - 50, "lat": Double(i % 60) - 30, "themes": ["policy"]])
                    return try await server.request("/v1/partners", method: "POST", headers: headers, body: body).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 201 })
        let listed = try await server.get("/v1/partners?q=burst").json["features"] as! [[String: Any]]
        #expect(listed.count == 100)
        let info = try runTool("ogrinfo", ["-so", server.options.partnersPath, "partners"])
        #expect(info.status == 0, "\(info.err)")
        let count = info.out.split(separator: "\n").first { $0.contains("Feature Count") }
        #expect(count.map { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces))! >= testPartners.count + 100 } == true)
        for i in 0..<100 {
            _ = try await server.request("/v1/partners/burst-\(i)", method: "DELETE", headers: headers)
        }
    }
}
