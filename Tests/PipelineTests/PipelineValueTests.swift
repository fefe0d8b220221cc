import Foundation
import GeoKit
import HotspotConfig
import HotspotModel
import Pipeline
import Testing
import TestSupport

/// The pipeline's rasters against an independent implementation: the layers aligned by `gdalwarp` itself and the
/// DESIGN.md formulas evaluated by `gdal_calc.py` (numpy), the expressions the benchmark's GDAL chain uses.
@Suite(.serialized) struct PipelineValueTests {
    /// Aligns the misaligned demo layers with the gdalwarp command line and computes rate and loss with gdal_calc.py.
    static func gdalReference(grid: Grid, in folder: TemporaryFolder) throws -> (rate: String, loss: String, aligned: [String: String]) {
        var aligned: [String: String] = [:]
        for (name, resampling) in [("tmean", Resampling.bilinear), ("precip", .bilinear), ("landcover", .mode)] {
            let out = folder.file("\(name)_gdalwarp.tif")
            let result = try runTool("gdalwarp", ["-q", "-overwrite"] + Dataset.warpArguments(onto: grid, resampling: resampling)
                                     + [DemoFixture.path("\(name).tif"), out])
            #expect(result.status == 0, "gdalwarp failed: \(result.err)")
            aligned[name] = out
        }
        var outputs: [String] = []
        for formula in ["rate", "loss"] {
            let expression = try runTool("/usr/bin/python3", [repositoryRoot + "/Benchmarks/gdal_chain_expressions.py", formula,
                                                              repositoryRoot + "/Config/landcover/esa_cci.yaml"])
            let out = folder.file("\(formula)_gdal_calc.tif")
            let result = try runTool("gdal_calc.py", [
                "-A", DemoFixture.path("soc.tif"), "-B", DemoFixture.path("clay.tif"), "-C", DemoFixture.path("silt.tif"),
                "-D", aligned["tmean"]!, "-E", aligned["precip"]!, "-F", aligned["landcover"]!,
                "--type=Float32", "--NoDataValue=-9999", "--quiet", "--overwrite", "--outfile", out,
                "--calc", expression.out.trimmingCharacters(in: .whitespacesAndNewlines),
            ])
            #expect(result.status == 0, "gdal_calc.py failed: \(result.err)")
            outputs.append(out)
        }
        return (outputs[0], outputs[1], aligned)
    }

    @Test func physicalRastersEqualGdalwarpPlusGdalCalcEverywhere() throws {
        let folder = TemporaryFolder()
        let run = try HotspotRun.execute(try DemoFixture.config(output: folder.file("derived")))
        let ours = try RasterArray(path: run.directory + "/sequestration_rate.tif")
        let reference = try Self.gdalReference(grid: ours.grid, in: folder)
        for (mine, theirs) in [("sequestration_rate.tif", reference.rate), ("loss_expected.tif", reference.loss)] {
            let a = try RasterArray(path: run.directory + "/" + mine), b = try RasterArray(path: theirs)
            var compared = 0, worst = 0.0
            for i in a.values.indices {
                #expect(a.isNoData(i) == b.isNoData(i), "nodata differs at pixel \(i) of \(mine)")
                guard !a.isNoData(i), !b.isNoData(i) else { continue }
                let error = abs(a.values[i] - b.values[i]) / max(abs(b.values[i]), 1e-3)
                worst = max(worst, error)
                compared += 1
            }
            #expect(compared > 40_000, "too few land pixels compared: \(compared)")
            #expect(worst <= 1e-4, "\(mine): worst relative difference \(worst)")
        }
    }

    @Test func gdallocationinfoReadsWhatTheModelComputesAtTestPoints() throws {
        let folder = TemporaryFolder()
        let config = try DemoFixture.config(output: folder.file("derived"))
        let run = try HotspotRun.execute(config)
        let grid = try Dataset(path: run.directory + "/loss_expected.tif").grid()
        let reference = try Self.gdalReference(grid: grid, in: folder)
        let legend = config.layers[.landcover]!.classes!
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        while checked < 25 {
            let column = Int.random(in: 0..<grid.width, using: &generator)
            let row = Int.random(in: 0..<grid.height, using: &generator)
            let (lon, lat) = grid.centre(column: column, row: row)
            guard let storedSOC = try gdalLocationValue(DemoFixture.path("soc.tif"), lon: lon, lat: lat), storedSOC != -32768,
                  let code = try gdalLocationValue(reference.aligned["landcover"]!, lon: lon, lat: lat),
                  let group = legend.group(forCode: Int(code)), group != .water else { continue }
            func value(_ path: String) throws -> Double { try gdalLocationValue(path, lon: lon, lat: lat)! }
            let explanation = try #require(PointExplanation(
                parameters: config.model, soc: storedSOC * 0.1, clay: try value(DemoFixture.path("clay.tif")) * 0.1,
                silt: try value(DemoFixture.path("silt.tif")) * 0.1, bulkDensity: nil,
                tmean: try value(reference.aligned["tmean"]!), precip: try value(reference.aligned["precip"]!),
                group: group))
            let rate = try #require(try gdalLocationValue(run.directory + "/sequestration_rate.tif", lon: lon, lat: lat))
            let loss = try #require(try gdalLocationValue(run.directory + "/loss_expected.tif", lon: lon, lat: lat))
            #expect(abs(rate - Double(explanation.rateTonnesPerHectareYear)) <= 1e-4 * max(abs(rate), 1e-3),
                    "rate at (\(lon), \(lat)): raster \(rate), model \(explanation.rateTonnesPerHectareYear)")
            #expect(abs(loss - Double(explanation.lossTonnesPerHectare)) <= 1e-4 * max(abs(loss), 1e-3),
                    "loss at (\(lon), \(lat)): raster \(loss), model \(explanation.lossTonnesPerHectare)")
            checked += 1
        }
    }

    @Test func alignedLayersEqualGdalwarpForTheSameGridAndResampling() throws {
        let folder = TemporaryFolder()
        let config = try DemoFixture.config(output: folder.file("derived"))
        let crs = try CRS(config.grid.crs)
        let grid = try Grid(crs: config.grid.crs, resolution: config.grid.resolution, bounds: config.grid.bbox)
        let reference = try Self.gdalReference(grid: grid, in: folder)
        for role in [LayerRole.tmean, .precip, .landcover] {
            let source = try LayerSource.plan(config.layers[role]!, onto: grid, targetCRS: crs)
            if role == .landcover {
                #expect(source.alignment == .warped(resampling: .mode), "land cover is finer and categorical: mode")
            } else {
                #expect(source.alignment == .resampled(resampling: .bilinear), "climate is coarser and continuous")
            }
            let expected = try RasterArray(path: reference.aligned[role.rawValue]!)
            var differing = 0, worst = 0.0
            if role == .landcover {
                // The plan's warp, read strip by strip as the pipeline does, compared code for code.
                let warped = try Dataset(path: source.spec.path).warped(onto: grid, resampling: .mode)
                for strip in Window.strips(width: grid.width, height: grid.height, rows: 64) {
                    var codes = [Int32](repeating: 0, count: strip.pixelCount)
                    try codes.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try warped.band(1).read(strip, into: p) }
                    for (k, code) in codes.enumerated() where Double(code) != expected.values[strip.row * grid.width + k] {
                        differing += 1
                    }
                }
            } else {
                let reader = try source.open()
                for strip in Window.strips(width: grid.width, height: grid.height, rows: 64) {
                    var values = [Float](repeating: 0, count: strip.pixelCount)
                    try values.withUnsafeMutableBufferPointer { (p) throws(PipelineError) in try reader.read(strip, into: p) }
                    for (k, v) in values.enumerated() {
                        worst = max(worst, abs(Double(v) - expected.values[strip.row * grid.width + k]))
                    }
                }
            }
            if role == .landcover {
                #expect(Double(differing) / Double(grid.pixelCount) < 0.001, "mode classes differ at \(differing) pixels")
            } else {
                #expect(worst < 1e-4, "\(role.rawValue): worst difference from gdalwarp \(worst)")
            }
        }
    }

    /// Exact ellipsoidal band area (authalic latitude), written out independently of GeoKit.
    static func bandArea(top: Double, bottom: Double, dLonDegrees: Double) -> Double {
        let a = 6_378_137.0, f = 1 / 298.257223563, e2 = f * (2 - f), e = e2.squareRoot()
        func q(_ lat: Double) -> Double {
            let s = sin(lat * .pi / 180)
            return s / (1 - e2 * s * s) + log((1 + e * s) / (1 - e * s)) / (2 * e)
        }
        return abs(q(top) - q(bottom)) * a * a * (1 - e2) * dLonDegrees * .pi / 180 / 2
    }

    /// Scores come from a histogram pass with exact slots for tie-prone bins: on this 60,000-pixel grid one pixel
    /// weighs about 0.002 points, and interpolation inside the other bins stays within about ten pixels' weight.
    @Test func scoresAreExactAreaWeightedMidRanksAndClassesFollowThem() throws {
        let folder = TemporaryFolder()
        let run = try HotspotRun.execute(try DemoFixture.config(output: folder.file("derived")))
        let classes = try RasterArray(path: run.directory + "/hotspot_class.tif")
        let grid = classes.grid
        let weights = (0..<grid.height).map { row -> Double in
            let top = grid.geoTransform.world(column: 0, row: Double(row)).y
            return Self.bandArea(top: top, bottom: top + grid.geoTransform.pixelHeight, dLonDegrees: grid.geoTransform.pixelWidth)
        }
        var scores: [[Double]] = []
        for (valueFile, scoreFile) in [("sequestration_rate.tif", "sequestration_score.tif"), ("loss_expected.tif", "loss_score.tif")] {
            let values = try RasterArray(path: run.directory + "/" + valueFile)
            let score = try RasterArray(path: run.directory + "/" + scoreFile)
            // The population: pixels with a class (valid and not water).
            var population: [(value: Double, weight: Double)] = []
            for i in values.values.indices where classes.values[i] != 255 {
                population.append((values.values[i], weights[i / grid.width]))
            }
            population.sort { $0.value < $1.value }
            let total = population.reduce(0) { $0 + $1.weight }
            // Cumulative weight below each distinct value, and the weight equal to it.
            var rankOf: [Double: Double] = [:]
            var index = 0, below = 0.0
            while index < population.count {
                var end = index, equal = 0.0
                while end < population.count && population[end].value == population[index].value {
                    equal += population[end].weight
                    end += 1
                }
                rankOf[population[index].value] = 100 * (below + equal / 2) / total
                below += equal
                index = end
            }
            var worst = 0.0
            for i in values.values.indices {
                if classes.values[i] == 255 {
                    #expect(score.isNoData(i), "score must be nodata where the class is")
                    continue
                }
                worst = max(worst, abs(score.values[i] - rankOf[values.values[i]]!))
            }
            #expect(worst < 0.02, "\(scoreFile): worst difference from the exact mid-rank \(worst) points")
            scores.append(score.values)
        }
        for i in classes.values.indices where classes.values[i] != 255 {
            let expected = (scores[0][i] >= 90 ? 1.0 : 0) + (scores[1][i] >= 90 ? 2.0 : 0)
            #expect(classes.values[i] == expected, "class at \(i)")
        }
        let hotspotArea = run.record.hotspotClasses.areaKm2["sequestration hotspot"]! + run.record.hotspotClasses.areaKm2["sequestration and loss hotspot"]!
        let landArea = run.record.statistics["sequestration_rate"]!.validAreaKm2 - 0
        #expect(abs(hotspotArea / landArea - 0.10) < 0.01, "about 10% of the land area is a sequestration hotspot")
    }

    @Test func nodataInAnyRequiredInputGivesNodataInEveryOutput() throws {
        let folder = TemporaryFolder()
        // Clay with a band of nodata across rows 100-109 (on land and sea).
        let clay = folder.file("clay_holes.tif")
        #expect(try runTool("gdal_translate", ["-q", DemoFixture.path("clay.tif"), clay]).status == 0)
        let dataset = try Dataset(path: clay, access: .update)
        let grid = try dataset.grid()
        let hole = Window(column: 0, row: 100, width: grid.width, height: 10)
        let fill = [Int16](repeating: -32768, count: hole.pixelCount)
        try fill.withUnsafeBufferPointer { (p) throws(GeoError) in try dataset.band(1).write(hole, from: p) }
        try dataset.close()
        let config = try DemoFixture.config(output: folder.file("derived")) {
            $0.replacingOccurrences(of: DemoFixture.path("clay.tif"), with: clay)
        }
        let run = try HotspotRun.execute(config)
        let soc = try RasterArray(path: DemoFixture.path("soc.tif"))
        for output in OutputLayer.allCases {
            let raster = try RasterArray(path: run.directory + "/" + output.fileName)
            for row in 100..<110 {
                for column in 0..<grid.width {
                    #expect(raster.isNoData(row * grid.width + column), "\(output.rawValue) at (\(column), \(row))")
                }
            }
            for i in soc.values.indices where soc.isNoData(i) {
                #expect(raster.isNoData(i), "\(output.rawValue) must be nodata where SOC is (pixel \(i))")
            }
        }
    }
}
