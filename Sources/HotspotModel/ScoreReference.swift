/// How values become 0-100 scores: against the run's own valid pixels (an exact area-weighted mid-rank from the
/// run's histogram), or against a reference distribution saved by another run, so that a regional run scores on the
/// global scale.
public enum ScoreScale: Sendable {
    case run(PercentileHistogram)
    case reference(QuantileTable)

    /// Scores `values` where `include` holds, `noData` elsewhere.
    public func scores(
        _ values: UnsafeBufferPointer<Float>, include: (Int) -> Bool, into out: UnsafeMutableBufferPointer<Float>,
        noData: Float
    ) {
        switch self {
        case let .run(histogram): histogram.scores(values, include: include, into: out, noData: noData)
        case let .reference(table):
            for i in values.indices {
                out[i] = values[i].isFinite && include(i) ? table.score(values[i]) ?? noData : noData
            }
        }
    }
}

/// An area-weighted distribution as the values at evenly spaced percentiles (0, 0.01, ..., 100 by default), small
/// enough to ship beside a run (`score_reference.json`) and score other runs against.
public struct QuantileTable: Sendable, Equatable, Codable {
    /// Non-decreasing values at percentiles `100 k / (count - 1)`.
    public var values: [Float]

    public init?(values: [Float]) {
        guard values.count >= 2, zip(values, values.dropFirst()).allSatisfy({ $0 <= $1 }),
              values.allSatisfy(\.isFinite) else { return nil }
        self.values = values
    }

    /// The percentile of `v` in the reference: 0 below its smallest value, 100 above its largest, the middle of the
    /// percentiles where the reference holds `v` itself (a tie), linear between the two neighbouring percentiles
    /// otherwise.
    public func score(_ v: Float) -> Float? {
        guard v.isFinite else { return nil }
        let step = 100 / Float(values.count - 1)
        // First index with values[i] >= v, and first with values[i] > v.
        func partition(_ isBelow: (Float) -> Bool) -> Int {
            var low = 0, high = values.count
            while low < high {
                let mid = (low + high) / 2
                if isBelow(values[mid]) { low = mid + 1 } else { high = mid }
            }
            return low
        }
        let lower = partition { $0 < v }, upper = partition { $0 <= v }
        if lower < upper { return Float(lower + upper - 1) / 2 * step }
        if lower == 0 { return 0 }
        if lower == values.count { return 100 }
        let a = values[lower - 1], b = values[lower]
        return (Float(lower - 1) + (v - a) / (b - a)) * step
    }
}
