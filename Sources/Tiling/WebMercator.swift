#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An XYZ tile of the WebMercatorQuad tiling scheme (OGC 17-083r2): `x` grows east from the antimeridian, `y` grows
/// south from the top of the map, 2^z tiles a side at zoom `z`.
public struct Tile: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var z: Int
    public var x: Int
    public var y: Int

    public init(z: Int, x: Int, y: Int) {
        self.z = z
        self.x = x
        self.y = y
    }

    public var description: String { "\(z)/\(x)/\(y)" }

    public static func < (a: Tile, b: Tile) -> Bool { (a.z, a.y, a.x) < (b.z, b.y, b.x) }

    /// True when x and y are within the zoom's 2^z x 2^z tiles.
    public var isValid: Bool { z >= 0 && z <= WebMercator.maxZoom && x >= 0 && y >= 0 && x < 1 << z && y < 1 << z }
}

/// Web Mercator (EPSG:3857) tile math as pure functions, named as mercantile names them.
public enum WebMercator {
    /// WGS 84 semi-major axis, the sphere's radius in EPSG:3857.
    public static let radius = 6_378_137.0
    /// Half the width of the projected world, metres.
    public static let originShift = Double.pi * radius
    /// The latitude at which the projected world is square: atan(sinh(pi)).
    public static let maxLatitude = 85.051_128_779_806_59
    public static let maxZoom = 30

    /// Projected metres of a longitude/latitude; the latitude is clamped to +-`maxLatitude`.
    /// The coarsest zoom whose 256-pixel tiles are at least as fine, at the equator, as data of `pixelDegrees`
    /// (degrees of longitude a data pixel spans): 0.05 degree data is native at zoom 5 (0.044 degree tile pixels).
    public static func nativeZoom(pixelDegrees: Double) -> Int {
        guard pixelDegrees.isFinite, pixelDegrees > 0 else { return 0 }
        return min(maxZoom, max(0, Int(log2(360 / (256 * pixelDegrees)).rounded(.up))))
    }

    /// Zooms past the native one that TileJSON still offers: clients scale deeper tiles themselves.
    public static let overZoomMargin = 2

    public static func xy(lon: Double, lat: Double) -> (x: Double, y: Double) {
        let clamped = min(max(lat, -maxLatitude), maxLatitude)
        return (radius * lon * .pi / 180, radius * log(tan(.pi / 4 + clamped * .pi / 360)))
    }

    /// Longitude/latitude of projected metres.
    public static func lonLat(x: Double, y: Double) -> (lon: Double, lat: Double) {
        (x / radius * 180 / .pi, (2 * atan(exp(y / radius)) - .pi / 2) * 180 / .pi)
    }

    /// The tile containing a longitude/latitude at zoom `z` (points on the east or south edge go to the last tile).
    public static func tile(lon: Double, lat: Double, zoom z: Int) -> Tile {
        let n = Double(1 << z)
        let (mx, my) = xy(lon: lon, lat: lat)
        let fx = (mx + originShift) / (2 * originShift) * n
        let fy = (originShift - my) / (2 * originShift) * n
        let last = (1 << z) - 1
        return Tile(z: z, x: min(max(Int(floor(fx)), 0), last), y: min(max(Int(floor(fy)), 0), last))
    }

    /// Bounds of a tile in projected metres: (minX, minY, maxX, maxY).
    public static func xyBounds(_ t: Tile) -> (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        let size = 2 * originShift / Double(1 << t.z)
        let minX = -originShift + Double(t.x) * size, maxY = originShift - Double(t.y) * size
        return (minX, maxY - size, minX + size, maxY)
    }

    /// Bounds of a tile in degrees: (west, south, east, north).
    public static func bounds(_ t: Tile) -> (west: Double, south: Double, east: Double, north: Double) {
        let b = xyBounds(t)
        let sw = lonLat(x: b.minX, y: b.minY), ne = lonLat(x: b.maxX, y: b.maxY)
        return (sw.lon, sw.lat, ne.lon, ne.lat)
    }

    public static func parent(_ t: Tile) -> Tile? {
        t.z == 0 ? nil : Tile(z: t.z - 1, x: t.x / 2, y: t.y / 2)
    }

    public static func children(_ t: Tile) -> [Tile] {
        [Tile(z: t.z + 1, x: 2 * t.x, y: 2 * t.y), Tile(z: t.z + 1, x: 2 * t.x + 1, y: 2 * t.y),
         Tile(z: t.z + 1, x: 2 * t.x, y: 2 * t.y + 1), Tile(z: t.z + 1, x: 2 * t.x + 1, y: 2 * t.y + 1)]
    }

    /// The tiles of zoom `z` that intersect a lon/lat box. A box whose west is greater than its east crosses the
    /// antimeridian and is split in two; latitudes are clamped to the square world.
    public static func tiles(west: Double, south: Double, east: Double, north: Double, zoom z: Int) -> [Tile] {
        if west > east {
            return tiles(west: west, south: south, east: 180, north: north, zoom: z)
                + tiles(west: -180, south: south, east: east, north: north, zoom: z)
        }
        let nw = tile(lon: max(-180, west), lat: north, zoom: z)
        // A box ending exactly on a tile edge does not reach into the next tile.
        let epsilon = 1e-9
        let se = tile(lon: min(180, east) - epsilon, lat: max(south, -maxLatitude) + epsilon, zoom: z)
        var out: [Tile] = []
        for y in nw.y...max(nw.y, se.y) {
            for x in nw.x...max(nw.x, se.x) { out.append(Tile(z: z, x: x, y: y)) }
        }
        return out
    }
}
