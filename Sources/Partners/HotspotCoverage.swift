import Foundation
import GeoKit

/// Where partners are near hotspots, and where hotspots have no partner near: support is missing there.
///
/// Works on the run's class raster (codes 0 none, 1 sequestration, 2 loss, 3 both, 255 nodata) on a north-up grid in
/// any CRS (pixel centres are taken to lon/lat; areas are true areas, `PixelAreas`). For each partner the pixels whose centre is within the geodesic radius are marked; a partner is near a hotspot when a
/// hotspot pixel is among them, and hotspot pixels left unmarked are unsupported. Exact per pixel, no buffering in
/// degrees; the cost is the partners' disks, not the raster.
public struct HotspotCoverage: Sendable {
    public struct NearPartner: Sendable {
        public var partner: Partner
        /// Geodesic distance to the centre of the nearest hotspot pixel.
        public var distanceKm: Double
    }
    /// Unsupported hotspot pixels gathered in cells of `cellDegrees`: area-weighted centroid and area.
    public struct Gap: Sendable {
        public var lon: Double
        public var lat: Double
        public var areaKm2: Double
        public var pixels: Int
    }

    public var nearPartners: [NearPartner]
    public var gaps: [Gap]
    public var hotspotAreaKm2: Double
    public var unsupportedAreaKm2: Double

    /// Which class codes count as the hotspot asked for.
    public static func codes(forClass name: String) -> Set<UInt8>? {
        switch name {
        case "sequestration": [1, 3]
        case "loss": [2, 3]
        case "both": [3]
        case "any": [1, 2, 3]
        default: nil
        }
    }

    /// `areas`: the class raster's pixel areas when the caller has them (made from its grid otherwise).
    public init(classRaster path: String, codes: Set<UInt8>, partners: [Partner], radiusKm: Double,
                cellDegrees: Double = 1, areas: PixelAreas? = nil) throws {
        let dataset = try Dataset(path: path)
        let grid = try dataset.grid()
        guard grid.geoTransform.isNorthUp else {
            throw GeoError.invalidArgument("hotspot coverage needs a north-up grid")
        }
        let places = try PixelPlaces(grid: grid, crs: try dataset.crs())
        var classes = [UInt8](repeating: 255, count: grid.pixelCount)
        try classes.withUnsafeMutableBufferPointer {
            try dataset.band(1).read(Window(column: 0, row: 0, width: grid.width, height: grid.height), into: $0)
        }
        var isHotspot = [Bool](repeating: false, count: 256)
        for code in codes { isHotspot[Int(code)] = true }
        let areas = try areas ?? PixelAreas(grid: grid)
        guard areas.width == grid.width, areas.height == grid.height else {
            throw GeoError.invalidArgument("the pixel areas are of another grid than \(path)")
        }
        var covered = [Bool](repeating: false, count: grid.pixelCount)
        var near: [NearPartner] = []
        for partner in partners {
            var nearest = Double.infinity
            for candidate in places.candidates(lon: partner.lon, lat: partner.lat, radiusKm: radiusKm) {
                let d = Geodesic.wgs84.distance(lon1: partner.lon, lat1: partner.lat, lon2: candidate.lon, lat2: candidate.lat) / 1000
                guard d <= radiusKm else { continue }
                covered[candidate.index] = true
                if isHotspot[Int(classes[candidate.index])] { nearest = min(nearest, d) }
            }
            if nearest.isFinite { near.append(NearPartner(partner: partner, distanceKm: nearest)) }
        }
        var hotspotArea = 0.0, unsupportedArea = 0.0
        var cells: [Int: (lonArea: Double, latArea: Double, area: Double, pixels: Int)] = [:]
        for row in 0..<grid.height {
            let columns = (0..<grid.width).filter { isHotspot[Int(classes[row * grid.width + $0])] }
            guard !columns.isEmpty else { continue }
            let unsupported = columns.filter { !covered[row * grid.width + $0] }
            let centres = places.centres(row: row, columns: unsupported)
            for column in columns { hotspotArea += areas.area(column: column, row: row) }
            for (column, centre) in zip(unsupported, centres) {
                let area = areas.area(column: column, row: row)
                unsupportedArea += area
                guard let (lon, lat) = centre else { continue }
                let key = Int(((lat + 90) / cellDegrees).rounded(.down)) * 100_000 + Int(((lon + 180) / cellDegrees).rounded(.down))
                var cell = cells[key] ?? (0, 0, 0, 0)
                cell.lonArea += lon * area
                cell.latArea += lat * area
                cell.area += area
                cell.pixels += 1
                cells[key] = cell
            }
        }
        nearPartners = near.sorted { $0.distanceKm != $1.distanceKm ? $0.distanceKm < $1.distanceKm : $0.partner.id < $1.partner.id }
        gaps = cells.keys.sorted().map { key in
            let c = cells[key]!
            return Gap(lon: c.lonArea / c.area, lat: c.latArea / c.area, areaKm2: c.area, pixels: c.pixels)
        }
        hotspotAreaKm2 = hotspotArea
        unsupportedAreaKm2 = unsupportedArea
    }
}

/// Where a grid's pixels are on the globe: the pixels that may lie within a radius of a point, and the longitude and
/// latitude of pixel centres. A lon/lat grid answers from its geotransform; a projected one through PROJ.
private struct PixelPlaces {
    let grid: Grid
    /// From the grid's CRS to WGS84 and back; nil on a WGS84 lon/lat grid.
    let toLonLat: CoordinateTransform?
    let toGrid: CoordinateTransform?

    init(grid: Grid, crs: CRS) throws {
        self.grid = grid
        if crs.isSame(as: CRS.wgs84()) {
            (toLonLat, toGrid) = (nil, nil)
        } else {
            (toLonLat, toGrid) = (try CoordinateTransform(from: crs, to: CRS.wgs84()), try CoordinateTransform(from: CRS.wgs84(), to: crs))
        }
    }

    /// Every pixel whose centre may be within `radiusKm` of the point (a superset), with its centre.
    func candidates(lon: Double, lat: Double, radiusKm: Double) -> [(index: Int, lon: Double, lat: Double)] {
        let t = grid.geoTransform
        guard let toGrid else {
            // Rows within reach: a degree of latitude is at least 110.57 km; columns by the parallel nearest the pole.
            let dLat = radiusKm / 110.57 + abs(t.pixelHeight)
            let r0 = max(0, Int(((lat + dLat) - t.originY) / t.pixelHeight))
            let r1 = min(grid.height - 1, Int(((lat - dLat) - t.originY) / t.pixelHeight))
            guard r0 <= r1 else { return [] }
            var out: [(index: Int, lon: Double, lat: Double)] = []
            for row in r0...r1 {
                let rowLat = t.originY + (Double(row) + 0.5) * t.pixelHeight
                let poleward = min(89.999, max(abs(rowLat), abs(lat)) + dLat)
                let dLon = radiusKm / (111.32 * cos(poleward * .pi / 180)) + t.pixelWidth
                let columns: [Int]
                if dLon >= 180 {
                    columns = Array(0..<grid.width)
                } else {
                    let c0 = Int(((lon - dLon) - t.originX) / t.pixelWidth)
                    let c1 = Int(((lon + dLon) - t.originX) / t.pixelWidth)
                    // Across the antimeridian: wrap when the grid spans the whole globe.
                    let wraps = abs(Double(grid.width) * t.pixelWidth - 360) < 1e-9
                    columns = (c0...c1).compactMap { c in
                        if (0..<grid.width).contains(c) { return c }
                        return wraps ? ((c % grid.width) + grid.width) % grid.width : nil
                    }
                }
                for column in Set(columns) {
                    out.append((row * grid.width + column, t.originX + (Double(column) + 0.5) * t.pixelWidth, rowLat))
                }
            }
            return out
        }
        // A projected grid: the box, in pixels, of the point and a 64-gon round the geodesic circle (its vertices
        // 1/cos(pi/64) out, so that its sides stay outside the circle), and a pixel more; then the centres of its
        // pixels taken back to lon/lat.
        var xs = [lon], ys = [lat]
        let reach = radiusKm * 1000 / cos(Double.pi / 64) * 1.001
        for k in 0..<64 {
            let (x, y) = Geodesic.wgs84.destination(lon: lon, lat: lat, azimuth: Double(k) * 360 / 64, metres: reach)
            xs.append(x)
            ys.append(y)
        }
        let ok = toGrid.transform(x: &xs, y: &ys)
        guard let box = grid.window(covering: xs.indices.filter { ok[$0] }.map { (x: xs[$0], y: ys[$0]) }, margin: 1)
        else { return [] }
        let columns = box.column..<box.column + box.width, rows = box.row..<box.row + box.height
        var out: [(index: Int, lon: Double, lat: Double)] = []
        for row in rows {
            for (column, centre) in zip(columns, centres(row: row, columns: Array(columns))) {
                if let (x, y) = centre { out.append((row * grid.width + column, x, y)) }
            }
        }
        return out
    }

    /// Longitude and latitude of the centres of `columns` in `row`; nil outside the projection's domain.
    func centres(row: Int, columns: [Int]) -> [(Double, Double)?] {
        var xs = columns.map { grid.centre(column: $0, row: row).x }, ys = columns.map { grid.centre(column: $0, row: row).y }
        guard let toLonLat, !columns.isEmpty else { return zip(xs, ys).map { Optional($0) } }
        let ok = toLonLat.transform(x: &xs, y: &ys)
        return xs.indices.map { ok[$0] ? (xs[$0], ys[$0]) : nil }
    }
}
