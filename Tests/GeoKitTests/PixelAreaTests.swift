import Foundation
import GeoKit
import Testing

/// True pixel areas on projected grids, against a first-principles quadrature (`pixel_area_oracle.py`, GDAL's osr and
/// the ellipsoid's radii of curvature) and, for geographic grids, against the exact latitude-band areas.
struct PixelAreaTests {
    /// km2 of `size`-pixel squares centred at (column, row), from the oracle.
    static func oracle(_ grid: Grid, _ squares: [(Double, Double, Double)], subdivisions: Int = 16) throws -> [Double] {
        let t = grid.geoTransform
        let query: [String: Any] = [
            "crs": grid.crsDefinition, "subdivisions": subdivisions,
            "geotransform": [t.originX, t.pixelWidth, t.rowRotation, t.originY, t.columnRotation, t.pixelHeight],
            "squares": squares.map { [$0.0, $0.1, $0.2] },
        ]
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("pixel_area_oracle.py").path
        let result = try runTool("python3", [script],
                                 input: String(decoding: try JSONSerialization.data(withJSONObject: query), as: UTF8.self))
        #expect(result.status == 0, "\(result.err)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [Double])
    }

    @Test func geographicGridsHaveTheirLatitudeBandAreas() throws {
        let grid = try Grid(crs: "EPSG:4326", resolution: 0.5, bounds: [-10, 30, 40, 70])
        let areas = try PixelAreas(grid: grid)
        #expect(areas.isUniformAlongRows)
        let rows = [0, 17, 79]
        let truth = try Self.oracle(grid, rows.map { (10.5, Double($0) + 0.5, 1) })
        for (row, expected) in zip(rows, truth) {
            for column in [0, 50, 99] {
                let ours = areas.area(column: column, row: row)
                #expect(abs(ours - expected) <= 1e-6 * expected, "row \(row): \(ours) vs \(expected) km2")
            }
        }
    }

    /// Web Mercator: every row has one area, a cos^2 fraction of the nominal 100 km2 (a quarter at 60 degrees).
    @Test func webMercatorPixelsShrinkTowardsThePoles() throws {
        let grid = try Grid(crs: "EPSG:3857", resolution: 10_000, bounds: [-1_000_000, 2_000_000, 1_000_000, 11_000_000])
        let areas = try PixelAreas(grid: grid)
        #expect(areas.isUniformAlongRows)
        let rows = [0, 100, 450, 899]
        let expected = try Self.oracle(grid, rows.map { (100.5, Double($0) + 0.5, 1) })
        for (row, truth) in zip(rows, expected) {
            let ours = areas.area(column: 3, row: row)
            #expect(abs(ours - truth) <= 1e-6 * truth, "row \(row): \(ours) vs \(truth) km2")
            #expect(areas.area(column: 197, row: row) == ours)
        }
        // 70.1 degrees north: 12.0 km2 of the nominal 100; 17.8 degrees north: 90.2 km2.
        #expect(abs(expected[0] - 12.0) < 0.1 && abs(expected[3] - 90.2) < 0.1, "\(expected)")
    }

    /// Lambert conformal conic (EPSG:3034): areas vary along rows too. The lattice pixels are exact; a pixel takes its
    /// run's area (within 0.2% of its own), and the runs add up to the grid's area within 2e-5 (the midpoint rule and
    /// the linear interpolation between lattice rows).
    @Test func conformalConicAreasVaryAlongRowsAndAddUp() throws {
        let grid = try Grid(crs: "EPSG:3034", resolution: 10_000, bounds: [2_000_000, 1_000_000, 6_000_000, 5_000_000])
        let areas = try PixelAreas(grid: grid)
        #expect(!areas.isUniformAlongRows)
        let step = areas.runWidth
        #expect(step < PixelAreas.maximumRunWidth, "10 km pixels: the area changes too fast for 16-pixel runs")
        // Lattice rows, run centres: exactly the oracle's square there.
        let nodes = [(0, 0), (32, 5), (399, 24)]
        let nodeTruth = try Self.oracle(grid, nodes.map { row, run in
            ((Double(run * step) + Double(min(grid.width, (run + 1) * step))) / 2, Double(row) + 0.5, 1)
        })
        for ((row, run), truth) in zip(nodes, nodeTruth) {
            let ours = areas.area(column: run * step, row: row)
            #expect(abs(ours - truth) <= 1e-6 * truth, "lattice row \(row) run \(run): \(ours) vs \(truth)")
        }
        // Any pixel: its own square.
        let pixels = [(0, 0), (399, 399), (123, 77), (250, 301), (7, 390), (398, 3)]
        let pixelTruth = try Self.oracle(grid, pixels.map { (Double($0.0) + 0.5, Double($0.1) + 0.5, 1) })
        for ((column, row), truth) in zip(pixels, pixelTruth) {
            let ours = areas.area(column: column, row: row)
            #expect(abs(ours - truth) <= 2e-3 * truth, "pixel \(column), \(row): \(ours) vs \(truth)")
        }
        #expect(Set(pixelTruth.map { ($0 * 1000).rounded() }).count == pixels.count, "areas differ across the grid")
        // The whole grid: the runs of every window add up to the area of the grid's square.
        var total = 0.0
        for window in Window.strips(width: grid.width, height: grid.height, rows: 64) {
            window.forEachRun(of: areas) { range, area in total += Double(range.count) * area }
        }
        let truth = try Self.oracle(grid, [(200, 200, 400)], subdivisions: 800)[0]
        #expect(abs(total - truth) <= 2e-5 * truth, "\(total) vs \(truth) km2")
    }

    /// Lambert azimuthal equal-area (EPSG:3035): the nominal area everywhere, as the projection promises.
    @Test func equalAreaPixelsAreNominal() throws {
        let grid = try Grid(crs: "EPSG:3035", resolution: 5000, bounds: [2_500_000, 1_400_000, 7_500_000, 5_500_000])
        let areas = try PixelAreas(grid: grid)
        #expect(areas.isUniformAlongRows, "one area per row: the fast path")
        for (column, row) in [(0, 0), (500, 400), (999, 819), (321, 123)] {
            #expect(abs(areas.area(column: column, row: row) - 25) <= 1e-4, "\(areas.area(column: column, row: row))")
        }
    }
}
