import GeoKit

/// Overview levels computed by the workers strip by strip, so that the COG driver only copies them (GDAL's own
/// overview pass over the finished raster cost two thirds of the COG writing time).
///
/// Levels halve the grid until it fits one 512-pixel COG block, as the COG driver's defaults do. Each level is reduced
/// from the one below by keeping, per overview pixel, the sum and count of valid values (averages: exact, since sums and
/// counts add up) or the count of each class (mode: exact for the same reason). This needs every strip to start on a
/// multiple of the coarsest factor; otherwise `plan` is nil and GDAL computes the overviews.
struct OverviewPlan: Sendable {
    let factors: [Int]

    static func plan(grid: Grid, stripRows: Int, blockSize: Int = 512) -> OverviewPlan? {
        var factors: [Int] = []
        var factor = 1
        while max(grid.width, grid.height) / factor > blockSize {
            factor *= 2
            factors.append(factor)
        }
        guard let coarsest = factors.last else { return OverviewPlan(factors: []) }
        return stripRows % coarsest == 0 ? OverviewPlan(factors: factors) : nil
    }

    /// The window of level `level` that a full-resolution strip covers.
    func window(level: Int, of strip: Window, gridWidth: Int) -> Window {
        let f = factors[level]
        return Window(column: 0, row: strip.row / f, width: (gridWidth + f - 1) / f, height: (strip.height + f - 1) / f)
    }
}

/// One worker's overview buffers for a Float32 output (nodata-aware averages). Each level's buffers are separate
/// allocations, so reducing one level from the one below reads and writes different memory.
final class AverageOverviews {
    let plan: OverviewPlan
    private let sums: [UnsafeMutableBufferPointer<Double>]
    private let counts: [UnsafeMutableBufferPointer<Int32>]
    private let outputs: [UnsafeMutableBufferPointer<Float>]

    init(plan: OverviewPlan, gridWidth: Int, stripRows: Int) {
        self.plan = plan
        let sizes = plan.factors.map { ((gridWidth + $0 - 1) / $0) * ((stripRows + $0 - 1) / $0) }
        sums = sizes.map { .allocate(capacity: $0) }
        counts = sizes.map { .allocate(capacity: $0) }
        outputs = sizes.map { .allocate(capacity: $0) }
    }

    deinit {
        sums.forEach { $0.deallocate() }
        counts.forEach { $0.deallocate() }
        outputs.forEach { $0.deallocate() }
    }

    /// The reduced strip of each level, valid after `reduce`.
    var levels: [UnsafeBufferPointer<Float>] { outputs.map { UnsafeBufferPointer($0) } }

    /// Reduces `values` (a strip `width` x `height`) into every level.
    func reduce(_ values: UnsafeBufferPointer<Float>, width: Int, height: Int, noData: Float) {
        var (sourceWidth, sourceHeight) = (width, height)
        for level in plan.factors.indices {
            let w = (sourceWidth + 1) / 2, h = (sourceHeight + 1) / 2
            let sum = sums[level], count = counts[level], out = outputs[level]
            for i in 0..<w * h { sum[i] = 0; count[i] = 0 }
            if level == 0 {
                for y in 0..<sourceHeight {
                    let row = (y / 2) * w
                    for x in 0..<sourceWidth {
                        let v = values[y * sourceWidth + x]
                        guard v != noData, !v.isNaN else { continue }
                        sum[row + x / 2] += Double(v)
                        count[row + x / 2] += 1
                    }
                }
            } else {
                let lowerSum = sums[level - 1], lowerCount = counts[level - 1]
                for y in 0..<sourceHeight {
                    let row = (y / 2) * w
                    for x in 0..<sourceWidth {
                        sum[row + x / 2] += lowerSum[y * sourceWidth + x]
                        count[row + x / 2] += lowerCount[y * sourceWidth + x]
                    }
                }
            }
            for i in 0..<w * h { out[i] = count[i] > 0 ? Float(sum[i] / Double(count[i])) : noData }
            (sourceWidth, sourceHeight) = (w, h)
        }
    }
}

/// One worker's overview buffers for a class output (the most frequent valid class; ties go to the lower code).
final class ModeOverviews {
    static let classes = 4
    let plan: OverviewPlan
    private let counts: [UnsafeMutableBufferPointer<UInt32>]
    private let outputs: [UnsafeMutableBufferPointer<UInt8>]

    init(plan: OverviewPlan, gridWidth: Int, stripRows: Int) {
        self.plan = plan
        let sizes = plan.factors.map { ((gridWidth + $0 - 1) / $0) * ((stripRows + $0 - 1) / $0) }
        counts = sizes.map { .allocate(capacity: $0 * Self.classes) }
        outputs = sizes.map { .allocate(capacity: $0) }
    }

    deinit {
        counts.forEach { $0.deallocate() }
        outputs.forEach { $0.deallocate() }
    }

    var levels: [UnsafeBufferPointer<UInt8>] { outputs.map { UnsafeBufferPointer($0) } }

    func reduce(_ values: UnsafeBufferPointer<UInt8>, width: Int, height: Int, noData: UInt8) {
        let k = Self.classes
        var (sourceWidth, sourceHeight) = (width, height)
        for level in plan.factors.indices {
            let w = (sourceWidth + 1) / 2, h = (sourceHeight + 1) / 2
            let count = counts[level], out = outputs[level]
            for i in 0..<w * h * k { count[i] = 0 }
            if level == 0 {
                for y in 0..<sourceHeight {
                    for x in 0..<sourceWidth {
                        let v = Int(values[y * sourceWidth + x])
                        guard v < k else { continue }
                        count[((y / 2) * w + x / 2) * k + v] += 1
                    }
                }
            } else {
                let lower = counts[level - 1]
                for y in 0..<sourceHeight {
                    for x in 0..<sourceWidth {
                        let target = ((y / 2) * w + x / 2) * k, source = (y * sourceWidth + x) * k
                        for c in 0..<k { count[target + c] += lower[source + c] }
                    }
                }
            }
            for i in 0..<w * h {
                var best = noData, bestCount: UInt32 = 0
                for c in 0..<k where count[i * k + c] > bestCount {
                    best = UInt8(c)
                    bestCount = count[i * k + c]
                }
                out[i] = best
            }
            (sourceWidth, sourceHeight) = (w, h)
        }
    }
}

extension Band {
    /// Writes a worker's overview strips into this band's overview levels.
    func writeOverviews<T: RasterElement>(
        _ levels: [UnsafeBufferPointer<T>], plan: OverviewPlan, strip: Window, gridWidth: Int
    ) throws(GeoError) {
        for (level, values) in levels.enumerated() {
            try overview(level).write(plan.window(level: level, of: strip, gridWidth: gridWidth), from: values)
        }
    }
}
