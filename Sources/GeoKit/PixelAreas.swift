import Foundation

/// The true area of every pixel of a grid, in km2, on the ellipsoid of the grid's CRS.
///
/// Geographic grids: the exact area of each row's latitude band (`Grid.rowAreasSquareMetres`), one value per row.
/// Projected grids: a pixel's corners are taken back to longitude and latitude and its area is that of the geodesic
/// quadrilateral they make (PROJ's `geod_polygonarea`), not the nominal pixel size, which is true of equal-area
/// projections only (a 10 km Web Mercator pixel at 60 degrees covers a quarter of 100 km2). Where the pixels of a row
/// share one area (equal-area and cylindrical projections: LAEA, EASE-Grid, Mercator) that is again one value per
/// row. Otherwise (conformal conics, stereographic, transverse Mercator) the area varies along rows too: each row is
/// cut into runs of `runWidth` columns, each run taking the area of the pixel at its centre, computed on lattice rows
/// `runWidth` rows apart and interpolated linearly in between (the midpoint rule: sums over runs are right to second
/// order). Runs are as long as the area changes by at most 0.2% from one to the next: 16 pixels on fine grids, down
/// to single pixels on coarse ones. Pixels whose corners fall outside the projection's domain have area 0.
public struct PixelAreas: Sendable {
    /// Columns per run at most, unless the grid is so large that the lattice would pass ~4 million nodes.
    public static let maximumRunWidth = 16

    public let width: Int
    public let height: Int
    /// km2 per row, when the pixels of each row share one area.
    private let rowAreas: [Double]?
    /// Otherwise: km2 of each run's centre pixel on each lattice row, `latticeRows.count` x `runsPerRow`; runs are
    /// `runWidth` columns wide and lattice rows `runWidth` rows apart.
    private let lattice: [Double]
    private let latticeRows: [Int]
    private let runsPerRow: Int
    /// Columns per run where rows are not uniform (1 where every pixel has its own area).
    public let runWidth: Int

    /// True when every row has one area (geographic grids, equal-area and cylindrical projections).
    public var isUniformAlongRows: Bool { rowAreas != nil }

    public init(grid: Grid) throws(GeoError) {
        width = grid.width
        height = grid.height
        let crs = try CRS(grid.crsDefinition)
        if crs.isGeographic {
            rowAreas = try grid.rowAreasSquareMetres().map { $0 / 1e6 }
            (lattice, latticeRows, runsPerRow, runWidth) = ([], [], 0, grid.width)
            return
        }
        let measure = try PixelMeasure(grid: grid, crs: crs)
        // Nine rows of nine pixels tell whether a row's pixels share one area.
        let sampleRows = Set((0...8).map { $0 * (grid.height - 1) / 8 }).sorted()
        let sampleColumns = Set((0...8).map { $0 * (grid.width - 1) / 8 }).sorted()
        let samples = measure.areas(sampleRows.flatMap { r in sampleColumns.map { (Double($0) + 0.5, Double(r) + 0.5) } })
        let uniform = stride(from: 0, to: samples.count, by: sampleColumns.count).allSatisfy { start in
            let row = samples[start..<start + sampleColumns.count]
            guard let low = row.min(), let high = row.max(), low > 0 else { return false }
            return high - low <= 1e-6 * high
        }
        if uniform {
            let column = Double(grid.width) / 2
            rowAreas = measure.areas((0..<grid.height).map { (column, Double($0) + 0.5) })
            (lattice, latticeRows, runsPerRow, runWidth) = ([], [], 0, grid.width)
            return
        }
        rowAreas = nil
        // Runs as long as the area stays within 0.2% from one lattice node to the next (16 pixels on fine grids,
        // down to single pixels on coarse ones), with at most ~4 million nodes (longer runs on huge grids).
        func nodes(_ step: Int) -> Int { (grid.height / step + 2) * (grid.width / step + 1) }
        var step = Self.maximumRunWidth
        while nodes(step) > 4_000_000 { step *= 2 }
        while true {
            let lattice = Self.lattice(grid: grid, step: step, measure: measure)
            if step == 1 || lattice.maximumStepChange <= 2e-3 || nodes(step / 2) > 4_000_000 {
                (runWidth, latticeRows, runsPerRow, self.lattice) = (step, lattice.rows, lattice.runs, lattice.areas)
                return
            }
            step /= 2
        }
    }

    /// Areas of the run-centre pixels on lattice rows `step` apart, and the largest relative change between
    /// neighbouring nodes (nodes outside the projection's domain aside).
    private static func lattice(grid: Grid, step: Int, measure: PixelMeasure)
        -> (rows: [Int], runs: Int, areas: [Double], maximumStepChange: Double) {
        var rows = Array(stride(from: 0, to: grid.height, by: step))
        if rows.last != grid.height - 1 { rows.append(grid.height - 1) }
        let runs = (grid.width + step - 1) / step
        let centres = (0..<runs).map { run in (Double(run * step) + Double(min(grid.width, (run + 1) * step))) / 2 }
        let areas = rows.flatMap { row in measure.areas(centres.map { ($0, Double(row) + 0.5) }) }
        var change = 0.0
        func compare(_ a: Double, _ b: Double) {
            guard a > 0, b > 0 else { return }
            change = max(change, abs(a - b) / min(a, b))
        }
        for i in rows.indices {
            for run in 0..<runs {
                let here = areas[i * runs + run]
                if run + 1 < runs { compare(here, areas[i * runs + run + 1]) }
                if i + 1 < rows.count { compare(here, areas[(i + 1) * runs + run]) }
            }
        }
        return (rows, runs, areas, change)
    }

    /// Calls `body` with the runs of `columns` in `row` whose pixels share one area, and that area (km2): the whole
    /// range at once where rows are uniform.
    @inline(__always)
    public func forEachRun(row: Int, columns: Range<Int>, _ body: (Range<Int>, Double) throws -> Void) rethrows {
        if let rowAreas {
            try body(columns, rowAreas[row])
            return
        }
        let (lattice0, lattice1, t) = latticePosition(row)
        var start = columns.lowerBound
        while start < columns.upperBound {
            let run = start / runWidth
            let end = min(columns.upperBound, (run + 1) * runWidth)
            let a = lattice[lattice0 * runsPerRow + run], b = lattice[lattice1 * runsPerRow + run]
            try body(start..<end, a + (b - a) * t)
            start = end
        }
    }

    /// The area (km2) of one pixel, as `forEachRun` gives it.
    public func area(column: Int, row: Int) -> Double {
        var area = 0.0
        forEachRun(row: row, columns: column..<column + 1) { area = $1 }
        return area
    }

    /// The lattice rows around `row` and the weight of the second.
    private func latticePosition(_ row: Int) -> (Int, Int, Double) {
        guard latticeRows.count > 1 else { return (0, 0, 0) }
        let i = min(row / runWidth, latticeRows.count - 2)
        let r0 = latticeRows[i], r1 = latticeRows[i + 1]
        return (i, i + 1, Double(row - r0) / Double(r1 - r0))
    }
}

/// Areas of unit pixels of a projected grid, centred anywhere (pixel coordinates), as geodesic quadrilaterals.
private struct PixelMeasure {
    let grid: Grid
    let transform: CoordinateTransform
    let geodesic: Geodesic

    init(grid: Grid, crs: CRS) throws(GeoError) {
        self.grid = grid
        transform = try CoordinateTransform(from: crs, to: try crs.geographic())
        geodesic = Geodesic(ellipsoidOf: crs)
    }

    /// km2 of the pixels centred at `centres` (column, row); 0 where a corner is outside the projection's domain.
    func areas(_ centres: [(Double, Double)]) -> [Double] {
        var xs: [Double] = [], ys: [Double] = []
        xs.reserveCapacity(centres.count * 4)
        ys.reserveCapacity(centres.count * 4)
        for (column, row) in centres {
            for (dc, dr) in [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)] {
                let (x, y) = grid.geoTransform.world(column: column + dc, row: row + dr)
                xs.append(x)
                ys.append(y)
            }
        }
        let ok = transform.transform(x: &xs, y: &ys)
        return centres.indices.map { i in
            let corners = i * 4..<i * 4 + 4
            guard corners.allSatisfy({ ok[$0] }) else { return 0 }
            return geodesic.polygonArea(lons: Array(xs[corners]), lats: Array(ys[corners])) / 1e6
        }
    }
}

extension Window {
    /// Calls `body` with the runs of this window's pixels that share one area, as index ranges into a window-sized
    /// buffer (row by row), and that area (km2).
    @inline(__always)
    public func forEachRun(of areas: PixelAreas, _ body: (Range<Int>, Double) throws -> Void) rethrows {
        for r in 0..<height {
            let base = r * width - column
            try areas.forEachRun(row: row + r, columns: column..<column + width) { columns, area in
                try body(base + columns.lowerBound..<base + columns.upperBound, area)
            }
        }
    }
}
