#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GeoKit

/// How a tile samples the raster: interpolating (bilinear, for quantities) or picking (nearest, for classes).
public enum TileSampling: String, Sendable {
    case bilinear, nearest
}

/// Renders XYZ tiles of one raster layer. Owns its GDAL handles: one renderer per thread.
///
/// For rasters on a geographic (lon/lat) grid, Web Mercator is separable from it: a tile's pixel column maps to one
/// source column and its row to one source row. Each tile pixel centre is mapped exactly to the source (no
/// approximate transformer, no chunk edges), so neighbouring tiles continue each other pixel for pixel. The source level
/// is the coarsest overview still at least as fine as the tile's pixels (the COGs' overviews are averages or modes),
/// then sampled bilinearly with nodata-aware weights (as GDAL does) or by nearest pixel. Other CRSs go through GDAL's
/// warper onto the tile.
public final class TileRenderer {
    public let path: String
    public let tileSize: Int
    public let sampling: TileSampling
    let dataset: Dataset
    let grid: Grid
    let isGeographic: Bool
    let noData: Float?
    /// The full-resolution band and its overviews, finest first.
    let levels: [(band: Band, width: Int, height: Int, transform: GeoTransform)]
    /// True when the grid spans 360 degrees of longitude: sampling wraps across the antimeridian.
    let wrapsLongitude: Bool

    public init(path: String, sampling: TileSampling, tileSize: Int = 256) throws(GeoError) {
        self.path = path
        self.tileSize = tileSize
        self.sampling = sampling
        dataset = try Dataset(path: path)
        grid = try dataset.grid()
        isGeographic = try dataset.crs().isGeographic
        let band = try dataset.band(1)
        noData = band.noDataValue.map(Float.init)
        var levels = [(band, grid.width, grid.height, grid.geoTransform)]
        for i in 0..<band.overviewCount {
            let overview = try band.overview(i)
            let width = Int(overview.size.width), height = Int(overview.size.height)
            var t = grid.geoTransform
            t.pixelWidth *= Double(grid.width) / Double(width)
            t.pixelHeight *= Double(grid.height) / Double(height)
            levels.append((overview, width, height, t))
        }
        self.levels = levels
        wrapsLongitude = isGeographic && abs(abs(grid.geoTransform.pixelWidth) * Double(grid.width) - 360) < 1e-9
    }

    /// The raster's bounds in degrees (west, south, east, north), latitudes clamped to the Web Mercator square.
    public func lonLatBounds() throws(GeoError) -> (west: Double, south: Double, east: Double, north: Double) {
        let b = grid.bounds
        if isGeographic {
            return (max(-180, b.minX), max(-WebMercator.maxLatitude, b.minY), min(180, b.maxX),
                    min(WebMercator.maxLatitude, b.maxY))
        }
        let transform = try CoordinateTransform(from: try dataset.crs(), to: CRS.wgs84())
        var xs: [Double] = [], ys: [Double] = []
        for i in 0...20 {
            let f = Double(i) / 20
            for (x, y) in [(b.minX + f * (b.maxX - b.minX), b.minY), (b.minX + f * (b.maxX - b.minX), b.maxY),
                           (b.minX, b.minY + f * (b.maxY - b.minY)), (b.maxX, b.minY + f * (b.maxY - b.minY))] {
                xs.append(x)
                ys.append(y)
            }
        }
        let ok = transform.transform(x: &xs, y: &ys)
        let points = xs.indices.filter { ok[$0] }
        guard !points.isEmpty else { throw .transformFailed(reason: "\(path) has no extent in longitude/latitude") }
        return (max(-180, points.map { xs[$0] }.min()!), max(-WebMercator.maxLatitude, points.map { ys[$0] }.min()!),
                min(180, points.map { xs[$0] }.max()!), min(WebMercator.maxLatitude, points.map { ys[$0] }.max()!))
    }

    /// The tile's values (`tileSize`^2, row by row, NaN where there is no data), or nil when the tile has no data.
    public func values(for tile: Tile) throws(GeoError) -> [Float]? {
        isGeographic ? try separableValues(tile) : try warpedValues(tile)
    }

    /// The source level a tile samples (0 is the full resolution): the coarsest whose pixels are no larger than the
    /// tile's, in longitude (lon/lat grids).
    func level(for tile: Tile) -> Int {
        let degreesPerPixel = 360 / (Double(tileSize) * Double(1 << tile.z))
        var level = 0
        for (i, candidate) in levels.enumerated() where abs(candidate.transform.pixelWidth) <= degreesPerPixel * 1.0001 {
            level = i
        }
        return level
    }

    private func separableValues(_ tile: Tile) throws(GeoError) -> [Float]? {
        let n = tileSize
        let (band, width, height, t) = levels[level(for: tile)]
        // Fractional source positions of the tile's pixel centres, 0 at the centre of the first source pixel. Centres
        // are taken from the pixel's index in the whole zoom level, so a tile and its parent rendered at twice the size
        // compute bit-identical positions.
        var column = [Double](repeating: 0, count: n), row = [Double](repeating: 0, count: n)
        let worldPixels = Double(n) * Double(1 << tile.z)
        for k in 0..<n {
            let fx = (Double(tile.x * n + k) + 0.5) / worldPixels, fy = (Double(tile.y * n + k) + 0.5) / worldPixels
            let lon: Double = fx * 360 - 180
            let lat: Double = atan(sinh(Double.pi * (1 - 2 * fy))) * 180 / Double.pi
            column[k] = (lon - t.originX) / t.pixelWidth - 0.5
            row[k] = (lat - t.originY) / t.pixelHeight - 0.5
        }
        let minRow = Int(floor(row.min()!)), maxRow = Int(floor(row.max()!)) + 1
        guard maxRow >= 0, minRow < height else { return nil }
        var minColumn: Int = Int(floor(column.min()!)), maxColumn: Int = Int(floor(column.max()!)) + 1
        if !wrapsLongitude {
            guard maxColumn >= 0, minColumn < width else { return nil }
        }
        let wraps = wrapsLongitude && (minColumn < 0 || maxColumn >= width)
        if wraps { (minColumn, maxColumn) = (0, width - 1) }
        let r0 = max(0, minRow), r1 = min(height - 1, maxRow)
        let c0 = max(0, minColumn), c1 = min(width - 1, maxColumn)
        let windowWidth = c1 - c0 + 1
        var source = [Float](repeating: Float.nan, count: windowWidth * (r1 - r0 + 1))
        try source.withUnsafeMutableBufferPointer { (p) throws(GeoError) in
            try band.read(Window(column: c0, row: r0, width: windowWidth, height: r1 - r0 + 1), into: p)
        }
        if let noData { for i in source.indices where source[i] == noData { source[i] = .nan } }
        // Open sea and beyond the raster's edge: nothing to sample.
        guard source.contains(where: { !$0.isNaN }) else { return nil }

        // Per output column and row: the two source neighbours (offsets into the window, -1 outside the raster) and
        // the weight of the second. Computed once per tile, so the pixel loop is plain arithmetic.
        func localColumn(_ c: Int) -> Int {
            var c = c
            if wrapsLongitude { c = ((c % width) + width) % width }
            return c >= c0 && c <= c1 ? c - c0 : -1
        }
        func localRow(_ r: Int) -> Int { r >= r0 && r <= r1 ? (r - r0) * windowWidth : -1 }
        var columnA = [Int](repeating: -1, count: n), columnB = [Int](repeating: -1, count: n)
        var rowA = [Int](repeating: -1, count: n), rowB = [Int](repeating: -1, count: n)
        var wx = [Double](repeating: 0, count: n), wy = [Double](repeating: 0, count: n)
        for k in 0..<n {
            if sampling == .nearest {
                columnA[k] = localColumn(Int(floor(column[k] + 0.5)))
                rowA[k] = localRow(Int(floor(row[k] + 0.5)))
            } else {
                let x0 = Int(floor(column[k])), y0 = Int(floor(row[k]))
                (columnA[k], columnB[k], wx[k]) = (localColumn(x0), localColumn(x0 + 1), column[k] - Double(x0))
                (rowA[k], rowB[k], wy[k]) = (localRow(y0), localRow(y0 + 1), row[k] - Double(y0))
            }
        }
        var out = [Float](repeating: .nan, count: n * n)
        var any = false
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { out in
                for j in 0..<n {
                    let ra = rowA[j], rb = rowB[j], dy = wy[j]
                    if sampling == .nearest {
                        guard ra >= 0 else { continue }
                        for i in 0..<n where columnA[i] >= 0 {
                            let v = src[ra + columnA[i]]
                            out[j * n + i] = v
                            if !v.isNaN { any = true }
                        }
                        continue
                    }
                    for i in 0..<n {
                        let ca = columnA[i], cb = columnB[i], dx = wx[i]
                        // Nodata-aware bilinear: weights of missing neighbours are dropped and the rest renormalised.
                        var sum = 0.0, weight = 0.0
                        if ra >= 0 {
                            if ca >= 0 { let v = src[ra + ca]; if !v.isNaN { let w = (1 - dx) * (1 - dy); sum += Double(v) * w; weight += w } }
                            if cb >= 0 { let v = src[ra + cb]; if !v.isNaN { let w = dx * (1 - dy); sum += Double(v) * w; weight += w } }
                        }
                        if rb >= 0 {
                            if ca >= 0 { let v = src[rb + ca]; if !v.isNaN { let w = (1 - dx) * dy; sum += Double(v) * w; weight += w } }
                            if cb >= 0 { let v = src[rb + cb]; if !v.isNaN { let w = dx * dy; sum += Double(v) * w; weight += w } }
                        }
                        if weight > 1e-9 {
                            out[j * n + i] = Float(sum / weight)
                            any = true
                        }
                    }
                }
            }
        }
        return any ? out : nil
    }

    private func warpedValues(_ tile: Tile) throws(GeoError) -> [Float]? {
        let b = WebMercator.xyBounds(tile)
        let tileGrid = try Grid(crs: "EPSG:3857", resolution: (b.maxX - b.minX) / Double(tileSize),
                                bounds: [b.minX, b.minY, b.maxX, b.maxY])
        let warped = try dataset.warped(onto: tileGrid, resampling: sampling == .nearest ? .nearest : .bilinear)
        var out = [Float](repeating: .nan, count: tileSize * tileSize)
        let band = try warped.band(1)
        try out.withUnsafeMutableBufferPointer { (p) throws(GeoError) in
            try band.read(Window(column: 0, row: 0, width: tileSize, height: tileSize), into: p)
        }
        if let noData { for i in out.indices where out[i] == noData { out[i] = .nan } }
        return out.contains { !$0.isNaN } ? out : nil
    }
}
