import Foundation
import GeoKit

/// Where partners are near hotspots, and where hotspots have no partner near: support is missing there.
///
/// Works on the run's class raster (codes 0 none, 1 sequestration, 2 loss, 3 both, 255 nodata) on a lon/lat grid. For
/// each partner the pixels whose centre is within the geodesic radius are marked; a partner is near a hotspot when a
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

    public init(classRaster path: String, codes: Set<UInt8>, partners: [Partner], radiusKm: Double,
                cellDegrees: Double = 1) throws {
        let dataset = try Dataset(path: path)
        let grid = try dataset.grid()
        let t = grid.geoTransform
        guard try dataset.crs().isSame(as: CRS.wgs84()), t.isNorthUp else {
            throw GeoError.invalidArgument("hotspot coverage needs a north-up lon/lat grid")
        }
        var classes = [UInt8](repeating: 255, count: grid.pixelCount)
        try classes.withUnsafeMutableBufferPointer {
            try dataset.band(1).read(Window(column: 0, row: 0, width: grid.width, height: grid.height), into: $0)
        }
        var isHotspot = [Bool](repeating: false, count: 256)
        for code in codes { isHotspot[Int(code)] = true }
        let rowAreas = try grid.rowAreasSquareMetres().map { $0 / 1e6 }
        var covered = [Bool](repeating: false, count: grid.pixelCount)
        let pixelHeight = abs(t.pixelHeight)
        var near: [NearPartner] = []
        for partner in partners {
            // Rows within reach: a degree of latitude is at least 110.57 km.
            let dLat = radiusKm / 110.57 + pixelHeight
            let r0 = max(0, Int(((partner.lat + dLat) - t.originY) / t.pixelHeight))
            let r1 = min(grid.height - 1, Int(((partner.lat - dLat) - t.originY) / t.pixelHeight))
            guard r0 <= r1 else { continue }
            var nearest = Double.infinity
            for row in r0...r1 {
                let lat = t.originY + (Double(row) + 0.5) * t.pixelHeight
                let poleward = min(89.999, max(abs(lat), abs(partner.lat)) + dLat)
                let dLon = radiusKm / (111.32 * cos(poleward * .pi / 180)) + t.pixelWidth
                let columns: [Int]
                if dLon >= 180 {
                    columns = Array(0..<grid.width)
                } else {
                    let c0 = Int(((partner.lon - dLon) - t.originX) / t.pixelWidth)
                    let c1 = Int(((partner.lon + dLon) - t.originX) / t.pixelWidth)
                    // Across the antimeridian: wrap when the grid spans the whole globe.
                    let wraps = abs(Double(grid.width) * t.pixelWidth - 360) < 1e-9
                    columns = (c0...c1).compactMap { c in
                        if (0..<grid.width).contains(c) { return c }
                        return wraps ? ((c % grid.width) + grid.width) % grid.width : nil
                    }
                }
                for column in Set(columns) {
                    let lon = t.originX + (Double(column) + 0.5) * t.pixelWidth
                    let d = Geodesic.wgs84.distance(lon1: partner.lon, lat1: partner.lat, lon2: lon, lat2: lat) / 1000
                    guard d <= radiusKm else { continue }
                    let i = row * grid.width + column
                    covered[i] = true
                    if isHotspot[Int(classes[i])] { nearest = min(nearest, d) }
                }
            }
            if nearest.isFinite { near.append(NearPartner(partner: partner, distanceKm: nearest)) }
        }
        var hotspotArea = 0.0, unsupportedArea = 0.0
        var cells: [Int: (lonArea: Double, latArea: Double, area: Double, pixels: Int)] = [:]
        for row in 0..<grid.height {
            let lat = t.originY + (Double(row) + 0.5) * t.pixelHeight
            for column in 0..<grid.width where isHotspot[Int(classes[row * grid.width + column])] {
                let area = rowAreas[row]
                hotspotArea += area
                guard !covered[row * grid.width + column] else { continue }
                unsupportedArea += area
                let lon = t.originX + (Double(column) + 0.5) * t.pixelWidth
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
