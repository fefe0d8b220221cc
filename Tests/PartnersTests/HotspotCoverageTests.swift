import Foundation
import GeoKit
import Partners
import TestSupport
import Testing

@Suite struct HotspotCoverageTests {
    /// Against brute force over the same raster: every hotspot pixel's distance to every partner.
    @Test(arguments: [("sequestration", 300.0), ("loss", 150.0), ("any", 800.0)])
    func nearHotspotsEqualsABruteForceCheck(_ className: String, _ radiusKm: Double) throws {
        let path = DemoFixture.run.directory + "/hotspot_class.tif"
        let partners = makePartners(count: 40, seed: 4) + awkward
        let codes = try #require(HotspotCoverage.codes(forClass: className))
        let coverage = try HotspotCoverage(classRaster: path, codes: codes, partners: partners, radiusKm: radiusKm)

        let raster = try RasterArray(path: path)
        let areas = try raster.grid.rowAreasSquareMetres().map { $0 / 1e6 }
        var nearest = [String: Double]()
        var hotspotArea = 0.0, unsupported = 0.0
        for i in 0..<raster.grid.pixelCount where codes.contains(UInt8(raster.values[i])) {
            let (c, r) = (i % raster.grid.width, i / raster.grid.width)
            let centre = raster.grid.centre(column: c, row: r)
            var covered = false
            for p in partners {
                let d = Geodesic.wgs84.distance(lon1: p.lon, lat1: p.lat, lon2: centre.x, lat2: centre.y) / 1000
                if d <= radiusKm {
                    covered = true
                    nearest[p.id] = min(nearest[p.id] ?? .infinity, d)
                }
            }
            hotspotArea += areas[r]
            if !covered { unsupported += areas[r] }
        }
        #expect(hotspotArea > 0)
        #expect(abs(coverage.hotspotAreaKm2 - hotspotArea) < 1e-6 * hotspotArea)
        #expect(abs(coverage.unsupportedAreaKm2 - unsupported) < 1e-6 * max(1, unsupported))
        #expect(abs(coverage.gaps.map(\.areaKm2).reduce(0, +) - unsupported) < 1e-6 * max(1, unsupported))
        #expect(Set(coverage.nearPartners.map(\.partner.id)) == Set(nearest.keys))
        for near in coverage.nearPartners {
            #expect(abs(near.distanceKm - nearest[near.partner.id]!) < 1e-9, "\(near.partner.id)")
        }
        #expect(coverage.nearPartners.map(\.distanceKm) == coverage.nearPartners.map(\.distanceKm).sorted())
    }
}
