import Foundation

/// A raster grid: size, geotransform and CRS. The target grid of a run, or the grid of any dataset.
public struct Grid: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var geoTransform: GeoTransform
    /// The CRS as WKT (or any definition `CRS` accepts); kept as text so that grids are `Sendable`.
    public var crsDefinition: String

    public init(width: Int, height: Int, geoTransform: GeoTransform, crs: String) {
        self.width = width
        self.height = height
        self.geoTransform = geoTransform
        self.crsDefinition = crs
    }

    /// A north-up grid covering `bounds` (minX, minY, maxX, maxY) with square pixels of `resolution`.
    /// The bounds must be whole multiples of the resolution apart (checked to a millionth of a pixel).
    public init(crs: String, resolution: Double, bounds: [Double]) throws(GeoError) {
        guard bounds.count == 4, bounds.allSatisfy(\.isFinite), bounds[2] > bounds[0], bounds[3] > bounds[1] else {
            throw .invalidArgument("a grid's bbox must be [minX, minY, maxX, maxY] with min < max")
        }
        guard resolution > 0, resolution.isFinite else {
            throw .invalidArgument("a grid's resolution must be a positive number, not \(resolution)")
        }
        let columns = (bounds[2] - bounds[0]) / resolution, rows = (bounds[3] - bounds[1]) / resolution
        guard abs(columns - columns.rounded()) < 1e-6, abs(rows - rows.rounded()) < 1e-6 else {
            throw .invalidArgument("the bbox \(bounds) is not a whole number of \(resolution) pixels wide and high")
        }
        self.init(width: Int(columns.rounded()), height: Int(rows.rounded()),
                  geoTransform: GeoTransform(originX: bounds[0], pixelWidth: resolution,
                                             originY: bounds[3], pixelHeight: -resolution),
                  crs: crs)
    }

    public var pixelCount: Int { width * height }

    /// (minX, minY, maxX, maxY) in the grid's CRS (north-up grids).
    public var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        let (x0, y0) = geoTransform.world(column: 0, row: 0)
        let (x1, y1) = geoTransform.world(column: Double(width), row: Double(height))
        return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    }

    /// The pixel containing a world point (as `gdallocationinfo -geoloc` picks it), or nil when outside.
    public func pixel(containingX x: Double, y: Double) -> (column: Int, row: Int)? {
        let (c, r) = geoTransform.pixel(x: x, y: y)
        guard c.isFinite, r.isFinite else { return nil }
        let column = Int(floor(c)), row = Int(floor(r))
        guard column >= 0, row >= 0, column < width, row < height else { return nil }
        return (column, row)
    }

    /// The whole pixels covering world points (the outline of an area, say), `margin` pixels more on each side,
    /// clipped to the grid; nil without points or when they miss the grid. Pixel coordinates are clamped as doubles
    /// first, so that points far off the grid cannot overflow an Int.
    public func window(covering points: [(x: Double, y: Double)], margin: Int = 0) -> Window? {
        let pixels = points.map { geoTransform.pixel(x: $0.x, y: $0.y) }
        guard let c0 = pixels.map(\.column).min(), let c1 = pixels.map(\.column).max(),
              let r0 = pixels.map(\.row).min(), let r1 = pixels.map(\.row).max() else { return nil }
        func clamped(_ value: Double, _ count: Int) -> Int { Int(min(Double(count), max(0, value))) }
        let m = Double(margin)
        let first = (clamped(c0.rounded(.down) - m, width), clamped(r0.rounded(.down) - m, height))
        let end = (clamped(c1.rounded(.up) + m, width), clamped(r1.rounded(.up) + m, height))
        guard end.0 > first.0, end.1 > first.1 else { return nil }
        return Window(column: first.0, row: first.1, width: end.0 - first.0, height: end.1 - first.1)
    }

    /// World coordinates of a pixel's centre.
    public func centre(column: Int, row: Int) -> (x: Double, y: Double) {
        geoTransform.world(column: Double(column) + 0.5, row: Double(row) + 0.5)
    }

    /// The sub-grid of a window (same CRS and resolution).
    public func subgrid(_ window: Window) -> Grid {
        var transform = geoTransform
        let (x, y) = geoTransform.world(column: Double(window.column), row: Double(window.row))
        transform.originX = x
        transform.originY = y
        return Grid(width: window.width, height: window.height, geoTransform: transform, crs: crsDefinition)
    }

    /// The true area of each row's pixels, m2, on the CRS's ellipsoid.
    ///
    /// Geographic grids: exact ellipsoidal area of the pixel's latitude band (the authalic-latitude formula), so
    /// pixels shrink towards the poles. Projected grids: the nominal pixel area, true for equal-area projections only
    /// (`PixelAreas` has the true area of any grid's pixels).
    public func rowAreasSquareMetres() throws(GeoError) -> [Double] {
        let crs = try CRS(crsDefinition)
        guard crs.isGeographic else {
            let area = abs(geoTransform.pixelWidth * geoTransform.pixelHeight
                           - geoTransform.rowRotation * geoTransform.columnRotation)
            return [Double](repeating: area, count: height)
        }
        let (a, inverseF) = crs.ellipsoid
        let f = inverseF > 0 ? 1 / inverseF : 0
        let e2 = f * (2 - f), e = e2.squareRoot(), b2 = a * a * (1 - e2)
        // Integral of the area element from the equator to latitude phi, per radian of longitude, over b^2.
        func band(_ latitudeDegrees: Double) -> Double {
            let s = sin(min(90, max(-90, latitudeDegrees)) * .pi / 180)
            guard e > 0 else { return 2 * s }
            return s / (1 - e2 * s * s) + log((1 + e * s) / (1 - e * s)) / (2 * e)
        }
        let dLon = abs(geoTransform.pixelWidth) * .pi / 180
        return (0..<height).map { row in
            let top = geoTransform.world(column: 0, row: Double(row)).y
            let bottom = geoTransform.world(column: 0, row: Double(row + 1)).y
            return abs(band(top) - band(bottom)) * b2 * dLon / 2
        }
    }
}
