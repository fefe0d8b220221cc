import Foundation
import HotspotModel
import Testing

/// The DESIGN.md formulas written out again in Double, independently of the model's own helpers.
enum Reference {
    static func rate(soc: Double, clay: Double, silt: Double, bd: Double = 1.3, t: Double, p: Double, manageable: Double) -> Double {
        let cSat = 4.09 + 0.37 * (clay + silt)
        let sSat = cSat * bd * 30 * 0.1
        let deficit = max(0, sSat - soc)
        let npp = min(3000 * (1 - exp(-0.000664 * p)), 3000 / (1 + exp(1.315 - 0.119 * t)))
        return min(deficit / 20, 1.0 * npp / 3000) * manageable
    }

    static func a(_ t: Double) -> Double { t + 18.27 > 0 ? 47.91 / (1 + exp(106.06 / (t + 18.27))) : 0 }

    static func loss(soc: Double, t: Double, vulnerability: Double) -> Double {
        let now = a(t), warm = a(t + 2)
        let w = now > 0 ? warm / now - 1 : (warm > 0 ? Double.infinity : 0)
        return soc * min(1, vulnerability + 0.5 * w)
    }
}

struct ScoringModelTests {
    /// Scores one pixel with the block scorer.
    static func score(soc: Float, clay: Float, silt: Float?, bd: Float? = nil, t: Float, p: Float, group: UInt8,
                      parameters: ModelParameters = ModelParameters()) -> (rate: Float, loss: Float) {
        let scorer = BlockScorer(parameters: parameters, noData: -9999)
        var rate: [Float] = [0], loss: [Float] = [0]
        let s = [soc], c = [clay], si = [silt ?? 0], b = [bd ?? 0], tt = [t], pp = [p], g = [group]
        s.withUnsafeBufferPointer { s in c.withUnsafeBufferPointer { c in si.withUnsafeBufferPointer { si in
            b.withUnsafeBufferPointer { b in tt.withUnsafeBufferPointer { tt in pp.withUnsafeBufferPointer { pp in
                g.withUnsafeBufferPointer { g in
                    rate.withUnsafeMutableBufferPointer { r in loss.withUnsafeMutableBufferPointer { l in
                        let inputs = ScoringInputs(soc: s, clay: c, silt: silt == nil ? nil : si, bulkDensity: bd == nil ? nil : b,
                                                   tmean: tt, precip: pp, group: g)
                        scorer.score(inputs, range: 0..<1, rate: r, loss: l)
                    } }
                } } } } } } }
        return (rate[0], loss[0])
    }

    static func close(_ a: Float, _ b: Double, _ tolerance: Double = 1e-5) -> Bool {
        abs(Double(a) - b) <= tolerance * max(abs(b), 1e-6)
    }

    @Test func croplandLimitedByTheSaturationDeficit() {
        // Sandy soil close to saturation: deficit 2.0 t/ha over 20 years = 0.1 t/ha/yr, below productivity's ~0.6.
        let sSat = (4.09 + 0.37 * 12.0) * 1.3 * 3
        let soc = Float(sSat - 2.0)
        let (rate, loss) = Self.score(soc: soc, clay: 5, silt: 7, t: 15, p: 800, group: LandCoverGroup.cropland.rawValue)
        let expected = Reference.rate(soc: Double(soc), clay: 5, silt: 7, t: 15, p: 800, manageable: 1)
        #expect(abs(expected - 0.1) < 1e-5, "hand check of the reference: 2 t/ha over 20 years")
        #expect(Self.close(rate, expected))
        #expect(Self.close(loss, Reference.loss(soc: Double(soc), t: 15, vulnerability: 0.15)))
        let explanation = PointExplanation(parameters: ModelParameters(), soc: Double(soc), clay: 5, silt: 7, bulkDensity: nil,
                                           tmean: 15, precip: 800, group: .cropland)!
        #expect(explanation.rateLimit == .saturationDeficit)
        #expect(explanation.rateTonnesPerHectareYear == rate)
    }

    @Test func grasslandLimitedByProductivity() {
        let (rate, _) = Self.score(soc: 30, clay: 25, silt: 35, t: 5, p: 400, group: LandCoverGroup.grassland.rawValue)
        // Miami NPP by hand: precipitation limits (3000 * (1 - e^-0.2656) = 699.76 < temperature 982.18).
        let npp = 3000 * (1 - exp(-0.000664 * 400.0))
        #expect(abs(npp - 699.763) < 0.001)
        #expect(Self.close(rate, npp / 3000 * 0.7))
        let explanation = PointExplanation(parameters: ModelParameters(), soc: 30, clay: 25, silt: 35, bulkDensity: nil,
                                           tmean: 5, precip: 400, group: .grassland)!
        #expect(explanation.rateLimit == .productivity)
        #expect(explanation.nppLimitedBy == "precipitation")
        #expect(explanation.landUseFactor == 0.7)
    }

    @Test func wetlandSequestersNothingAndLosesHalfItsStockAtLeast() {
        let (rate, loss) = Self.score(soc: 200, clay: 20, silt: 30, t: 10, p: 900, group: LandCoverGroup.wetland.rawValue)
        #expect(rate == 0)
        #expect(Self.close(loss, Reference.loss(soc: 200, t: 10, vulnerability: 0.5)))
        #expect(loss >= 100)
    }

    @Test func missingSiltMeansClayAloneAndBulkDensityDefaultsTo13() {
        let without = Self.score(soc: 20, clay: 10, silt: nil, t: 25, p: 3000, group: 0).rate
        #expect(Self.close(without, Reference.rate(soc: 20, clay: 10, silt: 0, t: 25, p: 3000, manageable: 1)))
        let dense = Self.score(soc: 20, clay: 10, silt: nil, bd: 1.6, t: 25, p: 3000, group: 0).rate
        #expect(Self.close(dense, Reference.rate(soc: 20, clay: 10, silt: 0, bd: 1.6, t: 25, p: 3000, manageable: 1)))
        #expect(dense != without)
    }

    @Test(arguments: [
        (Float.nan, Float(20), Float(10), Float(800), UInt8(0)),
        (Float(30), .nan, Float(10), Float(800), UInt8(0)),
        (Float(30), Float(20), .nan, Float(800), UInt8(0)),
        (Float(30), Float(20), Float(10), .nan, UInt8(0)),
        (Float(30), Float(20), Float(10), Float(800), LandCoverGroup.noDataCode),
    ])
    func nodataInAnyRequiredInputGivesNodata(_ soc: Float, _ clay: Float, _ t: Float, _ p: Float, _ group: UInt8) {
        let (rate, loss) = Self.score(soc: soc, clay: clay, silt: 30, t: t, p: p, group: group)
        #expect(rate == -9999 && loss == -9999)
    }

    @Test func rothCModifierIsZeroAtAndBelowItsPole() {
        #expect(LossModel.rothCModifier(-18.27) == 0 && LossModel.rothCModifier(-25) == 0)
        #expect(abs(LossModel.rothCModifier(10) - Reference.a(10)) < 1e-12)
        // Too cold now, decomposing after +2 degC: the whole stock counts as lost.
        let thawing = Self.score(soc: 50, clay: 20, silt: 30, t: -19, p: 300, group: LandCoverGroup.grassland.rawValue)
        #expect(thawing.loss == 50)
        // Too cold even after warming: only the land-use vulnerability.
        let frozen = Self.score(soc: 50, clay: 20, silt: 30, t: -25, p: 300, group: LandCoverGroup.grassland.rawValue)
        #expect(Self.close(frozen.loss, 5))
    }

    @Test func lossIsCappedAtTheStock() {
        for t in stride(from: Float(-18), through: 35, by: 1.5) {
            let (_, loss) = Self.score(soc: 80, clay: 20, silt: 30, t: t, p: 500, group: LandCoverGroup.wetland.rawValue)
            #expect(loss <= 80)
            #expect(Self.close(loss, Reference.loss(soc: 80, t: Double(t), vulnerability: 0.5)))
        }
    }

    @Test func configuredConstantsAreUsed() {
        var parameters = ModelParameters()
        parameters.horizonYears = 40
        parameters.rMaxTonnesPerHectareYear = 0.5
        parameters.manageable[.cropland] = 0.5
        parameters.warmingDegC = 4
        parameters.sensitivity = 0.25
        parameters.vulnerability[.cropland] = 0.3
        let (rate, loss) = Self.score(soc: 40, clay: 20, silt: 30, t: 12, p: 700, group: 0, parameters: parameters)
        let cSat = (4.09 + 0.37 * 50.0) * 1.3 * 3
        let npp = min(3000 * (1 - exp(-0.000664 * 700.0)), 3000 / (1 + exp(1.315 - 0.119 * 12)))
        #expect(Self.close(rate, min((cSat - 40) / 40, 0.5 * npp / 3000) * 0.5))
        let w = Reference.a(16) / Reference.a(12) - 1
        #expect(Self.close(loss, 40 * min(1, 0.3 + 0.25 * w)))
    }

    @Test func hotspotClassesAtTheThreshold() {
        #expect(HotspotClass.code(sequestrationScore: 90, lossScore: 89.99, threshold: 90) == 1)
        #expect(HotspotClass.code(sequestrationScore: 10, lossScore: 95, threshold: 90) == 2)
        #expect(HotspotClass.code(sequestrationScore: 90, lossScore: 90, threshold: 90) == 3)
        #expect(HotspotClass.code(sequestrationScore: 89.9, lossScore: 0, threshold: 90) == 0)
        #expect(HotspotClass.code(sequestrationScore: .nan, lossScore: 99, threshold: 90) == 255)
    }

    @Test func landCoverLegendLooksCodesUp() {
        let legend = LandCoverClasses(name: "t", classes: [
            LandCoverClass(code: 10, group: .cropland, label: "crops"), LandCoverClass(code: 210, group: .water, label: "water"),
        ])
        #expect(legend.group(forCode: 10) == .cropland && legend.group(forCode: 210) == .water)
        #expect(legend.group(forCode: 11) == nil && legend.group(forCode: -1) == nil && legend.group(forCode: 70000) == nil)
        #expect(legend.groupByCode[11] == LandCoverGroup.noDataCode)
        #expect(legend.entry(forCode: 10)?.label == "crops")
    }
}

struct PercentileHistogramTests {
    /// Exact area-weighted mid-rank by sorting.
    static func exact(_ values: [Float], _ weights: [Double]) -> [Float: Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        let total = weights.reduce(0, +)
        var out: [Float: Double] = [:], below = 0.0, i = 0
        while i < order.count {
            var j = i, equal = 0.0
            while j < order.count && values[order[j]] == values[order[i]] { equal += weights[order[j]]; j += 1 }
            out[values[order[i]]] = 100 * (below + equal / 2) / total
            below += equal
            i = j
        }
        return out
    }

    @Test func scoresAreCloseToTheExactWeightedMidRank() {
        var generator = SystemRandomNumberGenerator()
        let values = (0..<10_000).map { _ in Float.random(in: 0...50, using: &generator) }
        let weights = (0..<10_000).map { _ in Double.random(in: 0.5...1.5, using: &generator) }
        var histogram = PercentileHistogram()
        for (v, w) in zip(values, weights) { histogram.add(v, pixelArea: w) }
        histogram.finalize()
        let exact = Self.exact(values, weights)
        let worst = values.map { abs(Double(histogram.score($0)) - exact[$0]!) }.max()!
        #expect(worst < 0.05, "worst \(worst) points")
    }

    @Test func tiesGetExactlyTheirMidRank() {
        var histogram = PercentileHistogram()
        for _ in 0..<300 { histogram.add(0, pixelArea: 1) }
        for k in 1...100 { histogram.add(Float(k), pixelArea: 1) }
        histogram.finalize()
        #expect(abs(histogram.score(0) - 100 * 150 / 400) < 1e-4)
        #expect(abs(histogram.score(100) - 100 * 399.5 / 400) < 1e-4)
        #expect(histogram.score(.nan).isNaN)
    }

    @Test func refinementMakesTieClustersInsideMixedBinsExact() {
        // 1000 pixels at exactly 20.0 and 50 spread values in the same bin (within 2^-11 relative).
        var values = [Float](repeating: 20, count: 1000)
        for k in 0..<50 { values.append(20 + Float(k) * 0.0002) }
        for k in 0..<100 { values.append(Float(k)) }
        var histogram = PercentileHistogram()
        var block = values
        block.withUnsafeBufferPointer { histogram.add($0, include: { _ in true }, pixelArea: 1) }
        histogram.finalize()
        var refinement = BinRefinement(for: histogram)
        #expect(refinement.heavyBinCount >= 1)
        block.withUnsafeBufferPointer { refinement.add($0, include: { _ in true }, pixelArea: 1) }
        histogram.refine(with: refinement)
        let exact = Self.exact(values, [Double](repeating: 1, count: values.count))
        for v in Set(values) {
            #expect(abs(Double(histogram.score(v)) - exact[v]!) < 1e-3, "value \(v)")
        }
        block[0] = 0
    }

    @Test func percentileValuesRoundTrip() {
        var histogram = PercentileHistogram()
        for k in 0..<1000 { histogram.add(Float(k), pixelArea: 1) }
        histogram.finalize()
        #expect(abs(Double(histogram.value(atPercentile: 50)!) - 500) < 2)
        #expect(abs(Double(histogram.value(atPercentile: 90)!) - 900) < 2)
    }
}
