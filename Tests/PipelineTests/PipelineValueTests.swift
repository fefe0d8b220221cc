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
