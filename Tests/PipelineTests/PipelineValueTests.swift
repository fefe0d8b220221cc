import Foundation
import GeoKit
import HotspotConfig
import HotspotModel
import Pipeline
import Testing
import TestSupport

/// The pipeline's rasters against an independent implementation: the layers aligned by `gdalwarp` itself and RothC
/// time-stepped month by month in numpy (`rothc_oracle.py`, written from the model's description, sharing no code).
@Suite(.serialized) struct PipelineValueTests {
    static let oracle = repositoryRoot + "/Tests/PipelineTests/rothc_oracle.py"

    /// Aligns the misaligned demo layers with the gdalwarp command line (Float32 for continuous layers, as the
    /// pipeline warps them).
    static func aligned(grid: Grid, in folder: TemporaryFolder, roles: [(String, Resampling)] = [
        ("tmean", .bilinear), ("precip", .bilinear), ("pet", .bilinear), ("landcover", .mode),
    ]) throws -> [String: String] {
        var aligned: [String: String] = [:]
        for (name, resampling) in roles {
            let out = folder.file("\(name)_gdalwarp.tif")
            let arguments = Dataset.warpArguments(onto: grid, resampling: resampling, float: name != "landcover")
            let result = try runTool("gdalwarp", ["-q", "-overwrite"] + arguments + [DemoFixture.path("\(name).tif"), out])
            #expect(result.status == 0, "gdalwarp failed: \(result.err)")
            aligned[name] = out
        }
        return aligned
    }

    /// Runs the numpy oracle on the gdalwarp-aligned inputs; returns its output folder.
    static func oracleRun(grid: Grid, config: HotspotConfiguration, in folder: TemporaryFolder,
                          extra: [String] = []) throws -> (outputs: String, aligned: [String: String]) {
        let aligned = try aligned(grid: grid, in: folder)
        let legend = config.layers[.landcover]!.classes!
        let groups = Dictionary(uniqueKeysWithValues: legend.classes.map { ("\($0.code)", $0.group.name) })
        let groupsFile = folder.file("groups.json")
        try JSONEncoder().encode(groups).write(to: URL(fileURLWithPath: groupsFile))
        let out = folder.file("oracle")
        let result = try runTool("/usr/bin/python3", [
            oracle, "--soc", DemoFixture.path("soc.tif"), "--soc-scale", "0.1", "--clay", DemoFixture.path("clay.tif"),
            "--clay-scale", "0.1", "--tmean", aligned["tmean"]!, "--precip", aligned["precip"]!,
            "--pet", aligned["pet"]!, "--landcover", aligned["landcover"]!, "--groups", groupsFile, "--out", out,
        ] + extra)
        #expect(result.status == 0, "the oracle failed: \(result.err)")
        return (out, aligned)
    }

    /// Every pixel of `mine` against `theirs`: the same nodata, values within `tolerance` relative (with a floor,
    /// since rates are differences of stocks).
    static func expectEqual(_ mine: String, _ theirs: String, tolerance: Double = 1e-4, floor: Double = 1e-3,
                            minimumCompared: Int = 20_000, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let a = try RasterArray(path: mine), b = try RasterArray(path: theirs)
        var compared = 0, worst = 0.0, nodataDiffers = 0
        for i in a.values.indices {
            if a.isNoData(i) != b.isNoData(i) { nodataDiffers += 1 }
            guard !a.isNoData(i), !b.isNoData(i) else { continue }
            worst = max(worst, abs(a.values[i] - b.values[i]) / max(abs(b.values[i]), floor))
            compared += 1
        }
        let name = (mine as NSString).lastPathComponent
        #expect(nodataDiffers == 0, "\(name): nodata differs at \(nodataDiffers) pixels", sourceLocation: sourceLocation)
        #expect(compared > minimumCompared, "\(name): too few pixels compared: \(compared)", sourceLocation: sourceLocation)
        #expect(worst <= tolerance, "\(name): worst relative difference \(worst)", sourceLocation: sourceLocation)
    }

    @Test func physicalRastersEqualTheNumpyRothCOracleEverywhere() throws {
        let folder = TemporaryFolder()
        let config = try DemoFixture.config(output: folder.file("derived"))
        let run = try HotspotRun.execute(config)
        let grid = try Dataset(path: run.directory + "/loss_expected.tif").grid()
        let oracle = try Self.oracleRun(grid: grid, config: config, in: folder)
        for layer in OutputLayer.rates + [.lossExpected] {
            try Self.expectEqual(run.directory + "/" + layer.fileName, oracle.outputs + "/" + layer.fileName,
                                 minimumCompared: layer == .lossExpected ? 40_000 : 5_000)
        }
        // The same on inputs already on the grid (the gdalwarp outputs, read directly).
        let aligned = try DemoFixture.config(output: folder.file("aligned")) { text in
            var text = text
            for name in ["tmean", "precip", "pet", "landcover"] {
                text = text.replacingOccurrences(of: DemoFixture.path("\(name).tif"), with: oracle.aligned[name]!)
            }
            return text
        }
        let crs = try CRS(aligned.grid.crs)
        for role in [LayerRole.tmean, .precip, .pet, .landcover] {
            #expect(try LayerSource.plan(aligned.layers[role]!, onto: grid, targetCRS: crs).alignment
                    == .direct(column: 0, row: 0), "\(role.rawValue) is read directly")
        }
        let direct = try HotspotRun.execute(aligned)
        for layer in OutputLayer.rates + [.lossExpected] {
            try Self.expectEqual(direct.directory + "/" + layer.fileName, oracle.outputs + "/" + layer.fileName,
                                 tolerance: 1e-5, minimumCompared: layer == .lossExpected ? 40_000 : 5_000)
        }
    }

    @Test func withoutAPETLayerThornthwaitesIsUsedAsTheDemoComputesIt() throws {
        // The demo's PET layer is Thornthwaite's from the monthly temperatures at the climate grid's latitudes; without
        // it the pipeline estimates PET on the target grid from the (interpolated) temperatures: close, not equal.
        let folder = TemporaryFolder()
        let withPET = try HotspotRun.execute(try DemoFixture.config(output: folder.file("with")))
        let config = try DemoFixture.config(output: folder.file("without")) {
            $0.components(separatedBy: "\n").filter { !$0.hasPrefix("  pet:") }.joined(separator: "\n")
        }
        #expect(config.layers[.pet] == nil)
        let without = try HotspotRun.execute(config)
        let a = try RasterArray(path: withPET.directory + "/loss_expected.tif")
        let b = try RasterArray(path: without.directory + "/loss_expected.tif")
        var close = 0, valid = 0
        for i in a.values.indices where !a.isNoData(i) {
            #expect(!b.isNoData(i))
            valid += 1
            if abs(a.values[i] - b.values[i]) <= 0.05 * max(a.values[i], 0.1) { close += 1 }
        }
        #expect(Double(close) / Double(valid) > 0.95, "\(close) of \(valid) losses within 5%")
    }

    @Test func noPixelLosesMoreThanItsStockAndTheLossGrowsWithWarmingAndHorizon() throws {
        let folder = TemporaryFolder()
        func loss(warming: Double, horizon: Int) throws -> RasterArray {
            let config = try DemoFixture.config(output: folder.file("w\(warming)-h\(horizon)")) {
                $0.replacingOccurrences(of: "warming_degC: 2.0", with: "warming_degC: \(warming)")
                    .replacingOccurrences(of: "horizon_years: 20", with: "horizon_years: \(horizon)")
            }
            #expect(config.model.warmingDegC == warming && config.model.horizonYears == horizon)
            return try RasterArray(path: try HotspotRun.execute(config).directory + "/loss_expected.tif")
        }
        let soc = try RasterArray(path: DemoFixture.path("soc.tif"))
        let none = try loss(warming: 0, horizon: 20), base = try loss(warming: 2, horizon: 20)
        let warmer = try loss(warming: 4, horizon: 20), longer = try loss(warming: 2, horizon: 40)
        var compared = 0
        for i in base.values.indices where !base.isNoData(i) {
            let stock = soc.values[i] * 0.1
            #expect(abs(none.values[i]) <= 1e-6 * stock, "no warming, no loss at pixel \(i): \(none.values[i])")
            #expect(base.values[i] >= 0 && base.values[i] < stock, "pixel \(i): loss \(base.values[i]) of \(stock) t/ha")
            // A soil frozen below -5 degC in every month even when warmed keeps its stock; every other soil loses more
            // when warmed more or for longer.
            guard base.values[i] > 0 else { continue }
            #expect(warmer.values[i] > base.values[i], "pixel \(i) loses more at +4 degC")
            #expect(longer.values[i] > base.values[i], "pixel \(i) loses more over 40 years")
            compared += 1
        }
        #expect(compared > 40_000)
    }

    /// Scores depend on the run's extent; with `scores.reference` a regional run scores on the scale of the global
    /// run whose distribution it names, and says so.
    @Test func aRegionalRunScoresOnTheGlobalScaleWhenGivenItsReference() throws {
        let folder = TemporaryFolder()
        let global = try HotspotRun.execute(try DemoFixture.config(output: folder.file("global")))
        #expect(global.record.scoresReference == "run")
        #expect(FileManager.default.fileExists(atPath: global.directory + "/score_reference.json"))
        func regional(_ name: String, reference: String?) throws -> HotspotRun.Result {
            try HotspotRun.execute(try DemoFixture.config(output: folder.file(name)) {
                $0.replacingOccurrences(of: "bbox: [-180, -60, 180, 84]", with: "bbox: [-10, 35, 30, 60]")
                    + (reference.map { "\nscores:\n  reference: \($0)\n" } ?? "")
            })
        }
        let own = try regional("own", reference: nil)
        let onGlobal = try regional("on-global", reference: global.directory)
        #expect(onGlobal.record.scoresReference == "run \(global.runID) (\(global.directory))")
        // The regional grid is the global one's pixels from column 340, row 48.
        for layer in [OutputLayer.sequestrationScore, .lossScore] {
            let g = try RasterArray(path: global.directory + "/" + layer.fileName)
            let r = try RasterArray(path: onGlobal.directory + "/" + layer.fileName)
            let o = try RasterArray(path: own.directory + "/" + layer.fileName)
            var worst = 0.0, apart = 0.0, compared = 0
            for row in 0..<r.grid.height {
                for column in 0..<r.grid.width {
                    let i = row * r.grid.width + column, j = (row + 48) * g.grid.width + column + 340
                    guard !r.isNoData(i) else { continue }
                    worst = max(worst, abs(r.values[i] - g.values[j]))
                    apart = max(apart, abs(o.values[i] - g.values[j]))
                    compared += 1
                }
            }
            #expect(compared > 500)
            #expect(worst < 0.05, "\(layer.rawValue) on the global scale: worst \(worst) points from the global run")
            #expect(apart > 5, "\(layer.rawValue) on its own scale differs from the global run by \(apart) points")
        }
        let missing = #expect(throws: PipelineError.self) { try regional("missing", reference: folder.file("nowhere")) }
        #expect(missing?.description.contains("scores.reference") == true)
    }

    /// A `nodata:` override on a same-CRS layer of another resolution goes through the warper's -srcnodata: GDAL's
    /// resampled reads know only the file's own nodata and would interpolate -1.5e36 as a temperature.
    @Test func aNodataOverrideIsHonouredWhenALayerIsResampled() throws {
        let folder = TemporaryFolder()
        let tmean = folder.file("tmean_override.tif")
        #expect(try runTool("gdal_translate", ["-q", "-a_nodata", "none", DemoFixture.path("tmean.tif"), tmean]).status == 0)
        let dataset = try Dataset(path: tmean, access: .update)
        let grid = try dataset.grid()
        let hole = Window(column: 0, row: 20, width: grid.width, height: 3)  // 64 N to 61 N on the 1-degree climate
        let fill = [Float](repeating: -1.5e36, count: hole.pixelCount)
        for band in 1...12 {
            try fill.withUnsafeBufferPointer { (p) throws(GeoError) in try dataset.band(band).write(hole, from: p) }
        }
        try dataset.close()
        let config = try DemoFixture.config(output: folder.file("derived")) {
            $0.replacingOccurrences(of: "tmean:     { path: \(DemoFixture.path("tmean.tif")), units: \"degC\" }",
                                    with: "tmean:     { path: \(tmean), units: \"degC\", nodata: -1.5e36 }")
        }
        #expect(config.layers[.tmean]?.noData == -1.5e36)
        let crs = try CRS(config.grid.crs)
        let target = try Grid(crs: config.grid.crs, resolution: config.grid.resolution, bounds: config.grid.bbox)
        #expect(try LayerSource.plan(config.layers[.tmean]!, onto: target, targetCRS: crs).alignment
                == .warped(resampling: .bilinear))
        let run = try HotspotRun.execute(config)
        let loss = try RasterArray(path: run.directory + "/loss_expected.tif")
        let soc = try RasterArray(path: DemoFixture.path("soc.tif"))
        var holes = 0
        for i in loss.values.indices {
            let lat = 84 - 0.5 * (Double(i / loss.grid.width) + 0.5)
            if lat < 63.6 && lat > 61.4 {  // target pixels whose four climate neighbours are all in the hole
                #expect(loss.isNoData(i), "inside the hole at latitude \(lat)")
                holes += 1
            } else if !loss.isNoData(i) {
                #expect(loss.values[i] >= 0 && loss.values[i] < soc.values[i] * 0.1, "a plausible loss at pixel \(i)")
            }
        }
        #expect(holes > 0)
    }

    @Test func alignedLayersEqualGdalwarpForTheSameGridAndResampling() throws {
        let folder = TemporaryFolder()
        let config = try DemoFixture.config(output: folder.file("derived"))
        let crs = try CRS(config.grid.crs)
        let grid = try Grid(crs: config.grid.crs, resolution: config.grid.resolution, bounds: config.grid.bbox)
        let reference = try Self.aligned(grid: grid, in: folder)
        for role in [LayerRole.tmean, .precip, .pet, .landcover] {
            let source = try LayerSource.plan(config.layers[role]!, onto: grid, targetCRS: crs)
            if role == .landcover {
                #expect(source.alignment == .warped(resampling: .mode), "land cover is finer and categorical: mode")
            } else {
                #expect(source.alignment == .resampled(resampling: .bilinear), "climate is coarser and continuous")
            }
            var differing = 0, worst = 0.0
            if role == .landcover {
                let expected = try RasterArray(path: reference[role.rawValue]!)
                // The plan's warp, read strip by strip as the pipeline does, compared code for code.
                let warped = try Dataset(path: source.spec.path).warped(onto: grid, resampling: .mode)
                for strip in Window.strips(width: grid.width, height: grid.height, rows: 64) {
                    var codes = [Int32](repeating: 0, count: strip.pixelCount)
                    try codes.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try warped.band(1).read(strip, into: p) }
                    for (k, code) in codes.enumerated() where Double(code) != expected.values[strip.row * grid.width + k] {
                        differing += 1
                    }
                }
                #expect(Double(differing) / Double(grid.pixelCount) < 0.001, "mode classes differ at \(differing) pixels")
                continue
            }
            let months = try (1...12).map { try RasterArray(path: reference[role.rawValue]!, band: $0) }
            let reader = try source.open()
            for strip in Window.strips(width: grid.width, height: grid.height, rows: 64) {
                let n = strip.pixelCount
                var values = [Float](repeating: 0, count: 12 * n)
                try values.withUnsafeMutableBufferPointer { (p) throws(PipelineError) in try reader.read(strip, into: p) }
                for m in 0..<12 {
                    for k in 0..<n {
                        worst = max(worst, abs(Double(values[m * n + k]) - months[m].values[strip.row * grid.width + k]))
                    }
                }
            }
            #expect(worst < 1e-3, "\(role.rawValue): worst difference from gdalwarp \(worst)")
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
        for (valueFile, scoreFile) in [("sequestration_rate_medium.tif", "sequestration_score.tif"), ("loss_expected.tif", "loss_score.tif")] {
            let values = try RasterArray(path: run.directory + "/" + valueFile)
            let score = try RasterArray(path: run.directory + "/" + scoreFile)
            // The population: the layer's valid pixels (managed land for the rate, all valid land for the loss).
            var population: [(value: Double, weight: Double)] = []
            for i in values.values.indices where !values.isNoData(i) {
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
                if values.isNoData(i) {
                    #expect(score.isNoData(i), "score must be nodata where the value is")
                    continue
                }
                worst = max(worst, abs(score.values[i] - rankOf[values.values[i]]!))
            }
            // Interpolation inside a bin stays within about ten pixels' weight of the layer's population.
            let heaviest = population.map(\.weight).max() ?? 0
            #expect(worst < 12 * 100 * heaviest / total, "\(scoreFile): worst difference from the exact mid-rank \(worst) points")
            scores.append(score.values)
        }
        let lossValues = try RasterArray(path: run.directory + "/loss_expected.tif")
        for i in classes.values.indices {
            guard !lossValues.isNoData(i) else {
                #expect(classes.values[i] == 255, "class nodata where the loss is")
                continue
            }
            let sequestration = scores[0][i] != -9999 && scores[0][i] >= 90
            let expected = (sequestration ? 1.0 : 0) + (scores[1][i] >= 90 ? 2.0 : 0)
            #expect(classes.values[i] == expected, "class at \(i)")
        }
        let hotspotArea = run.record.hotspotClasses.areaKm2["sequestration hotspot"]! + run.record.hotspotClasses.areaKm2["sequestration and loss hotspot"]!
        let managedArea = run.record.statistics["sequestration_rate_medium"]!.validAreaKm2
        #expect(abs(hotspotArea / managedArea - 0.10) < 0.01, "about 10% of the managed area is a sequestration hotspot")
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
