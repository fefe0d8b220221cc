import Foundation
import Testing
import Tiling

/// Tile math against the slippy-map formulas written out independently (OSM wiki), not through `WebMercator.xy`.
struct WebMercatorTests {
    static func osmTile(lon: Double, lat: Double, z: Int) -> (x: Int, y: Int) {
        let n = Double(1 << z), phi = lat * .pi / 180
        return (Int(floor((lon + 180) / 360 * n)), Int(floor((1 - log(tan(phi) + 1 / cos(phi)) / .pi) / 2 * n)))
    }

    static func osmCorner(x: Int, y: Int, z: Int) -> (lon: Double, lat: Double) {
        let n = Double(1 << z)
        return (Double(x) / n * 360 - 180, atan(sinh(.pi * (1 - 2 * Double(y) / n))) * 180 / .pi)
    }

    @Test(arguments: [(-105.0, 40.0), (2.35, 48.85), (151.2, -33.87), (-0.0001, 0.0001), (179.99, -84.9), (-179.99, 84.9)])
    func tileOfAPointMatchesTheSlippyMapFormula(_ lon: Double, _ lat: Double) {
        for z in [0, 1, 3, 7, 10, 14, 18] {
            let expected = Self.osmTile(lon: lon, lat: lat, z: z)
            let tile = WebMercator.tile(lon: lon, lat: lat, zoom: z)
            #expect(tile == Tile(z: z, x: expected.x, y: expected.y), "zoom \(z)")
        }
    }

    @Test func tileBoundsMatchTheSlippyMapCornersAndMetres() {
        for (z, x, y) in [(0, 0, 0), (1, 0, 0), (1, 1, 1), (5, 17, 11), (12, 2047, 1361), (18, 131_071, 87_000)] {
            let bounds = WebMercator.bounds(Tile(z: z, x: x, y: y))
            let nw = Self.osmCorner(x: x, y: y, z: z), se = Self.osmCorner(x: x + 1, y: y + 1, z: z)
            #expect(abs(bounds.west - nw.lon) < 1e-9 && abs(bounds.north - nw.lat) < 1e-9)
            #expect(abs(bounds.east - se.lon) < 1e-9 && abs(bounds.south - se.lat) < 1e-9)
            let metres = WebMercator.xyBounds(Tile(z: z, x: x, y: y))
            let size = 2 * 20_037_508.342789244 / Double(1 << z)
            #expect(abs(metres.minX - (-20_037_508.342789244 + Double(x) * size)) < 1e-6)
            #expect(abs(metres.maxY - (20_037_508.342789244 - Double(y) * size)) < 1e-6)
        }
        let world = WebMercator.bounds(Tile(z: 0, x: 0, y: 0))
        #expect(abs(world.north - 85.0511287798066) < 1e-9 && abs(world.south + 85.0511287798066) < 1e-9)
    }

    @Test func parentsAndChildrenAreInverse() {
        let tile = Tile(z: 7, x: 100, y: 45)
        for child in WebMercator.children(tile) {
            #expect(WebMercator.parent(child) == tile)
            let b = WebMercator.bounds(child), p = WebMercator.bounds(tile)
            #expect(b.west >= p.west - 1e-12 && b.east <= p.east + 1e-12 && b.south >= p.south - 1e-12 && b.north <= p.north + 1e-12)
        }
        #expect(WebMercator.parent(Tile(z: 0, x: 0, y: 0)) == nil)
    }

    @Test func tilesCoveringABoxIncludeEdgesButNotTheNextTile() {
        #expect(WebMercator.tiles(west: -180, south: -85.06, east: 180, north: 85.06, zoom: 2).count == 16)
        // A box ending exactly on tile edges: zoom 1 splits at lon 0 and lat 0.
        #expect(WebMercator.tiles(west: -180, south: 0, east: 0, north: 85, zoom: 1) == [Tile(z: 1, x: 0, y: 0)])
        // Latitudes beyond the square world are clamped, not an error.
        #expect(WebMercator.tiles(west: 10, south: -90, east: 11, north: 90, zoom: 3).count == 8)
    }

    @Test func aBoxCrossingTheAntimeridianIsSplit() {
        let tiles = WebMercator.tiles(west: 170, south: -10, east: -170, north: 10, zoom: 3)
        #expect(Set(tiles.map(\.x)) == [0, 7])
        #expect(tiles.allSatisfy { $0.isValid })
    }

    @Test func zoomRangesAreParsedAndBadOnesRejected() throws {
        #expect(try TileJob.zoomRange("0-7") == 0...7)
        #expect(try TileJob.zoomRange("4") == 4...4)
        for bad in ["7-3", "a-b", "0-40", "-1-3", "", "1-2-3"] {
            #expect(throws: TilingError.self, "\(bad)") { try TileJob.zoomRange(bad) }
        }
    }
}
