import Foundation
import TestSupport
import Testing

/// `POST /v1/statistics` (#16): the statistics of a named region over a polygon of the caller's, with area-weighted
/// percentiles and histograms, against numpy over GDAL's rasterisation of the same polygon.
@Suite struct PolygonStatisticsTests {
    /// A triangle over Europe and the Mediterranean: a window of 80 x 50 pixels of the demo grid (0.5 degree), under the
    /// test servers' 50,000-pixel download limit; land and sea.
    static var triangle: [String: Any] { ["type": "Polygon", "coordinates": [[[-10, 35], [30, 35], [10, 60], [-10, 35]]]] }

    static func post(_ body: Any, type: String = "application/geo+json") async throws -> TestServer.Answer {
        let server = try await TestServer.shared.value
        return try await server.request("/v1/statistics", method: "POST", headers: ["Content-Type": type],
                                        body: try JSONSerialization.data(withJSONObject: body))
    }

    @Test func aPolygonsStatisticsEqualNumpys() async throws {
        let answer = try await Self.post(Self.triangle)
        #expect(answer.status == 200, "\(answer.text)")
        let ours = answer.json
        #expect((ours["region"] as? [String: Any]).map { $0["id"] as? String == "polygon" && $0["name"] as? String == "polygon" } == true)

        let folder = TemporaryFolder()
        let file = folder.file("triangle.geojson")
        let collection: [String: Any] = ["type": "FeatureCollection", "features": [
            ["type": "Feature", "properties": ["id": "triangle"], "geometry": Self.triangle] as [String: Any]]]
        try JSONSerialization.data(withJSONObject: collection).write(to: URL(fileURLWithPath: file))
        let python = try await runToolDetached("/usr/bin/python3", [repositoryRoot + "/Tests/HotspotAPITests/zonal_stats.py",
                                                                   DemoFixture.run.directory, file, "triangle"], timeout: 120)
        #expect(python.status == 0, "\(python.err)")
        let theirs = try JSONSerialization.jsonObject(with: Data(python.out.utf8)) as! [String: Any]
        func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }
        func close(_ a: Any?, _ b: Any?, _ what: String, tolerance: Double = 1e-9) {
            guard let x = number(a), let y = number(b) else {
                Issue.record("\(what): \(String(describing: a)) vs \(String(describing: b))")
                return
            }
            #expect(abs(x - y) <= tolerance * max(1, abs(y)), "\(what): \(x) vs \(y)")
        }
        close(ours["area_km2"], theirs["area_km2"], "area")
        #expect(number(ours["area_km2"]) ?? 0 > 100_000 && number(ours["valid_area_km2"]) ?? 0 > 10_000)
        #expect(number(ours["valid_area_km2"]) ?? 0 < number(ours["area_km2"]) ?? 0, "the triangle has sea too")
        let layers = ours["layers"] as? [String: [String: Any]] ?? [:]
        for (name, theirs) in theirs["layers"] as! [String: [String: Any]] {
            let layer = layers[name] ?? [:]
            for key in ["mean", "min", "max", "valid_area_km2"] { close(layer[key], theirs[key], "\(name).\(key)") }
            // Percentiles are values of pixels: equal, not close.
            let percentiles = layer["percentiles"] as? [String: Any] ?? [:]
            for (key, value) in theirs["percentiles"] as! [String: Any] {
                #expect(number(percentiles[key]) == number(value), "\(name) \(key): \(String(describing: percentiles[key])) vs \(value)")
            }
            let p = ["p5", "p25", "p50", "p75", "p95"].compactMap { number(percentiles[$0]) }
            #expect(p.count == 5 && p == p.sorted() && p[0] > number(layer["min"]) ?? .infinity - 1e-12 || p[0] == number(layer["min"]),
                    "\(name) percentiles in order within min-max: \(p)")
            let histogram = layer["histogram"] as? [String: Any] ?? [:], reference = theirs["histogram"] as! [String: Any]
            let edges = histogram["edges"] as? [Double] ?? [], referenceEdges = reference["edges"] as! [Double]
            #expect(edges == referenceEdges, "\(name) edges")
            let areas = histogram["area_km2"] as? [Double] ?? [], referenceAreas = reference["area_km2"] as! [Double]
            #expect(areas.count == 20 && referenceAreas.count == 20, "\(name) bins")
            for (k, (a, b)) in zip(areas, referenceAreas).enumerated() { close(a, b, "\(name) bin \(k)") }
            close(areas.reduce(0, +), layer["valid_area_km2"], "\(name) histogram total", tolerance: 1e-9)
        }
        let hotspots = ours["hotspots"] as? [String: Any] ?? [:], theirHotspots = theirs["hotspots"] as! [String: Any]
        for key in ["sequestration_km2", "loss_km2", "both_km2", "none_km2"] { close(hotspots[key], theirHotspots[key], key) }
    }

    /// A Feature, a FeatureCollection and a MultiPolygon of the triangle split in two overlapping halves are the same
    /// area: the same answer.
    @Test func everyGeoJSONFormOfTheAreaAnswersAlike() async throws {
        let reference = try await Self.post(Self.triangle).json
        let feature: [String: Any] = ["type": "Feature", "properties": [:] as [String: Any], "geometry": Self.triangle]
        let halves: [String: Any] = ["type": "MultiPolygon", "coordinates": [
            [[[-10, 35], [12, 35], [12, 57], [10, 60], [-10, 35]]],
            [[[8, 35], [30, 35], [10, 60], [8, 57.5], [8, 35]]],
        ]]
        for body in [feature, ["type": "FeatureCollection", "features": [feature]], halves] as [[String: Any]] {
            let answer = try await Self.post(body, type: "application/json")
            #expect(answer.status == 200, "\(body["type"]!): \(answer.text)")
            for key in ["area_km2", "valid_area_km2"] {
                let (a, b) = ((answer.json[key] as? NSNumber)?.doubleValue, (reference[key] as? NSNumber)?.doubleValue)
                #expect(a != nil && a == b, "\(body["type"]!) \(key): \(String(describing: a)) vs \(String(describing: b))")
            }
        }
    }

    /// What is not polygons, too large, or not JSON is a problem naming why.
    @Test func badBodiesAreProblems() async throws {
        let server = try await TestServer.shared.value
        let cases: [(body: Data, type: String, status: Int, says: String)] = [
            (Data("not json".utf8), "application/json", 400, "not a GeoJSON object"),
            (try JSONSerialization.data(withJSONObject: ["type": "Point", "coordinates": [1, 2]]), "application/geo+json", 400,
             "Polygon or a MultiPolygon"),
            (try JSONSerialization.data(withJSONObject: ["type": "Polygon", "coordinates": [[[10, 40], [19, 40], [14, 49]]]]),
             "application/geo+json", 400, "four positions"),
            (try JSONSerialization.data(withJSONObject: ["type": "Polygon", "coordinates": [[[10, 40], [190, 40], [14, 49], [10, 40]]]]),
             "application/geo+json", 400, "-180..180"),
            (try JSONSerialization.data(withJSONObject: ["type": "Polygon", "coordinates": [[[-170, -60], [170, -60], [170, 75], [-170, 75], [-170, -60]]]]),
             "application/geo+json", 413, "the limit is 50000"),
            (try JSONSerialization.data(withJSONObject: Self.triangle), "text/plain", 415, "application/geo+json"),
            (Data(repeating: 32, count: 9 << 20), "application/json", 413, "too large"),
        ]
        for (body, type, status, says) in cases {
            let answer = try await server.request("/v1/statistics", method: "POST", headers: ["Content-Type": type], body: body)
            #expect(answer.status == status && answer.header("Content-Type") == "application/problem+json",
                    "\(says): \(answer.status) \(answer.text.prefix(300))")
            #expect(answer.text.contains(says), "\(says): \(answer.text.prefix(300))")
        }
    }
}
