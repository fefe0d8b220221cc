import Foundation
import GeoKit
import HotspotAPI
import Pipeline
import TestSupport
import Testing
import Tiling
import HotspotConfig

@Suite struct DataRouteTests {
    /// A tile rendered on demand is the very tile `hotspot tiles` makes; TileJSON names the run; old runs are gone.
    @Test func tilesOnDemandEqualThePyramidAndCarryTheRun() async throws {
        let server = try await TestServer.shared.value
        let runID = DemoFixture.run.runID
        let tileJSON = try await server.get("/tiles/sequestration_score/tilejson.json").json
        let template = try #require((tileJSON["tiles"] as? [String])?.first)
        #expect(template == server.base + "/tiles/sequestration_score/{z}/{x}/{y}.png?run=\(runID)")
        #expect(tileJSON["tilejson"] as? String == "3.0.0")
        let bounds = try #require(tileJSON["bounds"] as? [Double])
        #expect(bounds[0] < bounds[2] && bounds[1] < bounds[3])
        // 0.5-degree data is native at zoom 2: with the over-zoom margin TileJSON offers 4, or the pre-rendered 7.
        #expect(tileJSON["maxzoom"] as? Int == 7, "\(tileJSON)")
        let shallow = try await TestServer(configuration: try TestServer.configuration(output: server.options.configuration.output.dir) {
            $0.replacingOccurrences(of: "zoom: [0, 7]", with: "zoom: [0, 1]")
        })
        let shallowJSON = try await shallow.get("/tiles/sequestration_score/tilejson.json").json
        #expect(shallowJSON["maxzoom"] as? Int == 2 + WebMercator.overZoomMargin, "\(shallowJSON)")
        #expect(try await shallow.get("/tiles/sequestration_score/9/300/200.png").status == 200,
                "deeper tiles are still answered")

        let folder = TemporaryFolder()
        let output = DemoFixture.run.directory + "/sequestration_score.tif"
        let job = try TileJob.forLayer(
            "sequestration_score", configuration: server.options.configuration, runID: runID, sourcePath: output,
            sourceSHA256: "x", description: "", attribution: "", format: .png, zooms: 2...2, outputDirectory: folder.path)
        let summary = try TilePyramid.generate(job)
        #expect(summary.written > 0)
        for tile in summary.tiles.prefix(6) {
            let path = "/tiles/sequestration_score/\(tile.z)/\(tile.x)/\(tile.y).png?run=\(runID)"
            let answer = try await server.get(path)
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type") == "image/png")
            #expect(answer.header("Cache-Control")?.contains("immutable") == true)
            #expect(answer.body == FileManager.default.contents(atPath: job.tilePath(tile)), "\(tile)")
            // The second time it comes from the cache, the same bytes.
            #expect(try await server.get(path).body == answer.body)
        }
        // Over the sea near the south pole there is no data: a transparent tile, not an error.
        let empty = try await server.get("/tiles/sequestration_score/3/4/7.png")
        #expect(empty.status == 200)
        let emptyPath = folder.file("empty.png")
        try empty.body.write(to: URL(fileURLWithPath: emptyPath))
        let stats = try runTool("gdalinfo", ["-stats", emptyPath]).out
        #expect(stats.contains("Size is 256, 256"))
        #expect(stats.contains("Band 4") && stats.contains("STATISTICS_MAXIMUM=0"), "alpha is 0 everywhere")
    }

    @Test func layersListEveryOutputWithLinks() async throws {
        let server = try await TestServer.shared.value
        let json = try await server.get("/v1/layers").json
        #expect(json["run_id"] as? String == DemoFixture.run.runID)
        let layers = try #require(json["layers"] as? [[String: Any]])
        #expect(Set(layers.compactMap { $0["id"] as? String }) == Set(OutputLayer.allCases.map(\.rawValue)))
        // The grid the page sizes downloads with: as GDAL reads the run's raster, and the configured limit.
        let grid = try #require(json["grid"] as? [String: Any])
        let info = try runTool("gdalinfo", ["-json", DemoFixture.run.directory + "/loss_score.tif"]).out
        let gdal = try JSONSerialization.jsonObject(with: Data(info.utf8)) as! [String: Any]
        #expect([grid["width"] as? Int, grid["height"] as? Int] == (gdal["size"] as? [Int])?.map { Optional($0) })
        let transform = try #require(gdal["geoTransform"] as? [Double])
        #expect(grid["pixel_size"] as? [Double] == [abs(transform[1]), abs(transform[5])])
        #expect(grid["max_download_pixels"] as? Int == 50_000 && grid["crs"] as? String == "EPSG:4326")
        for layer in layers {
            #expect(layer["units"] as? String != nil && layer["download"] as? String != nil)
            if let tilejson = layer["tilejson"] as? String {
                #expect(try await server.get(String(tilejson.dropFirst(server.base.count))).status == 200)
            }
        }
    }

    /// A bbox across the antimeridian: one COG whose longitudes run on past 180, pixel for pixel the run's columns
    /// east of the western edge then those from -180; its STAC Item has west > east and two polygons.
    @Test func aBboxAcrossTheAntimeridianIsJoinedIntoOneRaster() async throws {
        let server = try await TestServer.shared.value
        let query = "layer=sequestration_score&bbox=170.2,-20.3,-170.4,-10.1"
        let remote = "/vsicurl/" + server.base + "/v1/download?" + query
        let info = try await runToolDetached("gdalinfo", [remote], timeout: 120)
        #expect(info.status == 0 && info.out.contains("LAYOUT=COG"), "\(info.err)")
        // 0.5-degree pixels: 170 to 190 (= -170) by -20.5 to -10, snapped outwards.
        #expect(info.out.contains("Size is 40, 21"), "\(info.out)")
        #expect(info.out.contains("Origin = (170.000000000000000,-10.000000000000000)"))
        #expect(info.out.contains("Unit Type: percentile") && info.out.contains("CONFIG_SHA256="), "provenance kept")
        #expect(info.out.contains("RUN_ID=\(DemoFixture.run.runID)"), "the file names the run it was cut from")
        let run = DemoFixture.run.directory + "/sequestration_score.tif"
        let check = try await runToolDetached("/usr/bin/python3", ["-c", """
            from osgeo import gdal; import numpy as np
            d = gdal.Open('\(remote)').ReadAsArray(); r = gdal.Open('\(run)'); a = r.ReadAsArray()
            t = r.GetGeoTransform(); c = lambda lon: int(round((lon - t[0]) / t[1])); row = int(round((-10 - t[3]) / t[5]))
            expected = np.hstack([a[row:row + 21, c(170):], a[row:row + 21, :c(-170)]])
            print(d.shape == expected.shape and np.array_equal(d, expected), int((d != r.GetRasterBand(1).GetNoDataValue()).sum()))
            """], timeout: 120)
        let words = check.out.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(words.first == "True", "\(check.out) \(check.err)")
        #expect(words.count == 2 && (Int(words[1]) ?? 0) > 0, "the area holds some land (Fiji)")
        let stac = try await server.get("/v1/download/stac?" + query).json
        let style = try #require(((stac["assets"] as? [String: Any])?["style"] as? [String: Any])?["href"] as? String)
        #expect(style == server.base + "/v1/styles/" + query.prefix { $0 != "&" }.dropFirst("layer=".count) + ".qml")
        let qml = try await server.get(String(style.dropFirst(server.base.count)))
        #expect(qml.status == 200 && qml.text.contains("singlebandpseudocolor"), "\(qml.text.prefix(200))")
        #expect(try await server.get("/v1/styles/nope.qml").status == 404)
        #expect(stac["bbox"] as? [Double] == [170, -20.5, -170, -10])
        #expect((stac["geometry"] as? [String: Any])?["type"] as? String == "MultiPolygon")
    }

    /// A bbox download is the run's raster over whole pixels, as a COG that GDAL reads through /vsicurl/ (Range).
    @Test func bboxDownloadsOpenInGDALOverHTTPAndHoldTheRunsValues() async throws {
        let server = try await TestServer.shared.value
        let query = "layer=loss_score&bbox=5.2,40.1,20.7,50.3"
        let answer = try await server.get("/v1/download?" + query)
        #expect(answer.status == 200)
        #expect(answer.header("Content-Disposition")?.hasPrefix("attachment; filename=\"loss_score_") == true)
        #expect(answer.header("Accept-Ranges") == "bytes")
        let range = try await server.get("/v1/download?" + query, headers: ["Range": "bytes=0-15"])
        #expect(range.status == 206)
        #expect(range.body == answer.body.prefix(16))
        let size = answer.body.count
        let suffix = try await server.get("/v1/download?" + query, headers: ["Range": "bytes=-100"])
        #expect(suffix.status == 206 && suffix.body == answer.body.suffix(100))
        #expect(suffix.header("Content-Range") == "bytes \(size - 100)-\(size - 1)/\(size)")
        let tail = try await server.get("/v1/download?" + query, headers: ["Range": "bytes=\(size - 10)-"])
        #expect(tail.status == 206 && tail.body == answer.body.suffix(10))
        let clamped = try await server.get("/v1/download?" + query, headers: ["Range": "bytes=\(size - 5)-\(size + 1000)"])
        #expect(clamped.status == 206 && clamped.body == answer.body.suffix(5))
        for past in ["bytes=\(size)-", "bytes=99999999-", "bytes=\(size + 1)-\(size + 100)"] {
            let refused = try await server.get("/v1/download?" + query, headers: ["Range": past])
            #expect(refused.status == 416, "\(past)")
            #expect(refused.header("Content-Range") == "bytes */\(size)", "\(past)")
        }
        #expect(try await server.request("/v1/download?" + query, method: "HEAD").header("Content-Length") == "\(size)")

        let remote = "/vsicurl/" + server.base + "/v1/download?" + query
        let info = try await runToolDetached("gdalinfo", [remote], timeout: 120)
        #expect(info.status == 0, "\(info.err)")
        #expect(info.out.contains("LAYOUT=COG"))
        // 0.5-degree pixels: 5.0-21.0 x 40.0-50.5, snapped outwards.
        #expect(info.out.contains("Size is 32, 21"), "\(info.out)")
        #expect(info.out.contains("Origin = (5.000000000000000,50.500000000000000)"))
        let run = DemoFixture.run.directory + "/loss_score.tif"
        for (lon, lat) in [(5.3, 40.2), (12.0, 45.0), (20.6, 50.2), (8.76, 47.3)] {
            let served = try await runToolDetached("gdallocationinfo", ["-valonly", "-geoloc", remote, "\(lon)", "\(lat)"], timeout: 120)
            #expect(Double(served.out.trimmingCharacters(in: .whitespacesAndNewlines)) == (try gdalLocationValue(run, lon: lon, lat: lat)))
        }
        // The STAC Item describes that file: shape, transform, checksum of the bytes served.
        let stac = try await server.get("/v1/download/stac?" + query).json
        let style = try #require(((stac["assets"] as? [String: Any])?["style"] as? [String: Any])?["href"] as? String)
        #expect(style == server.base + "/v1/styles/" + query.prefix { $0 != "&" }.dropFirst("layer=".count) + ".qml")
        let qml = try await server.get(String(style.dropFirst(server.base.count)))
        #expect(qml.status == 200 && qml.text.contains("singlebandpseudocolor"), "\(qml.text.prefix(200))")
        #expect(try await server.get("/v1/styles/nope.qml").status == 404)
        let properties = try #require(stac["properties"] as? [String: Any])
        #expect(properties["proj:shape"] as? [Int] == [21, 32])
        #expect(properties["proj:code"] as? String == "EPSG:4326")
        let asset = try #require((stac["assets"] as? [String: Any])?["data"] as? [String: Any])
        // The checksum the coreutils give for the bytes served (a multihash: 0x12 SHA-256, 0x20 bytes).
        let scratch = TemporaryFolder()
        let served = scratch.file("served.tif")
        try answer.body.write(to: URL(fileURLWithPath: served))
        let sum = try runTool("sha256sum", [served]).out.split(separator: " ").first.map(String.init) ?? ""
        #expect(sum.count == 64 && asset["file:checksum"] as? String == "1220" + sum)
        #expect((asset["raster:bands"] as? [[String: Any]])?.first?["unit"] as? String == "percentile")
    }

    /// A region download keeps the pixels whose centre is in the region and sets the others to nodata.
    @Test func regionDownloadsAreMaskedToTheRegion() async throws {
        let server = try await TestServer.shared.value
        let answer = try await server.get("/v1/download?layer=hotspot_class&region=europe")
        #expect(answer.status == 200)
        let folder = TemporaryFolder()
        let path = folder.file("europe.tif")
        try answer.body.write(to: URL(fileURLWithPath: path))
        let info = try runTool("gdalinfo", [path]).out
        #expect(info.contains("LAYOUT=COG") && info.contains("RUN_ID=\(DemoFixture.run.runID)") && info.contains("CONFIG_SHA256="),
                "a COG that names its run and keeps the provenance: \(info)")
        #expect(info.contains("Color Table") && info.contains("CLASSES=0=No hotspot;1=Sequestration hotspot;2=Loss hotspot"),
                "the class download keeps the palette and the class names: \(info)")
        for bbox in ["5,40,9,44", "170,-20,-170,-10"] {  // a plain clip and one joined across the antimeridian
            let clip = try await server.get("/v1/download?layer=hotspot_class&bbox=\(bbox)")
            try clip.body.write(to: URL(fileURLWithPath: folder.file("clip.tif")))
            let clipInfo = try runTool("gdalinfo", [folder.file("clip.tif")]).out
            #expect(clipInfo.contains("Color Table") && clipInfo.contains("CLASSES=0=No hotspot"), "\(bbox): \(clipInfo)")
        }
        let clip = try RasterArray(path: path)
        // The same mask from gdal_rasterize on the same grid.
        let mask = folder.file("mask.tif")
        let b = clip.grid.bounds
        let rasterize = try runTool("gdal_rasterize", [
            "-burn", "1", "-where", "id = 'europe'", "-te", "\(b.minX)", "\(b.minY)", "\(b.maxX)", "\(b.maxY)",
            "-ts", "\(clip.grid.width)", "\(clip.grid.height)", "-ot", "Byte",
            repositoryRoot + "/Config/regions.geojson", mask])
        #expect(rasterize.status == 0, "\(rasterize.err)")
        let inside = try RasterArray(path: mask)
        let full = try RasterArray(path: DemoFixture.run.directory + "/hotspot_class.tif")
        let column0 = Int(((b.minX - full.grid.geoTransform.originX) / full.grid.geoTransform.pixelWidth).rounded())
        let row0 = Int(((b.maxY - full.grid.geoTransform.originY) / full.grid.geoTransform.pixelHeight).rounded())
        var kept = 0
        for r in 0..<clip.grid.height {
            for c in 0..<clip.grid.width {
                let i = r * clip.grid.width + c
                if inside.values[i] == 1 {
                    #expect(clip.values[i] == full.values[(row0 + r) * full.grid.width + column0 + c])
                    kept += 1
                } else {
                    #expect(clip.values[i] == 255, "outside the region at \(c), \(r)")
                }
            }
        }
        #expect(kept > 1000)
    }

    /// Zonal statistics against numpy over the same rasters, with areas from the ellipsoid's own formula.
    @Test func regionStatisticsEqualAnIndependentComputation() async throws {
        let server = try await TestServer.shared.value
        for region in ["europe", "africa"] {
            let answer = try await server.get("/v1/regions/\(region)/stats")
            #expect(answer.status == 200)
            let ours = answer.json
            let script = repositoryRoot + "/Tests/HotspotAPITests/zonal_stats.py"
            let python = try runTool("/usr/bin/python3", [script, DemoFixture.run.directory,
                                                         repositoryRoot + "/Config/regions.geojson", region])
            #expect(python.status == 0, "\(python.err)")
            let theirs = try JSONSerialization.jsonObject(with: Data(python.out.utf8)) as! [String: Any]
            func close(_ a: Any?, _ b: Any?, _ what: String) {
                guard let x = (a as? NSNumber)?.doubleValue, let y = (b as? NSNumber)?.doubleValue else {
                    Issue.record("\(what): \(String(describing: a)) vs \(String(describing: b))")
                    return
                }
                #expect(abs(x - y) <= 1e-6 * max(1, abs(y)), "\(region) \(what): \(x) vs \(y)")
            }
            close(ours["area_km2"], theirs["area_km2"], "area")
            close(ours["valid_area_km2"], theirs["valid_area_km2"], "valid area")
            let hotspots = ours["hotspots"] as! [String: Any], theirHotspots = theirs["hotspots"] as! [String: Any]
            for key in ["sequestration_km2", "loss_km2", "both_km2", "none_km2"] { close(hotspots[key], theirHotspots[key], key) }
            let layers = ours["layers"] as! [String: [String: Any]], theirLayers = theirs["layers"] as! [String: [String: Any]]
            for (name, layer) in theirLayers {
                for key in ["mean", "min", "max", "valid_area_km2"] { close(layers[name]?[key], layer[key], "\(name).\(key)") }
            }
        }
    }

    @Test func healthMetricsAndOpenAPIAnswer() async throws {
        let server = try await TestServer.shared.value
        let health = try await server.get("/health").json
        #expect(health["status"] as? String == "ok" && health["run_id"] as? String == DemoFixture.run.runID)
        _ = try await server.get("/v1/layers")
        let metrics = try await server.get("/metrics")
        #expect(metrics.header("Content-Type")?.hasPrefix("text/plain") == true)
        let text = metrics.text
        // Prometheus' own exposition rules: HELP and TYPE lines, counters named *_total, routes as patterns.
        #expect(text.contains("# HELP hotspot_http_requests_total ") && text.contains("# TYPE hotspot_http_requests_total counter"),
                "\(text.prefix(600))")
        #expect(text.contains("hotspot_http_requests_total{route=\"/v1/layers\",method=\"GET\",status=\"200\"}"), "\(text.prefix(900))")
        #expect(text.contains("# TYPE hotspot_http_request_duration_seconds histogram"))
        #expect(text.contains("hotspot_served_run_info{run_id=\"\(DemoFixture.run.runID)\"} 1"), "\(text.prefix(900))")
        _ = try await server.get("/v1/download?layer=loss_score&bbox=5,40,6,41")
        let after = try await server.get("/metrics").text
        #expect(after.contains("hotspot_http_requests_total{route=\"/v1/download\",method=\"GET\",status=\"200\"}"),
                "downloads are counted under their route")
        for line in after.split(separator: "\n") where line.hasPrefix("# TYPE ") && line.hasSuffix(" counter") {
            #expect(line.split(separator: " ")[2].hasSuffix("_total"), "\(line)")
        }
        let spec = try await server.get("/openapi.json").json
        #expect((spec["openapi"] as? String)?.hasPrefix("3.1") == true)
    }
}

@Suite struct LegendRouteTests {
    /// Legends speak the page's language: `lang` or `Accept-Language`; English is the ramp's own legend, the one
    /// `hotspot tiles` writes beside the pyramid.
    @Test(arguments: ["hotspot_class", "sequestration_score", "loss_score"])
    func legendsFollowTheLanguage(_ layer: String) async throws {
        let server = try await TestServer.shared.value
        var images: [String: Data] = [:]
        for lang in ["en", "fr", "es"] {
            let answer = try await server.get("/tiles/\(layer)/legend.png?lang=\(lang)")
            #expect(answer.status == 200 && answer.header("Content-Type") == "image/png")
            #expect(answer.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            #expect(answer.header("Vary")?.contains("Accept-Language") == true)
            images[lang] = answer.body
        }
        #expect(images["en"] != images["fr"] && images["fr"] != images["es"] && images["en"] != images["es"])
        let negotiated = try await server.request("/tiles/\(layer)/legend.png", method: "GET",
                                                  headers: ["Accept-Language": "es-ES, fr;q=0.8"])
        #expect(negotiated.body == images["es"])
        let rampName = layer == "hotspot_class" ? "hotspot_classes" : layer == "loss_score" ? "score_reds" : "score_greens"
        let ramp = ColourRamp(try RampSpec.load(named: rampName, configDirectory: repositoryRoot + "/Config"))
        // The ramp's words; a score's bar marks the run's threshold (90), the classes are those the run has pixels in.
        var texts = Legend.Texts(title: ramp.spec.name, units: ramp.spec.units)
        if layer.hasSuffix("_score") { texts.threshold = (90, "hotspots: 90 and above") }
        let areas = DemoFixture.run.record.hotspotClasses.areaKm2
        let empty = Set([0, 1, 2, 3].filter { code in
            (areas[["no hotspot", "sequestration hotspot", "loss hotspot", "sequestration and loss hotspot"][code]] ?? 0) <= 0 })
        if layer == "hotspot_class" { texts.omittedClasses = empty }
        #expect(images["en"] == (try Legend.png(for: ramp, texts: texts)))
        if layer.hasSuffix("_score") {
            #expect(images["en"] != (try Legend.png(for: ramp, title: ramp.spec.name)), "the threshold is drawn")
        }
        let german = try await server.get("/tiles/\(layer)/legend.png?lang=de")
        #expect(german.status == 200 && german.header("Content-Language") == "en", "a language we lack falls back to English")
        #expect(german.body == (try await server.get("/tiles/\(layer)/legend.png?lang=en").body))
    }

    /// Every GET route answers HEAD with the GET's status and headers and no body (`curl -I` works everywhere).
    @Test(arguments: ["/v1/layers", "/health", "/v1/score?lon=10.2&lat=45.3", "/tiles/loss_score/tilejson.json",
                      "/tiles/loss_score/legend.png", "/tiles/loss_score/2/2/1.png", "/v1/regions", "/v1/partners",
                      "/openapi.json", "/map", "/metrics", "/v1/regions/nowhere/stats",
                      "/v1/download?layer=loss_score&bbox=5,40,6,41", "/", "/collections/partners/items?limit=5"])
    func everyGetAnswersHead(_ path: String) async throws {
        let server = try await TestServer.shared.value
        let get = try await server.get(path)
        let head = try await server.request(path, method: "HEAD")
        #expect(head.status == get.status, "\(path)")
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Type") == get.header("Content-Type"), "\(path)")
        if path != "/metrics" {  // the metrics change between the two requests
            #expect(head.header("Content-Length") == "\(get.body.count)", "\(path): \(head.headers)")
        }
    }
}
