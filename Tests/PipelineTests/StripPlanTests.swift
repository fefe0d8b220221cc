import GeoKit
@testable import Pipeline
import Testing

@Suite struct StripPlanTests {
    /// Strips are 256 rows, fewer (a power of two) when 256 rows would pass 2 Mpx, and then still start on multiples
    /// of the overview factors, so the workers reduce the overviews whatever the grid's width.
    @Test(arguments: [(720, 256), (7200, 256), (8192, 256), (8193, 128), (14_400, 128), (43_200, 32), (100_000, 16),
                      (5_000_000, 1)])
    func stripsArePowersOfTwoWithinTwoMegapixels(_ width: Int, _ rows: Int) {
        let strip = HotspotRun.defaultStripRows(gridWidth: width)
        #expect(strip == rows)
        #expect(strip * width <= max(1 << 21, width))
        let grid = Grid(width: width, height: 4096, geoTransform: GeoTransform(originX: 0, pixelWidth: 1, originY: 0, pixelHeight: -1), crs: "EPSG:4326")
        if let coarsest = OverviewPlan.plan(grid: grid, stripRows: strip)?.factors.last {
            #expect(strip % coarsest == 0)
        } else {
            // Only grids whose coarsest overview factor is above the strip height fall back to GDAL's overviews.
            #expect(width / strip > 512)
        }
    }
}
