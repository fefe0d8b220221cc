import Foundation
import GeoKit
@testable import HotspotAPI
@testable import RunReader
import Pipeline
import TestSupport
import Testing

/// The edges of download boxes: the antimeridian seen from either side, a box ending exactly at 180 degrees, and a
/// box across the antimeridian on a regional grid (only one side of it can overlap).
@Suite struct DownloadWindowTests {
    static let catalog = try! RegionCatalog(path: repositoryRoot + "/Config/regions.geojson")

    static func run() throws -> RunReader {
        try RunReader(directory: DemoFixture.run.directory)
    }

    /// West at 180 or east at -180 is the meridian seen from the other side: a plain box, not a crossing.
    @Test(arguments: [("180,0,10,10", -180.0, 10.0), ("170,0,-180,10", 170.0, 180.0)])
    func anEdgeOnTheAntimeridianIsThatMeridian(_ bbox: String, _ west: Double, _ east: Double) throws {
        let request = try DownloadRequest(layer: "loss_score", bbox: bbox, region: nil, catalog: Self.catalog)
        #expect(!request.crossesAntimeridian && request.box == [west, 0, east, 10])
        let run = try Self.run()
        let windows = try run.downloadWindows(request)
        #expect(windows.count == 1)
        #expect(windows.first?.width == Int((east - west) / 0.5) && windows.first?.height == 20)
    }

    /// A box that ends at 180: STAC's bbox ends at 180 and the footprint is one polygon (no crossing invented from a
    /// rounding error in the east edge).
    @Test func aBoxEndingAt180IsOnePolygon() throws {
        let folder = TemporaryFolder()
        let run = try Self.run()
        let request = try DownloadRequest(layer: "loss_score", bbox: "170,-20,180,-10", region: nil, catalog: Self.catalog)
        let file = try run.download(request, catalog: Self.catalog, cacheDirectory: folder.path, maxPixels: 1_000_000)
        let item = try JSONSerialization.jsonObject(with: run.stacItem(request, file: folder.file(file), href: "x")) as! [String: Any]
        #expect(item["bbox"] as? [Double] == [170, -20, 180, -10])
        #expect((item["geometry"] as? [String: Any])?["type"] as? String == "Polygon")
        // The footprint of a grid edge a rounding error past 180.
        let (box, geometry) = RunReader.lonLatFootprint((170, -20, 180.00000000000003, -10), pixelWidth: 0.5)
        #expect(box == [170, -20, 180, -10] && geometry["type"] as? String == "Polygon")
    }

    /// On a regional grid (Europe and Africa), a box across the antimeridian clips to the one side that overlaps it,
    /// as GDAL reads that part of the run.
    @Test func aBoxAcrossTheAntimeridianOnARegionalGridClipsToItsSide() throws {
        let folder = TemporaryFolder()
        let config = try DemoFixture.config(output: folder.file("derived"), crs: "EPSG:4326",
                                            resolution: DemoFixture.resolution, bbox: [-30, 30, 60, 75])
        let result = try HotspotRun.execute(config)
        let run = try RunReader(directory: result.directory)
        let request = try DownloadRequest(layer: "loss_score", bbox: "170,40,20,60", region: nil, catalog: Self.catalog)
        #expect(try run.downloadWindows(request) == [Window(column: 0, row: 30, width: 100, height: 40)])
        let file = try run.download(request, catalog: Self.catalog, cacheDirectory: folder.path, maxPixels: 1_000_000)
        let info = try runTool("gdalinfo", [folder.file(file)]).out
        #expect(info.contains("Size is 100, 40") && info.contains("Origin = (-30.000000000000000,60.000000000000000)"), "\(info)")
        // Neither side overlaps: 404, as for any box off the grid.
        let off = try DownloadRequest(layer: "loss_score", bbox: "170,40,175,60", region: nil, catalog: Self.catalog)
        #expect(throws: ReadError.self) { try run.downloadWindows(off) }
    }
}
