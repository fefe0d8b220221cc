/// GDAL's affine geotransform: world = origin + column * (a, d) + row * (b, e), at a pixel's top-left corner.
public struct GeoTransform: Sendable, Equatable, Codable {
    public var originX: Double
    public var pixelWidth: Double
    public var rowRotation: Double
    public var originY: Double
    public var columnRotation: Double
    public var pixelHeight: Double

    public init(originX: Double, pixelWidth: Double, rowRotation: Double = 0,
                originY: Double, columnRotation: Double = 0, pixelHeight: Double) {
        self.originX = originX
        self.pixelWidth = pixelWidth
        self.rowRotation = rowRotation
        self.originY = originY
        self.columnRotation = columnRotation
        self.pixelHeight = pixelHeight
    }

    /// From GDAL's six-number array.
    public init(_ c: [Double]) {
        precondition(c.count == 6)
        self.init(originX: c[0], pixelWidth: c[1], rowRotation: c[2], originY: c[3], columnRotation: c[4],
                  pixelHeight: c[5])
    }

    public var coefficients: [Double] { [originX, pixelWidth, rowRotation, originY, columnRotation, pixelHeight] }

    public var isNorthUp: Bool { rowRotation == 0 && columnRotation == 0 }

    /// World coordinates of a (fractional) pixel position; (0.5, 0.5) is the first pixel's centre.
    public func world(column: Double, row: Double) -> (x: Double, y: Double) {
        (originX + column * pixelWidth + row * rowRotation, originY + column * columnRotation + row * pixelHeight)
    }

    /// Fractional pixel position of world coordinates. Uses GDAL's own inverse (`GDALInvGeoTransform`, then
    /// `GDALApplyGeoTransform`) term for term, so a point on a pixel edge lands in the same pixel as
    /// `gdallocationinfo` puts it: dividing by the determinant instead turns 180 into 7199.999999999998.
    public func pixel(x: Double, y: Double) -> (column: Double, row: Double) {
        let inverse = self.inverse
        return (inverse.originX + x * inverse.pixelWidth + y * inverse.rowRotation,
                inverse.originY + x * inverse.columnRotation + y * inverse.pixelHeight)
    }

    /// The pixel-from-world transform, computed as GDAL computes it (north-up fast path included).
    public var inverse: GeoTransform {
        if isNorthUp && pixelWidth != 0 && pixelHeight != 0 {
            return GeoTransform(originX: -originX / pixelWidth, pixelWidth: 1 / pixelWidth,
                                originY: -originY / pixelHeight, pixelHeight: 1 / pixelHeight)
        }
        let inverseDeterminant = 1 / (pixelWidth * pixelHeight - rowRotation * columnRotation)
        return GeoTransform(
            originX: (rowRotation * originY - originX * pixelHeight) * inverseDeterminant,
            pixelWidth: pixelHeight * inverseDeterminant, rowRotation: -rowRotation * inverseDeterminant,
            originY: (-pixelWidth * originY + originX * columnRotation) * inverseDeterminant,
            columnRotation: -columnRotation * inverseDeterminant, pixelHeight: pixelWidth * inverseDeterminant)
    }
}
