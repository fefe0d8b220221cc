/// An exact look inside the bins of a `PercentileHistogram`. A bin covers 2^12 consecutive float bit
/// patterns; for the `maxBins` bins holding the most area each pattern gets its own slot, so every distinct value
/// there has its exact area and gets its exact mid-rank. That is where it matters: interpolation inside a bin is good
/// for spread values but wrong for tie clusters (quantized inputs, floors and caps give many pixels the very same
/// value), so the bins chosen are those where values repeated most. Memory: `maxBins` x 4096 x 8 bytes (16 MiB at 512).
public struct BinRefinement: Sendable {
    static let subBits = 32 - PercentileHistogram.binBits
    static let subCount = 1 << subBits
    /// Refined-bin index per bin, or -1.
    let heavy: [Int32]
    /// Area per slot, in `FixedArea` units (order-independent sums, like the histogram's).
    var area: [UInt64]
    var below: [Double] = []

    /// An empty refinement for the `maxBins` bins of `histogram` most likely to hold tie clusters: those with two or
    /// more distinct values where values repeated most, weighted by the bin's mean pixel area.
    public init(for histogram: PercentileHistogram, maxBins: Int = 512) {
        var candidates: [(bin: Int, area: Double)] = []
        for b in histogram.area.indices where histogram.repeats[b] > 0 && histogram.low[b] != histogram.high[b] {
            candidates.append((b, Double(histogram.repeats[b]) * FixedArea.value(histogram.area[b]) / Double(histogram.count[b])))
        }
        if candidates.count > maxBins {
            candidates = Array(candidates.sorted { $0.area > $1.area }.prefix(maxBins))
        }
        var heavy = [Int32](repeating: -1, count: histogram.area.count)
        for (k, candidate) in candidates.sorted(by: { $0.bin < $1.bin }).enumerated() { heavy[candidate.bin] = Int32(k) }
        self.heavy = heavy
        area = [UInt64](repeating: 0, count: candidates.count * Self.subCount)
    }

    private init() {
        heavy = []
        area = []
    }

    init(heavy: [Int32], area: [UInt64]) {
        self.heavy = heavy
        self.area = area
    }

    /// No refined bins (a placeholder where no refinement was made).
    static let empty = BinRefinement()

    public var heavyBinCount: Int { area.count / Self.subCount }

    @inline(__always)
    static func slot(heavyIndex: Int32, value: Float) -> Int {
        let bits = value.bitPattern
        let key = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return Int(heavyIndex) * subCount + Int(key & UInt32(subCount - 1))
    }

    /// Adds the values that fall in refined bins (same filter and weights as the histogram's `add`).
    public mutating func add(_ values: UnsafeBufferPointer<Float>, include: (Int) -> Bool, pixelArea: Double) {
        let units = FixedArea.units(pixelArea)
        heavy.withUnsafeBufferPointer { heavy in
            area.withUnsafeMutableBufferPointer { area in
                for i in values.indices {
                    let v = values[i]
                    guard v.isFinite else { continue }
                    let k = heavy[PercentileHistogram.bin(of: v)]
                    guard k >= 0, include(i) else { continue }
                    area[Self.slot(heavyIndex: k, value: v)] &+= units
                }
            }
        }
    }

    /// Area below each slot within its bin.
    mutating func finalize() {
        below = [Double](repeating: 0, count: area.count)
        for k in 0..<heavyBinCount {
            var running: UInt64 = 0
            for s in k * Self.subCount..<(k + 1) * Self.subCount {
                below[s] = FixedArea.value(running)
                running &+= area[s]
            }
        }
    }

    /// Area ranked below `v` within its refined bin: exact mid-rank.
    @inline(__always)
    func rankWithin(slot s: Int) -> Double { below[s] + FixedArea.value(area[s]) / 2 }
}
