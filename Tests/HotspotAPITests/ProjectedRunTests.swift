import Foundation
import GeoKit
@testable import HotspotAPI
@testable import RunReader
import Pipeline
import TestSupport
import Testing

/// A run on a Lambert conformal conic grid (EPSG:3034): a region's statistics cover the whole region (its lon/lat box
/// is curved on that grid: its four corners alone miss the north of Scandinavia) and weigh each pixel by its true area;
/// points are the pixels GDAL finds; a download's STAC Item is in longitude and latitude.
@Suite struct ProjectedRunTests {
    @Test func regionsPointsAndDownloadsOfARunOnAConformalGrid() throws {
        let folder = TemporaryFolder()
        let config = try DemoFixture.config(output: folder.file("derived"), crs: "EPSG:3034", resolution: 50000,
                                            bbox: [2_000_000, 1_000_000, 7_100_000, 5_600_000])
        let result = try HotspotRun.execute(config)
        let run = try RunReader(directory: result.directory)
        let catalog = try RegionCatalog(path: repositoryRoot + "/Config/regions.geojson")
        let stats = try run.statistics(of: try catalog.region("europe"), catalog: catalog, language: .en)

        // Independently: GDAL's rasteriser burns the region onto the same grid, and the quadrature oracle gives the
        // area of every pixel it burnt.
        let mask = folder.file("mask.tif")
        let b = run.grid.bounds
        let create = try runTool("gdal_create", ["-of", "GTiff", "-outsize", "\(run.grid.width)", "\(run.grid.height)",
                                                 "-a_srs", "EPSG:3034", "-a_ullr", "\(b.minX)", "\(b.maxY)", "\(b.maxX)",
                                                 "\(b.minY)", "-ot", "Byte", mask])
        #expect(create.status == 0, "\(create.err)")
        let burn = try runTool("gdal_rasterize", ["-burn", "1", "-where", "id = 'europe'",
                                                  repositoryRoot + "/Config/regions.geojson", mask])
        #expect(burn.status == 0, "\(burn.err)")
        let inside = try RasterArray(path: mask)
        let pixels = inside.values.indices.filter { inside.values[$0] == 1 }
        let areas = try oraclePixelAreas(run.grid, squares: pixels.map {
            (Double($0 % run.grid.width) + 0.5, Double($0 / run.grid.width) + 0.5, 1)
        }, subdivisions: 4)
        let truth = areas.reduce(0, +)
        #expect(pixels.count > 1000)
        #expect(abs(stats.areaKm2 - truth) <= 1e-4 * truth, "\(stats.areaKm2) vs \(truth) km2 over \(pixels.count) pixels")
        // The nominal 2,500 km2 a pixel would be further off than that.
        #expect(abs(Double(pixels.count) * 2500 - truth) > 5e-3 * truth)

        // Points: the pixel GDAL finds for the same lon/lat.
        let scorePath = run.path(of: .sequestrationScore)
        var scored = 0
        for (lon, lat) in [(10.0, 50.0), (2.35, 48.85), (24.9, 60.2), (-3.7, 40.4), (30.0, 45.0)] {
            let gdal = try runTool("gdallocationinfo", ["-valonly", "-wgs84", scorePath, "\(lon)", "\(lat)"])
            let expected = Double(gdal.out.trimmingCharacters(in: .whitespacesAndNewlines))
            let answer = try run.score(lon: lon, lat: lat, language: .en)
            #expect(answer.inside)
            if answer.sequestration?.score != nil { scored += 1 }
            #expect(answer.sequestration?.score.map { Float($0) } == expected.flatMap { $0 == -9999 ? nil : Float($0) },
                    "(\(lon), \(lat)): \(String(describing: answer.sequestration?.score)) vs \(gdal.out)")
        }

        #expect(scored >= 3, "most of those points are on land")

        // A download's STAC Item locates it in longitude and latitude (not in the grid's metres).
        let request = try DownloadRequest(layer: "loss_score", bbox: "5,45,15,55", region: nil, catalog: catalog)
        let relative = try run.download(request, catalog: catalog, cacheDirectory: folder.path, maxPixels: 10_000_000)
        let item = try JSONSerialization.jsonObject(with: run.stacItem(request, file: folder.file(relative), href: "x"))
            as! [String: Any]
        let box = try #require(item["bbox"] as? [Double])
        #expect(box[0] <= 5 && box[1] <= 45 && box[2] >= 15 && box[3] >= 55, "\(box)")
        #expect(box[0] > 0 && box[1] > 40 && box[2] < 20 && box[3] < 60, "\(box)")
        let ring = try #require(((item["geometry"] as? [String: Any])?["coordinates"] as? [[[Double]]])?.first)
        #expect(ring.first == ring.last && ring.count > 16)
        let signedArea = zip(ring, ring.dropFirst()).map { $0[0] * $1[1] - $1[0] * $0[1] }.reduce(0, +) / 2
        #expect(signedArea > 0, "the outer ring runs anticlockwise (RFC 7946)")

        // The hotspot polygons of a projected grid: traced in metres, measured on the ellipsoid, stored in lon/lat.
        // Their area per class equals the pixels' (true areas of conformal pixels) within 0.5 %.
        let features = try run.hotspots.features
        #expect(features.count == result.record.hotspotPolygons?.features && features.count >= 3)
        var polygonArea: [Int: Double] = [:], pixelArea: [Int: Double] = [:]
        for feature in features {
            let json = try JSONSerialization.jsonObject(with: feature.json) as? [String: Any] ?? [:]
            let properties = json["properties"] as? [String: Any] ?? [:]
            polygonArea[feature.classCode, default: 0] += properties["area_km2"] as? Double ?? 0
            pixelArea[feature.classCode, default: 0] += properties["pixel_area_km2"] as? Double ?? 0
            #expect(feature.bbox[0] > -40 && feature.bbox[2] < 80 && feature.bbox[1] > 20, "\(feature.id): \(feature.bbox)")
        }
        for (code, label) in [(1, "sequestration hotspot"), (2, "loss hotspot"), (3, "sequestration and loss hotspot")] {
            guard let pixels = pixelArea[code] else { continue }
            #expect(abs((polygonArea[code] ?? 0) / pixels - 1) < 0.005, "class \(code): \(polygonArea[code] ?? 0) vs \(pixels) km2")
            #expect(abs(pixels / (result.record.hotspotClasses.areaKm2[label] ?? 0) - 1) < 1e-6, "class \(code): run.json's area")
        }
    }
}
