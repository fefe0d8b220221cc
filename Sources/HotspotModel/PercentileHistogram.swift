/// Area-weighted percentile ranks of a raster's values, in memory that does not grow with the raster.
///
/// Values are binned by their IEEE-754 bit pattern (made order-preserving), so the bins are relatively narrow
/// everywhere: 2^20 bins give a relative width of 2^-11. Each bin keeps its area, count and value range; a value's
/// rank interpolates within its bin, and a bin holding a single value (ties such as an exact 0) gives the mid-rank.
/// The score of `v` is `100 * (area below v + area equal to v / 2) / total area`, the area-weighted mid-rank.
public struct PercentileHistogram: Sendable {
    public static let binBits = 20
    static let shift = UInt32(32 - binBits)

    /// Area per bin, in `FixedArea` units.
    var area: [UInt64]
    var count: [UInt32]
    var low: [Float]
    var high: [Float]
    /// The last value added to each bin and how often a value repeated its predecessor there: a cheap sign of tie
    /// clusters, which choose the bins `BinRefinement` resolves exactly. Only repeats within one `add` call count
    /// (`lastCall` stamps the call), so the counts do not depend on which strips a worker took before.
    var last: [Float]
    var lastCall: [UInt32]
    var call: UInt32 = 0
    var repeats: [UInt32]
    /// Exact slots for the bins most likely to hold tie clusters, when a refinement pass was made.
    var refinement: BinRefinement?
    /// Area below each bin, filled by `finalize()`.
    var below: [Double] = []
    var totalUnits: UInt64 = 0
    public var totalArea: Double { FixedArea.value(totalUnits) }
    public internal(set) var totalCount: Int = 0

    public init() {
        let bins = 1 << Self.binBits
        area = [UInt64](repeating: 0, count: bins)
        count = [UInt32](repeating: 0, count: bins)
        low = [Float](repeating: .infinity, count: bins)
        high = [Float](repeating: -.infinity, count: bins)
        last = [Float](repeating: .nan, count: bins)
        lastCall = [UInt32](repeating: 0, count: bins)
        repeats = [UInt32](repeating: 0, count: bins)
    }

    static func bin(of value: Float) -> Int {
        let bits = value.bitPattern
        let key = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return Int(key >> shift)
    }

    /// Adds the finite values of `values` where `include` says so, each with weight `pixelArea`.
    public mutating func add(
        _ values: UnsafeBufferPointer<Float>, include: (Int) -> Bool, pixelArea: Double
    ) {
        let units = FixedArea.units(pixelArea)
        var addedCount = 0
        call &+= 1
        let call = max(1, self.call)  // 0 stamps the single-value `add`
        area.withUnsafeMutableBufferPointer { area in
            count.withUnsafeMutableBufferPointer { count in
                low.withUnsafeMutableBufferPointer { low in
                    high.withUnsafeMutableBufferPointer { high in
                    last.withUnsafeMutableBufferPointer { last in
                    repeats.withUnsafeMutableBufferPointer { repeats in
                    lastCall.withUnsafeMutableBufferPointer { lastCall in
                        for i in values.indices {
                            let v = values[i]
                            guard v.isFinite, include(i) else { continue }
                            let b = Self.bin(of: v)
                            area[b] &+= units
                            count[b] &+= 1
                            if v < low[b] { low[b] = v }
                            if v > high[b] { high[b] = v }
                            if v == last[b] && lastCall[b] == call { repeats[b] &+= 1 }
                            last[b] = v
                            lastCall[b] = call
                            addedCount += 1
                        }
                    }
                    }
                    }
                    }
                }
            }
        }
        totalUnits &+= units &* UInt64(addedCount)
        totalCount += addedCount
    }

    /// Adds another histogram's values (the workers of a pass each fill their own).
    public mutating func merge(_ other: PercentileHistogram) {
        for b in area.indices where other.count[b] > 0 {
            area[b] &+= other.area[b]
            count[b] &+= other.count[b]
            low[b] = min(low[b], other.low[b])
            high[b] = max(high[b], other.high[b])
            repeats[b] &+= other.repeats[b]
        }
        totalUnits &+= other.totalUnits
        totalCount += other.totalCount
    }

    /// Adds one value.
    public mutating func add(_ v: Float, pixelArea: Double) {
        guard v.isFinite else { return }
        let b = Self.bin(of: v)
        let units = FixedArea.units(pixelArea)
        area[b] &+= units
        count[b] &+= 1
        low[b] = min(low[b], v)
        high[b] = max(high[b], v)
        if v == last[b] && lastCall[b] == 0 { repeats[b] &+= 1 }
        last[b] = v
        lastCall[b] = 0
        totalUnits &+= units
        totalCount += 1
    }

    /// Installs a filled refinement (see `BinRefinement`); scores use it from then on.
    public mutating func refine(with refinement: BinRefinement) {
        var refinement = refinement
        refinement.finalize()
        self.refinement = refinement
    }

    /// Prepares the cumulative areas; call once after the last `add`.
    public mutating func finalize() {
        below = [Double](repeating: 0, count: area.count)
        var running: UInt64 = 0
        for b in area.indices {
            below[b] = FixedArea.value(running)
            running &+= area[b]
        }
    }

    /// The score (0-100) of `v`, or NaN for a non-finite value or an empty histogram.
    public func score(_ v: Float) -> Float {
        guard v.isFinite, totalArea > 0 else { return .nan }
        let b = Self.bin(of: v)
        var rank = below[b]
        if let r = refinement, r.heavy[b] >= 0 {
            rank += r.rankWithin(slot: BinRefinement.slot(heavyIndex: r.heavy[b], value: v))
        } else {
            rank += Self.withinBin(v, area: FixedArea.value(area[b]), count: count[b], low: low[b], high: high[b])
        }
        return Float(100 * rank / totalArea)
    }

    /// Scores a whole block: `out[i] = score(values[i])`, or `noData` where the value is not finite or `include` says no.
    /// The same arithmetic as `score(_:)`, over raw pointers: no reference counting or bounds checks per pixel.
    public func scores(
        _ values: UnsafeBufferPointer<Float>, include: (Int) -> Bool, into out: UnsafeMutableBufferPointer<Float>,
        noData: Float
    ) {
        guard totalArea > 0 else {
            for i in values.indices { out[i] = noData }
            return
        }
        let total = totalArea
        let refinement = self.refinement ?? BinRefinement.empty
        let refined = self.refinement != nil
        area.withUnsafeBufferPointer { area in
            count.withUnsafeBufferPointer { count in
                low.withUnsafeBufferPointer { low in
                    high.withUnsafeBufferPointer { high in
                        below.withUnsafeBufferPointer { below in
                            for i in values.indices {
                                let v = values[i]
                                guard v.isFinite, include(i) else {
                                    out[i] = noData
                                    continue
                                }
                                let b = Self.bin(of: v)
                                var rank = below[b]
                                if refined, refinement.heavy[b] >= 0 {
                                    rank += refinement.rankWithin(
                                        slot: BinRefinement.slot(heavyIndex: refinement.heavy[b], value: v))
                                } else {
                                    rank += Self.withinBin(v, area: FixedArea.value(area[b]), count: count[b],
                                                           low: low[b], high: high[b])
                                }
                                out[i] = Float(100 * rank / total)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The area ranked below `v` inside a bin: the mid-rank for a single value, linear interpolation otherwise.
    @inline(__always)
    static func withinBin(_ v: Float, area: Double, count n: UInt32, low: Float, high: Float) -> Double {
        if n == 0 { return 0 }
        if n == 1 || low == high { return area / 2 }
        let fraction = Double(min(max((v - low) / (high - low), 0), 1))
        return (fraction * Double(n - 1) + 0.5) * (area / Double(n))
    }

    /// The value at `percentile` of the area (for statistics): the first bin whose cumulative area reaches it,
    /// interpolated inside the bin.
    public func value(atPercentile percentile: Double) -> Float? {
        guard totalArea > 0 else { return nil }
        let target = percentile / 100 * totalArea
        for b in area.indices where count[b] > 0 {
            let binArea = FixedArea.value(area[b])
            guard below[b] + binArea >= target else { continue }
            if low[b] == high[b] { return low[b] }
            let fraction = Float(max(0, min(1, (target - below[b]) / binArea)))
            return low[b] + fraction * (high[b] - low[b])
        }
        // Rounding: the cumulative area, converted to Double bin by bin, can end a hair below `totalArea`; the
        // target is then the top of the population.
        return area.indices.last { count[$0] > 0 }.map { high[$0] }
    }

    /// The values at `count` evenly spaced percentiles from 0 to 100, in one sweep over the bins (the same values as
    /// `value(atPercentile:)`); nil for an empty population.
    public func quantiles(count points: Int) -> [Float]? {
        guard totalArea > 0, points >= 2 else { return nil }
        var out: [Float] = []
        out.reserveCapacity(points)
        var b = 0
        let last = area.indices.last { count[$0] > 0 } ?? 0
        for k in 0..<points {
            let target = Double(k) / Double(points - 1) * totalArea
            while b <= last && (count[b] == 0 || below[b] + FixedArea.value(area[b]) < target) { b += 1 }
            guard b <= last else {
                out.append(high[last])
                continue
            }
            let binArea = FixedArea.value(area[b])
            if low[b] == high[b] {
                out.append(low[b])
            } else {
                let fraction = Float(max(0, min(1, (target - below[b]) / binArea)))
                out.append(low[b] + fraction * (high[b] - low[b]))
            }
        }
        return out
    }
}
