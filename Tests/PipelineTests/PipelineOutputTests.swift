import Foundation
import GeoKit
import HotspotConfig
import HotspotModel
import Pipeline
import Testing
import TestSupport

@Suite(.serialized) struct PipelineOutputTests {
    @Test func outputsAreValidCOGsWithNodataUnitsAndDescriptions() throws {
        let folder = TemporaryFolder()
        let run = try HotspotRun.execute(try DemoFixture.config(output: folder.file("derived")))
        for output in OutputLayer.allCases {
            let path = run.directory + "/" + output.fileName
            let info = try runTool("gdalinfo", [path])
            #expect(info.status == 0)
            #expect(info.out.contains("LAYOUT=COG"), "\(output.rawValue) is not a COG")
            #expect(info.out.contains("Overviews:"), "\(output.rawValue) has no overviews")
            #expect(info.out.contains("COMPRESSION=ZSTD"))
            #expect(info.out.contains("NoData Value=\(output == .hotspotClass ? "255" : "-9999")"))
            #expect(info.out.contains("Unit Type: \(output.units)"))
            #expect(info.out.contains("Description = \(output.rawValue)"))
            #expect(info.out.contains("SYNTHETIC=YES"), "outputs of demo inputs are marked synthetic")
            #expect(info.out.contains("CONFIG_SHA256=\(run.record.configSHA256)"))
        }
        // `latest` names the run, and run.json describes it completely.
        let latest = try FileManager.default.destinationOfSymbolicLink(atPath: folder.file("derived/latest"))
        #expect(latest == run.runID)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run.directory + "/run.json"))) as! [String: Any]
        for key in ["run_id", "config_sha256", "inputs", "model_name", "model", "landcover_classes", "scores_reference",
                    "statistics", "timings_seconds", "software", "outputs", "hotspot_classes", "grid"] {
            #expect(json[key] != nil, "run.json lacks \(key)")
        }
        let inputs = json["inputs"] as! [[String: Any]]
        #expect(inputs.count == 7)
        let model = try #require(json["model"] as? [String: Any])
        #expect(model["managed_groups"] as? [String] == ["cropland", "grassland"] && model["horizon_years"] as? Int == 20)
        let grid = try #require(json["grid"] as? [String: Any])
        #expect(grid["width"] as? Int == 720 && grid["resolution"] as? Double == 0.5, "the grid as numbers")
        for input in inputs {
            let path = input["path"] as! String
            let sha = try runTool("sha256sum", [path]).out.split(separator: " ").first.map(String.init)
            #expect(input["sha256"] as? String == sha, "checksum of \(path)")
            #expect((input["size_bytes"] as? Int) == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
        }
        let outputs = json["outputs"] as! [String: [String: Any]]
        for (name, output) in outputs {
            let sha = try runTool("sha256sum", [run.directory + "/\(name).tif"]).out.split(separator: " ").first.map(String.init)
            #expect(output["sha256"] as? String == sha, "checksum of \(name)")
        }
        #expect(!FileManager.default.fileExists(atPath: run.directory + "/work"), "intermediate files are removed")
    }

    @Test func twoRunsOnTheSameInputsGiveByteIdenticalRasters() throws {
        let folder = TemporaryFolder()
        let config = try DemoFixture.config(output: folder.file("derived"))
        // Different worker counts and strip heights hand the strips out differently: the rasters must not notice.
        var one = HotspotRun.Options()
        one.workers = 1
        var three = HotspotRun.Options()
        three.workers = 3
        three.stripRows = 48
        let first = try HotspotRun.execute(config, options: one)
        let second = try HotspotRun.execute(config, options: three)
        #expect(first.runID != second.runID)
        for output in OutputLayer.allCases {
            let a = try Data(contentsOf: URL(fileURLWithPath: first.directory + "/" + output.fileName))
            let b = try Data(contentsOf: URL(fileURLWithPath: second.directory + "/" + output.fileName))
            #expect(a == b, "\(output.rawValue) differs between runs")
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.file("derived/latest")) == second.runID)
    }

    @Test func overviewsAreNodataAwareAveragesAndModesOfTheFullResolution() throws {
        let folder = TemporaryFolder()
        let run = try HotspotRun.execute(try DemoFixture.config(output: folder.file("derived")))
        for output in OutputLayer.allCases {
            let dataset = try Dataset(path: run.directory + "/" + output.fileName)
            let band = try dataset.band(1)
            let full = try RasterArray(path: run.directory + "/" + output.fileName)
            let (w, h) = ((full.grid.width + 1) / 2, (full.grid.height + 1) / 2)
            #expect(band.overviewCount >= 1)
            var overview = [Double](repeating: 0, count: w * h)
            try overview.withUnsafeMutableBufferPointer { (p) throws(GeoError) in
                try band.overview(0).read(Window(column: 0, row: 0, width: w, height: h), into: p)
            }
            for oy in 0..<h {
                for ox in 0..<w {
                    var values: [Double] = []
                    for y in 2 * oy..<min(2 * oy + 2, full.grid.height) {
                        for x in 2 * ox..<min(2 * ox + 2, full.grid.width) where !full.isNoData(y * full.grid.width + x) {
                            values.append(full.values[y * full.grid.width + x])
                        }
                    }
                    let expected: Double
                    if values.isEmpty {
                        expected = output.noData
                    } else if output == .hotspotClass {
                        // Most frequent class, ties to the lower code.
                        expected = (0...3).map(Double.init).max { a, b in
                            let (ca, cb) = (values.filter { $0 == a }.count, values.filter { $0 == b }.count)
                            return ca < cb || (ca == cb && a > b)
                        }!
                    } else {
                        expected = values.reduce(0, +) / Double(values.count)
                    }
                    #expect(abs(overview[oy * w + ox] - expected) <= 1e-5 * max(1, abs(expected)),
                            "\(output.rawValue) overview at (\(ox), \(oy)): \(overview[oy * w + ox]) vs \(expected)")
                }
            }
        }
    }

    @Test func areasAndStatisticsAreTrueAreas() throws {
        let folder = TemporaryFolder()
        let run = try HotspotRun.execute(try DemoFixture.config(output: folder.file("derived")))
        // Land between 60 S and 84 N is about 134 million km2 (149 million with Antarctica's 14 million).
        let land = run.record.statistics["loss_expected"]!.validAreaKm2
        #expect(land > 120e6 && land < 140e6, "valid land area \(land) km2")
        let classes = run.record.hotspotClasses.areaKm2.values.reduce(0, +)
        #expect(abs(classes - land) / land < 1e-9, "class areas add up to the land area")
    }

    /// On a Web Mercator target grid a pixel's true area is not its nominal 2,500 km2: the run's land and class areas
    /// are the sums of each pixel's area on the ellipsoid (the quadrature of `pixel_area_oracle.py`, row by row; the run
    /// takes a pixel as the geodesic quadrilateral of its corners, within a few millionths of it at 50 km pixels).
    @Test func projectedGridsWeighPixelsByTheirTrueArea() throws {
        let folder = TemporaryFolder()
        let config = try DemoFixture.config(output: folder.file("derived"), crs: "EPSG:3857", resolution: 50000,
                                            bbox: [-2_000_000, 3_000_000, 4_000_000, 10_000_000])
        let run = try HotspotRun.execute(config)
        let classes = try RasterArray(path: run.directory + "/" + OutputLayer.hotspotClass.fileName)
        #expect(classes.grid.width == 120 && classes.grid.height == 140)
        let rowAreas = try oraclePixelAreas(classes.grid, squares: (0..<classes.grid.height).map { (60, Double($0) + 0.5, 1) })
        var byClass = [Double](repeating: 0, count: 4), pixels = 0
        for (i, code) in classes.values.enumerated() where code < 4 {
            byClass[Int(code)] += rowAreas[i / classes.grid.width]
            pixels += 1
        }
        let land = run.record.statistics["loss_expected"]!.validAreaKm2
        #expect(abs(land - byClass.reduce(0, +)) <= 1e-5 * land, "\(land) vs \(byClass.reduce(0, +)) km2")
        #expect(land < 0.6 * Double(pixels) * 2500, "true areas, not nominal ones: \(land) km2 for \(pixels) pixels")
        for code in HotspotClass.allCases where code.rawValue < 4 {
            let ours = run.record.hotspotClasses.areaKm2[code.label] ?? -1
            #expect(abs(ours - byClass[Int(code.rawValue)]) <= 1e-5 * max(1, ours), "\(code.label): \(ours)")
        }
    }
}
