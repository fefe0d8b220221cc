import Foundation
import HotspotModel
import Testing
import TestSupport

/// The exact area-weighted mid-rank score of DESIGN.md: 100 * (weight of values < v + weight of values == v / 2) / total.
struct ExactRanks {
    let sortedValues: [Float]
    /// `cumulative[k]`: the weight of `sortedValues[0..<k]`.
    let cumulative: [Double]
    var total: Double { cumulative.last! }

    init(_ values: [Float], _ weights: [Double]) {
        var pairs = Array(zip(values, weights))
        pairs.sort { $0.0 < $1.0 }
        sortedValues = pairs.map(\.0)
        var running = 0.0, cumulative = [0.0]
        cumulative.reserveCapacity(pairs.count + 1)
        for (_, w) in pairs {
            running += w
            cumulative.append(running)
        }
        self.cumulative = cumulative
    }

    /// The number of sorted values for which `isBefore` holds (a prefix of the sorted values).
    private func count(while isBefore: (Float) -> Bool) -> Int {
        var low = 0, high = sortedValues.count
        while low < high {
            let mid = (low + high) / 2
            if isBefore(sortedValues[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    func weightBelow(_ v: Float) -> Double { cumulative[count { $0 < v }] }
    func weightEqual(_ v: Float) -> Double { cumulative[count { $0 <= v }] - weightBelow(v) }
    func score(_ v: Float) -> Double { 100 * (weightBelow(v) + weightEqual(v) / 2) / total }

    /// The definition itself, one pass over all values (to check the sorted version on a sample).
    static func bruteForce(_ v: Float, _ values: [Float], _ weights: [Double]) -> Double {
        var less = 0.0, same = 0.0, total = 0.0
        for (x, w) in zip(values, weights) {
            if x < v { less += w } else if x == v { same += w }
            total += w
        }
        return 100 * (less + same / 2) / total
    }
}

/// A finalized histogram of `values` with `weights`, added one value at a time or as one block.
func histogram(_ values: [Float], _ weights: [Double]) -> PercentileHistogram {
    var h = PercentileHistogram()
    for (v, w) in zip(values, weights) { h.add(v, pixelArea: w) }
    h.finalize()
    return h
}

struct PercentileHistogramTests {
    /// Random values (uniform, or spread over six orders of magnitude) with cos(latitude)-like random weights.
    static func randomData(seed: UInt64, count: Int = 10_000, logUniform: Bool) -> ([Float], [Double]) {
        var g = SeededGenerator(seed: seed)
        let values = (0..<count).map { _ in
            logUniform ? Float(pow(10, Double.random(in: -4...2, using: &g))) : Float.random(in: 0...50, using: &g)
        }
        let weights = (0..<count).map { _ in cos(Double.random(in: 0...1.4, using: &g)) }
        return (values, weights)
    }

    /// The histogram's bin of a value, as its documentation gives it: the top 20 bits of the order-preserving bit pattern.
    static func bin(_ v: Float) -> UInt32 {
        let bits = v.bitPattern
        return (bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000) >> 12
    }

    @Test(arguments: [(UInt64(1), false), (2, false), (3, true), (4, true)])
    func scoresOfRandomValuesAreWithinTheirBinsShareOfTheExactMidRank(_ seed: UInt64, _ logUniform: Bool) {
        let (values, weights) = Self.randomData(seed: seed, logUniform: logUniform)
        let exact = ExactRanks(values, weights)
        for i in stride(from: 0, to: values.count, by: 97) {
            #expect(abs(exact.score(values[i]) - ExactRanks.bruteForce(values[i], values, weights)) < 1e-9)
        }
        var binArea: [UInt32: Double] = [:]
        for (v, w) in zip(values, weights) { binArea[Self.bin(v), default: 0] += w }
        let h = histogram(values, weights)
        var worst = 0.0, outside = 0
        for v in values {
            let error = abs(Double(h.score(v)) - exact.score(v))
            worst = max(worst, error)
            // Interpolation inside a bin cannot be further off than the bin's share of the area.
            if error > 100 * binArea[Self.bin(v)]! / exact.total + 1e-5 { outside += 1 }
        }
        #expect(outside == 0)
        // With 10,000 values a bin holds a few of them and interpolating inside it is off by up to 0.013-0.056 points
        // here (with 1,000,000 values, 0.003: see below).
        #expect(worst < 0.075, "worst difference \(worst) score points")
    }

    @Test func atRasterSizeScoresAreWithinAHundredthOfAPointOfTheExactMidRank() {
        let (values, weights) = Self.randomData(seed: 5, count: 1_000_000, logUniform: false)
        let exact = ExactRanks(values, weights)
        let h = histogram(values, weights)
        var worst = 0.0
        for v in values { worst = max(worst, abs(Double(h.score(v)) - exact.score(v))) }
        #expect(worst < 0.01, "worst difference \(worst) score points")
    }

    @Test func aTieGetsExactlyItsMidRank() {
        // 40% exact zeros (no potential), 10% capped at the same value, the rest spread; random weights.
        var g = SeededGenerator(seed: 7)
        var values: [Float] = [], weights: [Double] = []
        for _ in 0..<10_000 {
            let u = Double.random(in: 0..<1, using: &g)
            values.append(u < 0.4 ? 0 : u < 0.5 ? 1 : Float.random(in: 0.001...0.999, using: &g))
            weights.append(Double.random(in: 0.2...1, using: &g))
        }
        let exact = ExactRanks(values, weights)
        let h = histogram(values, weights)
        for tie: Float in [0, 1] {
            // Float rounding of the score is the only difference allowed: a few ulps of a value below 100.
            #expect(abs(Double(h.score(tie)) - exact.score(tie)) < 2e-5,
                    "tie at \(tie): \(h.score(tie)) vs \(exact.score(tie))")
        }
        let zeroShare = exact.weightEqual(0) / exact.total
        #expect(abs(Double(h.score(0)) - 50 * zeroShare) < 2e-5, "half the zeros' area")
    }

    @Test func refinementMakesTieClustersInsideMixedBinsExact() {
        // 1000 pixels at exactly 20.0 and 50 spread values in the same bin, [20, 20 + 2^-7) (bins are 2^-11 relative).
        var values = [Float](repeating: 20, count: 1000)
        for k in 0..<50 { values.append(20 + Float(k) * 0.00015) }
        for k in 0..<100 { values.append(Float(k)) }
        let weights = values.indices.map { 1 + Double($0 % 7) / 10 }
        var h = PercentileHistogram()
        for (v, w) in zip(values, weights) { h.add(v, pixelArea: w) }
        h.finalize()
        var refinement = BinRefinement(for: h)
        #expect(refinement.heavyBinCount >= 1)
        for (v, w) in zip(values, weights) {
            [v].withUnsafeBufferPointer { refinement.add($0, include: { _ in true }, pixelArea: w) }
        }
        h.refine(with: refinement)
        let exact = ExactRanks(values, weights)
        for v in Set(values) {
            #expect(abs(Double(h.score(v)) - exact.score(v)) < 1e-4, "value \(v)")
        }
    }

    @Test func blockScoresEqualSingleScoresAndSkipExcludedAndInvalidValues() {
        let (values, weights) = Self.randomData(seed: 9, count: 2000, logUniform: false)
        let h = histogram(values, weights)
        var block = values
        block[5] = .nan
        block[6] = .infinity
        var out = [Float](repeating: 0, count: block.count)
        block.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                h.scores(input, include: { $0 != 7 }, into: output, noData: -1)
            }
        }
        for i in block.indices {
            let expected: Float = i == 5 || i == 6 || i == 7 ? -1 : h.score(block[i])
            #expect(out[i] == expected, "pixel \(i)")
        }
    }

    @Test func blocksAndMergedHistogramsGiveTheSameScoresAsOneByOne() {
        let (values, weights) = Self.randomData(seed: 10, count: 4000, logUniform: true)
        let single = histogram(values, weights)
        // Two workers, each with its own pixel area per block, merged.
        var first = PercentileHistogram(), second = PercentileHistogram()
        values.withUnsafeBufferPointer { all in
            for start in values.indices {
                let one = UnsafeBufferPointer(rebasing: all[start..<start + 1])
                if start % 2 == 0 {
                    first.add(one, include: { _ in true }, pixelArea: weights[start])
                } else {
                    second.add(one, include: { _ in true }, pixelArea: weights[start])
                }
            }
        }
        first.merge(second)
        first.finalize()
        #expect(first.totalCount == values.count && first.totalArea == single.totalArea)
        // Areas are summed as integers, so any grouping and order of the work gives the very same scores.
        #expect(values.allSatisfy { first.score($0) == single.score($0) })
        let starts = Array(stride(from: 0, to: values.count - 2, by: 3))
        var reversed = PercentileHistogram()
        values.withUnsafeBufferPointer { all in
            for start in starts.reversed() {
                var strip = PercentileHistogram()
                strip.add(UnsafeBufferPointer(rebasing: all[start..<start + 3]), include: { _ in true },
                          pixelArea: weights[start])
                reversed.merge(strip)
            }
        }
        var sameWeights = PercentileHistogram()
        for start in starts {
            for v in values[start..<start + 3] { sameWeights.add(v, pixelArea: weights[start]) }
        }
        reversed.finalize()
        sameWeights.finalize()
        #expect(reversed.totalArea == sameWeights.totalArea)
        #expect(values.allSatisfy { reversed.score($0) == sameWeights.score($0) })
    }

    @Test func valueAtPercentileRoundTripsThroughScore() throws {
        let (values, weights) = Self.randomData(seed: 12, logUniform: false)
        let h = histogram(values, weights)
        let exact = ExactRanks(values, weights)
        for p in stride(from: 1.0, through: 99, by: 1) {
            let v = try #require(h.value(atPercentile: p))
            #expect(abs(Double(h.score(v)) - p) < 0.05, "percentile \(p): value \(v) scores \(h.score(v))")
            // The exact share of area at or below it.
            let atOrBelow = exact.weightBelow(v) + exact.weightEqual(v)
            #expect(abs(100 * atOrBelow / exact.total - p) < 0.05, "percentile \(p)")
        }
        let median = try #require(h.value(atPercentile: 50))
        #expect(abs(median - 25) < 1, "uniform on 0-50")
    }

    @Test func theExtremePercentilesAreTheSmallestAndLargestValues() throws {
        let (values, weights) = Self.randomData(seed: 2, logUniform: false)
        let h = histogram(values, weights)
        #expect(h.value(atPercentile: 0) == values.min())
        #expect(h.value(atPercentile: 100) == values.max())
    }

    @Test func anEmptyHistogramScoresNothing() {
        var h = PercentileHistogram()
        h.finalize()
        #expect(h.score(1).isNaN)
        #expect(h.value(atPercentile: 50) == nil)
        var filled = histogram([1, 2, 3], [1, 1, 1])
        filled.finalize()
        #expect(filled.score(.nan).isNaN && filled.score(-.infinity).isNaN)
    }
}
