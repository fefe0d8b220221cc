import Foundation
import GeoKit
import Partners
import TestSupport
import Testing

@Suite struct HotspotCoverageTests {
    /// Against brute force over the same raster: every hotspot pixel's distance to every partner.
    @Test(arguments: [("sequestration", 300.0), ("loss", 150.0), ("any", 800.0)])
    func nearHotspotsEqualsABruteForceCheck(_ className: String, _ radiusKm: Double) throws {
        try Self.checkAgainstBruteForce(path: DemoFixture.run.directory + "/hotspot_class.tif", className: className,
                                        radiusKm: radiusKm, partners: makePartners(count: 40, seed: 4) + awkward)
    }

    /// The same on a run's class raster in a projected CRS (Lambert conformal conic over Europe, 25 km pixels, made
    /// from the demo run's raster by gdalwarp): pixel centres go through PROJ, areas are true areas.
    @Test(arguments: [("any", 300.0), ("loss", 60.0)])
    func nearHotspotsOnAProjectedGridEqualsABruteForceCheck(_ className: String, _ radiusKm: Double) throws {
        let folder = TemporaryFolder()
        let path = folder.file("classes_3034.tif")
        let warp = try runTool("gdalwarp", ["-q", "-t_srs", "EPSG:3034", "-te", "2000000", "1000000", "7100000", "5600000",
                                            "-tr", "25000", "25000", "-r", "near",
                                            DemoFixture.run.directory + "/hotspot_class.tif", path])
        #expect(warp.status == 0, "\(warp.err)")
        let partners = makePartners(count: 400, seed: 11).filter { $0.lon > -20 && $0.lon < 50 && $0.lat > 30 && $0.lat < 75 }
        #expect(partners.count > 10)
        try Self.checkAgainstBruteForce(path: path, className: className, radiusKm: radiusKm, partners: partners)
    }

    static func checkAgainstBruteForce(path: String, className: String, radiusKm: Double, partners: [Partner]) throws {
        let codes = try #require(HotspotCoverage.codes(forClass: className))
        let coverage = try HotspotCoverage(classRaster: path, codes: codes, partners: partners, radiusKm: radiusKm)

        let raster = try RasterArray(path: path)
        let areas = try PixelAreas(grid: raster.grid)
        let crs = try CRS(raster.grid.crsDefinition)
        let toLonLat = crs.isSame(as: CRS.wgs84()) ? nil : try CoordinateTransform(from: crs, to: CRS.wgs84())
        var nearest = [String: Double]()
        var hotspotArea = 0.0, unsupported = 0.0
        for i in 0..<raster.grid.pixelCount where codes.contains(UInt8(raster.values[i])) {
            let (c, r) = (i % raster.grid.width, i / raster.grid.width)
            var centre = raster.grid.centre(column: c, row: r)
            if let toLonLat { centre = try toLonLat.transform(x: centre.x, y: centre.y) }
            var covered = false
            for p in partners {
                let d = Geodesic.wgs84.distance(lon1: p.lon, lat1: p.lat, lon2: centre.x, lat2: centre.y) / 1000
                if d <= radiusKm {
                    covered = true
                    nearest[p.id] = min(nearest[p.id] ?? .infinity, d)
                }
            }
            hotspotArea += areas.area(column: c, row: r)
            if !covered { unsupported += areas.area(column: c, row: r) }
        }
        #expect(hotspotArea > 0)
        #expect(abs(coverage.hotspotAreaKm2 - hotspotArea) < 1e-6 * hotspotArea)
        #expect(abs(coverage.unsupportedAreaKm2 - unsupported) < 1e-6 * max(1, unsupported))
        #expect(abs(coverage.gaps.map(\.areaKm2).reduce(0, +) - unsupported) < 1e-6 * max(1, unsupported))
        #expect(Set(coverage.nearPartners.map(\.partner.id)) == Set(nearest.keys))
        #expect(!nearest.isEmpty && unsupported > 0 && unsupported < hotspotArea, "a test with something on each side")
        for near in coverage.nearPartners {
            #expect(abs(near.distanceKm - nearest[near.partner.id]!) < 1e-9, "\(near.partner.id)")
        }
        #expect(coverage.nearPartners.map(\.distanceKm) == coverage.nearPartners.map(\.distanceKm).sorted())
    }
}
