import Foundation
import HotspotAPI
import Pipeline
import TestSupport
import Testing

@Suite struct ScoreRouteTests {
    /// Every value of a point answer is the value GDAL reads at that point in the run's COGs.
    @Test func pointAnswersEqualGdallocationinfo() async throws {
        let server = try await TestServer.shared.value
        let run = DemoFixture.run.directory
        for (lon, lat) in try samplePoints(count: 25) {
            let answer = try await server.get("/v1/score?lon=\(lon)&lat=\(lat)")
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type") == "application/json")
            #expect(answer.header("ETag") != nil && answer.header("Cache-Control") != nil)
            let json = answer.json
            #expect(json["inside"] as? Bool == true)
            let sequestration = json["sequestration"] as! [String: Any], loss = json["loss"] as! [String: Any]
            let expected: [(OutputLayer, Any?)] = [
                (.sequestrationRateMedium, (sequestration["rate"] as? [String: Any])?["value"]),
                (.sequestrationScore, sequestration["score"]),
                (.lossExpected, (loss["expected"] as? [String: Any])?["value"]),
                (.lossScore, loss["score"]),
                (.hotspotClass, (json["class"] as? [String: Any])?["code"]),
            ]
            for (layer, ours) in expected {
                let gdal = try #require(try gdalLocationValue(run + "/" + layer.fileName, lon: lon, lat: lat))
                guard gdal != layer.noData else {
                    #expect(ours == nil, "\(layer) at \(lon), \(lat) is nodata in the raster: no value in the answer")
                    continue
                }
                let value = try #require((ours as? NSNumber)?.doubleValue, "\(layer) at \(lon), \(lat)")
                #expect(abs(value - gdal) <= 1e-6 * max(1, abs(gdal)), "\(layer) at \(lon), \(lat): \(value) vs \(gdal)")
            }
            // The explanation is RothC at this pixel: its loss is the raster's loss, its pools hold the observed stock,
            // and the sequestration rate is there exactly where the group is managed.
            if let e = json["explanation"] as? [String: Any],
               let loss = (json["loss"] as? [String: Any]).flatMap({ ($0["expected"] as? [String: Any])?["value"] as? Double }) {
                let explained = try #require(e["loss_t_ha"] as? Double)
                #expect(abs(explained - loss) <= 1e-4 * max(loss, 1e-3), "loss at \(lon), \(lat): \(explained) vs \(loss)")
                let pools = try #require(e["pools_t_ha"] as? [String: Double])
                let soc = try #require(((json["inputs"] as? [String: Any])?["soc"] as? [String: Any])?["value"] as? Double)
                let stock = pools.values.reduce(0, +) + (e["inert_carbon_t_ha"] as! Double)
                #expect(abs(stock - soc) <= 1e-4 * soc, "the equilibrium pools hold the observed stock at \(lon), \(lat)")
                let rate = (sequestration["rate"] as? [String: Any])?["value"] as? Double
                #expect((e["managed"] as? Bool == true) == (rate != nil), "rates only on managed land")
            }
            let inputs = json["inputs"] as! [String: Any]
            #expect((inputs["landcover"] as? [String: Any])?["code"] != nil)
            #expect(((inputs["soc"] as? [String: Any])?["units"] as? String) == "t C/ha")
        }
    }

    @Test func aPointOutsideTheGridIsAnsweredAsOutside() async throws {
        let server = try await TestServer.shared.value
        let json = try await server.get("/v1/score?lon=10&lat=-75").json
        #expect(json["inside"] as? Bool == false)
        #expect(json["sequestration"] == nil && json["pixel"] == nil)
    }

    @Test func labelsFollowLangAndAcceptLanguage() async throws {
        let server = try await TestServer.shared.value
        let (lon, lat) = try samplePoints(count: 1, seed: 11)[0]
        let french = try await server.get("/v1/score?lon=\(lon)&lat=\(lat)&lang=fr").json
        let spanish = try await server.get("/v1/score?lon=\(lon)&lat=\(lat)", headers: ["Accept-Language": "es-ES,fr;q=0.5"]).json
        let english = try await server.get("/v1/score?lon=\(lon)&lat=\(lat)").json
        #expect((french["value_rule"] as? String)?.contains("pixel de la grille") == true)
        #expect((spanish["value_rule"] as? String)?.contains("píxel de la malla") == true)
        #expect((english["value_rule"] as? String)?.contains("gdallocationinfo") == true)
        #expect((french["class"] as? [String: Any])?["code"] as? Int == (english["class"] as? [String: Any])?["code"] as? Int)
    }

    /// POST answers equal GET answers, in every format in and out.
    @Test func batchAnswersEqualSingleOnesInJSONGeoJSONAndCSV() async throws {
        let server = try await TestServer.shared.value
        let points = try samplePoints(count: 12, seed: 5) + [(10, -75)]
        var singles: [[String: Any]] = []
        for (lon, lat) in points { singles.append(try await server.get("/v1/score?lon=\(lon)&lat=\(lat)").json) }

        let list = try JSONSerialization.data(withJSONObject: ["points": points.map { [$0.lon, $0.lat] }])
        let json = try await server.request("/v1/score", method: "POST", headers: ["Content-Type": "application/json"], body: list)
        #expect(json.status == 200)
        let answers = try #require(json.json["points"] as? [[String: Any]])
        #expect(answers.count == points.count)
        for (single, batch) in zip(singles, answers) {
            #expect(try canonical(single) == canonical(batch), "\(single["lon"]!), \(single["lat"]!)")
        }

        let features = points.map { ["type": "Feature", "geometry": ["type": "Point", "coordinates": [$0.lon, $0.lat]],
                                     "properties": [String: Any]()] as [String: Any] }
        let collection = try JSONSerialization.data(withJSONObject: ["type": "FeatureCollection", "features": features])
        let geo = try await server.request("/v1/score", method: "POST",
                                           headers: ["Content-Type": "application/geo+json", "Accept": "application/geo+json"],
                                           body: collection)
        #expect(geo.header("Content-Type") == "application/geo+json")
        let geoFeatures = try #require(geo.json["features"] as? [[String: Any]])
        for (single, feature) in zip(singles, geoFeatures) {
            #expect(try canonical(single) == canonical(feature["properties"] as! [String: Any]))
            let coordinates = (feature["geometry"] as! [String: Any])["coordinates"] as! [Double]
            #expect(coordinates == [single["lon"] as! Double, single["lat"] as! Double])
        }

        let csvBody = "id,lat,lon\n" + points.enumerated().map { "p\($0.offset),\($0.element.lat),\($0.element.lon)" }.joined(separator: "\n")
        let csv = try await server.request("/v1/score", method: "POST",
                                           headers: ["Content-Type": "text/csv", "Accept": "text/csv"], body: Data(csvBody.utf8))
        #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        let rows = csv.text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.first?.prefix(3) == ["lon", "lat", "inside"])
        #expect(rows.count == points.count + 1)
        let scoreColumn = try #require(rows.first?.firstIndex(of: "sequestration_score"))
        let rateColumn = try #require(rows.first?.firstIndex(of: "sequestration_rate_medium"))
        for (single, row) in zip(singles, rows.dropFirst()) {
            #expect(Double(row[0]) == single["lon"] as? Double && Double(row[1]) == single["lat"] as? Double)
            #expect(row[2] == "\(single["inside"] as! Bool)")
            let score = (single["sequestration"] as? [String: Any])?["score"] as? Double
            #expect(Double(row[scoreColumn]) == score)
            let rate = ((single["sequestration"] as? [String: Any])?["rate"] as? [String: Any])?["value"] as? Double
            #expect(Double(row[rateColumn]) == rate)
        }
    }

    /// Batch CSV is RFC 4180: a quoted cell may hold commas and quotes, and answers quote what needs it.
    @Test func batchCSVWithQuotedCellsIsReadAsRFC4180() async throws {
        let server = try await TestServer.shared.value
        let body = "id,name,lat,lon\n1,\"Madrid, \"\"centre\"\"\",40.4,-3.7\n2,plain,48.85,2.35\n"
        let answer = try await server.request("/v1/score", method: "POST",
                                              headers: ["Content-Type": "text/csv", "Accept": "application/json"],
                                              body: Data(body.utf8))
        #expect(answer.status == 200, "\(answer.text)")
        let points = try #require(answer.json["points"] as? [[String: Any]])
        #expect(points.count == 2)
        #expect(points.first?["lon"] as? Double == -3.7 && points.first?["lat"] as? Double == 40.4)
    }

    struct BadRequest: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var method = "GET"
        var path: String
        var contentType: String? = nil
        var body: String? = nil
        var status: Int
        var parameter: String? = nil
    }

    static let badRequests: [BadRequest] = [
        .init(testDescription: "lon missing", path: "/v1/score?lat=10", status: 400, parameter: "lon"),
        .init(testDescription: "lat missing", path: "/v1/score?lon=10", status: 400, parameter: "lat"),
        .init(testDescription: "lon not a number", path: "/v1/score?lon=abc&lat=10", status: 400, parameter: "lon"),
        .init(testDescription: "lat NaN", path: "/v1/score?lon=10&lat=nan", status: 400, parameter: "lat"),
        .init(testDescription: "lon infinite", path: "/v1/score?lon=inf&lat=10", status: 400, parameter: "lon"),
        .init(testDescription: "lon out of range", path: "/v1/score?lon=181&lat=10", status: 400, parameter: "lon"),
        .init(testDescription: "lat out of range", path: "/v1/score?lon=10&lat=-90.5", status: 400, parameter: "lat"),
        .init(testDescription: "unknown parameter", path: "/v1/score?lon=10&lat=10&lng=3", status: 400, parameter: "lng"),
        .init(testDescription: "unknown listing parameter", path: "/v1/partners?lmit=5", status: 400, parameter: "lmit"),
        .init(testDescription: "limit zero", path: "/v1/partners?limit=0", status: 400, parameter: "limit"),
        .init(testDescription: "limit too large", path: "/v1/partners?limit=10001", status: 400, parameter: "limit"),
        .init(testDescription: "negative offset", path: "/v1/partners?offset=-1", status: 400, parameter: "offset"),
        .init(testDescription: "z not a number", path: "/tiles/sequestration_score/a/0/0.png", status: 400, parameter: "z"),
        .init(testDescription: "z too large", path: "/tiles/sequestration_score/25/0/0.png", status: 404, parameter: "z"),
        .init(testDescription: "x beyond the zoom", path: "/tiles/sequestration_score/2/4/0.png", status: 404),
        .init(testDescription: "y negative", path: "/tiles/sequestration_score/2/0/-1.png", status: 404),
        .init(testDescription: "unknown tile layer", path: "/tiles/soil_moisture/0/0/0.png", status: 404),
        .init(testDescription: "old run id", path: "/tiles/loss_score/0/0/0.png?run=19990101T000000Z-x", status: 404, parameter: "run"),
        .init(testDescription: "unknown TileJSON layer", path: "/tiles/nope/tilejson.json", status: 404),
        .init(testDescription: "region with ..", path: "/v1/regions/..%2F..%2Fetc/stats", status: 400, parameter: "id"),
        .init(testDescription: "region with dots", path: "/v1/regions/a..b/stats", status: 400, parameter: "id"),
        .init(testDescription: "region upper case", path: "/v1/regions/Europe/stats", status: 400, parameter: "id"),
        .init(testDescription: "unknown region", path: "/v1/regions/atlantis/stats", status: 404),
        .init(testDescription: "download without layer", path: "/v1/download?bbox=0,0,1,1", status: 400, parameter: "layer"),
        .init(testDescription: "download unknown layer", path: "/v1/download?layer=x&bbox=0,0,1,1", status: 404, parameter: "layer"),
        .init(testDescription: "bbox inverted", path: "/v1/download?layer=loss_score&bbox=0,5,10,0", status: 400, parameter: "bbox"),
        .init(testDescription: "bbox empty", path: "/v1/download?layer=loss_score&bbox=10,0,10,5", status: 400, parameter: "bbox"),
        .init(testDescription: "bbox round the antimeridian too large", path: "/v1/download?layer=loss_score&bbox=10,0,0,50", status: 413),
        .init(testDescription: "bbox not numbers", path: "/v1/download?layer=loss_score&bbox=a,b,c,d", status: 400, parameter: "bbox"),
        .init(testDescription: "bbox three numbers", path: "/v1/download?layer=loss_score&bbox=1,2,3", status: 400, parameter: "bbox"),
        .init(testDescription: "bbox too large", path: "/v1/download?layer=loss_score&bbox=-180,-60,180,84", status: 413),
        .init(testDescription: "bbox and region", path: "/v1/download?layer=loss_score&bbox=0,0,1,1&region=europe", status: 400, parameter: "region"),
        .init(testDescription: "region with slash", path: "/v1/download?layer=loss_score&region=eu%2Fx", status: 400, parameter: "id"),
        .init(testDescription: "STAC of a bad bbox", path: "/v1/download/stac?layer=loss_score&bbox=5,5,5,5", status: 400, parameter: "bbox"),
        .init(testDescription: "unknown route", path: "/v2/score", status: 404),
        .init(testDescription: "malformed JSON", method: "POST", path: "/v1/score", contentType: "application/json",
              body: "{\"points\": [[1, 2]", status: 400),
        .init(testDescription: "points not pairs", method: "POST", path: "/v1/score", contentType: "application/json",
              body: "{\"points\": [[1, 2, 3]]}", status: 400, parameter: "points[0]"),
        .init(testDescription: "point as strings", method: "POST", path: "/v1/score", contentType: "application/json",
              body: "{\"points\": [[\"1\", \"2\"]]}", status: 400, parameter: "points[0]"),
        .init(testDescription: "point out of range", method: "POST", path: "/v1/score", contentType: "application/json",
              body: "{\"points\": [[0, 0], [200, 0]]}", status: 400, parameter: "points[1].lon"),
        .init(testDescription: "empty points", method: "POST", path: "/v1/score", contentType: "application/json",
              body: "{\"points\": []}", status: 400, parameter: "points"),
        .init(testDescription: "GeoJSON line", method: "POST", path: "/v1/score", contentType: "application/geo+json",
              body: "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"geometry\": {\"type\": \"LineString\", \"coordinates\": [[0,0],[1,1]]}}]}",
              status: 400, parameter: "features[0]"),
        .init(testDescription: "batch too large", method: "POST", path: "/v1/score", contentType: "application/json",
              body: "{\"points\": [" + Array(repeating: "[1, 2]", count: 501).joined(separator: ",") + "]}", status: 413),
        .init(testDescription: "CSV without lat", method: "POST", path: "/v1/score", contentType: "text/csv",
              body: "lon,height\n1,2\n", status: 400),
        .init(testDescription: "CSV with text", method: "POST", path: "/v1/score", contentType: "text/csv",
              body: "lon,lat\n1,north\n", status: 400, parameter: "row 2 lat"),
        .init(testDescription: "CSV short row", method: "POST", path: "/v1/score", contentType: "text/csv",
              body: "lon,lat\n1\n", status: 400, parameter: "row 2"),
        .init(testDescription: "XML body", method: "POST", path: "/v1/score", contentType: "application/xml",
              body: "<points/>", status: 415),
        .init(testDescription: "hexadecimal lon", path: "/v1/score?lon=0x10&lat=10", status: 400, parameter: "lon"),
        .init(testDescription: "lat given twice", path: "/v1/score?lon=1&lat=10&lat=20", status: 400, parameter: "lat"),
        .init(testDescription: "tile x with a plus", path: "/tiles/loss_score/1/+1/0.png", status: 404, parameter: "x"),
        .init(testDescription: "tile z with a zero", path: "/tiles/loss_score/01/0/0.png", status: 404, parameter: "z"),
    ]

    /// Methods the API has nowhere (TRACE) are 405 with the methods it answers; curl sends them as asked.
    @Test func unknownMethodsAre405() async throws {
        let server = try await TestServer.shared.value
        let trace = try await runToolDetached("curl", ["-s", "-i", "-X", "TRACE", server.base + "/v1/layers"], timeout: 30)
        #expect(trace.out.hasPrefix("HTTP/1.1 405"), "\(trace.out.prefix(300))")
        #expect(trace.out.lowercased().contains("allow: get, head, post, put, delete, options"), "\(trace.out.prefix(400))")
        // A body with no Content-Type is not guessed to be JSON.
        let untyped = try await runToolDetached("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                                                         "-H", "Content-Type:", "--data-binary", "{\"points\": [[1, 2]]}",
                                                         server.base + "/v1/score"], timeout: 30)
        #expect(untyped.out == "415", "\(untyped.out)")
    }

    /// Bad input never crashes: a problem+json answer with the right status, naming the parameter.
    @Test(arguments: badRequests) func badInputGetsAProblemWithTheRightStatus(_ bad: BadRequest) async throws {
        let server = try await TestServer.shared.value
        let answer = try await server.request(bad.path, method: bad.method,
                                              headers: bad.contentType.map { ["Content-Type": $0] } ?? [:],
                                              body: bad.body.map { Data($0.utf8) })
        #expect(answer.status == bad.status, "\(answer.text)")
        #expect(answer.header("Content-Type") == "application/problem+json")
        let problem = answer.json
        #expect(problem["status"] as? Int == bad.status)
        #expect((problem["detail"] as? String)?.isEmpty == false)
        if let parameter = bad.parameter { #expect(problem["parameter"] as? String == parameter, "\(answer.text)") }
        // And the server is still there.
        #expect(try await server.get("/health").status == 200)
    }

    @Test func answersCarryETagsAndRevalidate() async throws {
        let server = try await TestServer.shared.value
        for path in ["/v1/layers", "/v1/regions", "/health", "/openapi.json", "/v1/score?lon=10&lat=45",
                     "/tiles/loss_score/tilejson.json", "/tiles/loss_score/legend.png", "/tiles/loss_score/1/1/0.png"] {
            let first = try await server.get(path)
            #expect(first.status == 200, "\(path)")
            let etag = try #require(first.header("ETag"), "\(path)")
            #expect(first.header("Cache-Control") != nil, "\(path)")
            let again = try await server.get(path, headers: ["If-None-Match": etag])
            #expect(again.status == 304, "\(path)")
        }
    }
}

/// A JSON object written with sorted keys, to compare two answers as text.
func canonical(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}
