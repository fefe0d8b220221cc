import CGDAL

/// Transforms coordinates between two CRSs (both in GIS axis order). Not shared across threads.
public final class CoordinateTransform {
    let handle: OGRCoordinateTransformationH
    public let source: CRS
    public let target: CRS

    public init(from source: CRS, to target: CRS) throws(GeoError) {
        GDALRuntime.resetError()
        guard let handle = OCTNewCoordinateTransformation(source.handle, target.handle) else {
            throw .transformFailed(reason: GDALRuntime.lastError(
                or: "no transformation from \(source.name) to \(target.name)"))
        }
        self.handle = handle
        self.source = source
        self.target = target
    }

    deinit { OCTDestroyCoordinateTransformation(handle) }

    /// Transforms points in place; returns which ones succeeded. A point off the projection's domain fails, and so
    /// does one that PROJ reports as done but sends to infinity or NaN (so no caller has to check that again).
    public func transform(x: inout [Double], y: inout [Double]) -> [Bool] {
        precondition(x.count == y.count)
        var success = [Int32](repeating: 0, count: x.count)
        var z = [Double](repeating: 0, count: x.count)
        GDALRuntime.resetError()
        _ = OCTTransformEx(handle, Int32(x.count), &x, &y, &z, &success)
        return x.indices.map { success[$0] != 0 && x[$0].isFinite && y[$0].isFinite }
    }

    /// Transforms one point, or throws when it is outside the projection's domain.
    public func transform(x: Double, y: Double) throws(GeoError) -> (x: Double, y: Double) {
        var xs = [x], ys = [y]
        guard transform(x: &xs, y: &ys)[0] else {
            throw .transformFailed(reason: "(\(x), \(y)) from \(source.name) to \(target.name)")
        }
        return (xs[0], ys[0])
    }
}
