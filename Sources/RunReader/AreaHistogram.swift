/// Area in equal-width bins of a layer's values: `edges` has one more entry than `areaKm2`. A bin holds the values
/// from its lower edge up to (not including) the next; the last holds its upper edge too (as numpy's histogram).
public struct AreaHistogram: Codable, Sendable, Equatable {
    public var edges: [Double]
    public var areaKm2: [Double]
}

/// A layer's valid pixels in a region, each with its area, for the statistics that need them all: percentiles and
/// histograms.
struct AreaSamples {
    private var values: [Double] = []
    private var areas: [Double] = []

    mutating func append(_ value: Double, area: Double) {
        values.append(value)
        areas.append(area)
    }

    /// Area-weighted percentiles, keyed "p5", "p50"...: the smallest value whose cumulative area (in increasing
    /// order of value) reaches that share of the whole. Nil without pixels.
    func percentiles(_ shares: [Int]) -> [String: Double]? {
        guard !values.isEmpty else { return nil }
        let order = values.indices.sorted { values[$0] < values[$1] }
        var cumulative = [Double](repeating: 0, count: order.count), sum = 0.0
        for (k, i) in order.enumerated() {
            sum += areas[i]
            cumulative[k] = sum
        }
        var answer: [String: Double] = [:]
        for share in shares {
            let target = Double(share) / 100 * sum
            // The first position whose cumulative area is at least the target (a binary search: it only grows).
            var (low, high) = (0, cumulative.count - 1)
            while low < high {
                let middle = (low + high) / 2
                if cumulative[middle] >= target { high = middle } else { low = middle + 1 }
            }
            answer["p\(share)"] = values[order[low]]
        }
        return answer
    }

    /// `bins` equal bins from the smallest value to the largest (a half-unit either side when they are equal, as
    /// numpy does). Nil without pixels.
    func histogram(bins: Int) -> AreaHistogram? {
        guard var first = values.min(), var last = values.max() else { return nil }
        if first == last { (first, last) = (first - 0.5, last + 0.5) }
        let step = (last - first) / Double(bins)
        var edges = (0...bins).map { Double($0) * step + first }
        edges[bins] = last
        var area = [Double](repeating: 0, count: bins)
        for (value, pixelArea) in zip(values, areas) {
            // A first guess from the bin width, then moved so that edges[k] <= value < edges[k + 1] holds exactly.
            var k = Swift.min(bins - 1, Swift.max(0, Int((value - first) / (last - first) * Double(bins))))
            while k > 0, value < edges[k] { k -= 1 }
            while k < bins - 1, value >= edges[k + 1] { k += 1 }
            area[k] += pixelArea
        }
        return AreaHistogram(edges: edges, areaKm2: area)
    }
}
