import GeoKit
@testable import Pipeline
import Testing

@Suite struct StripPlanTests {
    /// Strips are 256 rows, fewer (a power of two) when 256 rows would pass 1 Mpx, and then still start on multiples
    /// of the overview factors, so the workers reduce the overviews whatever the grid's width.
    @Test(arguments: [(720, 256), (4096, 256), (4097, 128), (7200, 128), (14_400, 64), (28_800, 32), (43_200, 16),
                      (159_246, 4), (5_000_000, 1)])
    func stripsArePowersOfTwoWithinOneMegapixel(_ width: Int, _ rows: Int) {
        let strip = HotspotRun.defaultStripRows(gridWidth: width)
        #expect(strip == rows)
        #expect(strip * width <= max(1 << 20, width))
        let grid = Grid(width: width, height: 4096, geoTransform: GeoTransform(originX: 0, pixelWidth: 1, originY: 0, pixelHeight: -1), crs: "EPSG:4326")
        if let coarsest = OverviewPlan.plan(grid: grid, stripRows: strip)?.factors.last {
            #expect(strip % coarsest == 0)
        } else {
            // Only grids whose coarsest overview factor is above the strip height fall back to GDAL's overviews.
            #expect(width / strip > 512)
        }
    }
}
