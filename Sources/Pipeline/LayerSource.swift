import Foundation
import GeoKit
import HotspotConfig

/// How one input layer gets onto the target grid: read directly through a pixel offset when its grid is the target's
/// (or a pixel-aligned superset of it), otherwise warped by GDAL with the resampling that suits its kind and relative
/// resolution. Decided once per run by `LayerSource.plan`, then opened once per worker thread.
public struct LayerSource: Sendable {
    public enum Alignment: Sendable, Equatable {
        /// Same CRS and pixel size; the target's pixel (0, 0) is the source's (column, row).
        case direct(column: Int, row: Int)
        /// Same CRS, north-up, another pixel size or origin: GDAL's resampled RasterIO over a fractional window.
        case resampled(resampling: Resampling)
        /// Another CRS: warped with `gdalwarp` semantics.
        case warped(resampling: Resampling)
    }

    public let spec: LayerSpec
    public let alignment: Alignment
    public let target: Grid
    /// The file's own nodata value, or the configured override.
    public let noData: Double?
    /// The source's grid and pixel size in target units (for provenance).
    public let sourceGrid: Grid
    public let sourceResolutionInTarget: Double
    /// The source says it is synthetic (demo data), in its `SYNTHETIC` metadata item.
    public let isSynthetic: Bool
    /// The source CRS's name or code, for provenance.
    public let sourceCRSName: String

    /// Opens the layer once to check it and decide how to align it.
    public static func plan(_ spec: LayerSpec, onto target: Grid, targetCRS: CRS) throws(PipelineError) -> LayerSource {
        func fail(_ error: GeoError) -> PipelineError { .layer(role: spec.role.rawValue, path: spec.path, error) }
        do {
            let dataset = try Dataset(path: spec.path)
            if spec.role.isMonthly, dataset.bandCount != 12 {
                throw PipelineError.unsuitableLayer(
                    role: spec.role.rawValue, path: spec.path,
                    reason: "has \(dataset.bandCount) band\(dataset.bandCount == 1 ? "" : "s"), but the model needs a "
                        + "monthly climatology of 12 bands, January first (e.g. WorldClim 2.1's twelve files stacked "
                        + "with gdalbuildvrt -separate)")
            }
            let band = try dataset.band(spec.band)
            let grid = try dataset.grid()
            let sourceCRS = try dataset.crs()
            let noData = spec.noData ?? band.noDataValue
            try checkCoverage(of: target, targetCRS: targetCRS, by: grid, sourceCRS: sourceCRS, path: spec.path)
            let resolution = try dataset.resolution(in: targetCRS)
            let alignment: Alignment
            if let offset = directOffset(source: grid, sourceCRS: sourceCRS, target: target, targetCRS: targetCRS) {
                alignment = .direct(column: offset.column, row: offset.row)
            } else {
                let resampling = chooseResampling(spec: spec, sourceResolution: resolution,
                                                  targetResolution: abs(target.geoTransform.pixelWidth))
                let sameCRS = grid.geoTransform.isNorthUp && target.geoTransform.isNorthUp
                    && sourceCRS.isSame(as: targetCRS)
                // GDAL's resampled RasterIO only knows the file's own nodata: an override needs the warper's
                // -srcnodata, or the override value would be interpolated as a value.
                let resamplable = sameCRS && (spec.noData == nil || spec.noData == band.noDataValue)
                alignment = resamplable ? .resampled(resampling: resampling) : .warped(resampling: resampling)
            }
            return LayerSource(spec: spec, alignment: alignment, target: target, noData: noData, sourceGrid: grid,
                               sourceResolutionInTarget: resolution,
                               isSynthetic: dataset.metadata()["SYNTHETIC"] != nil,
                               sourceCRSName: sourceCRS.provenanceName)
        } catch let error as PipelineError {
            throw error
        } catch let error as GeoError {
            throw fail(error)
        } catch {
            throw .unsuitableLayer(role: spec.role.rawValue, path: spec.path, reason: "\(error)")
        }
    }

    /// The bands the model reads: twelve months, or the configured band.
    public var bands: [Int] { spec.role.isMonthly ? Array(1...12) : [spec.band] }

    /// Interpolate when the source is as coarse as the target or coarser; aggregate when it is finer by more than
    /// half a pixel again (each target pixel then covers several source pixels).
    static func chooseResampling(spec: LayerSpec, sourceResolution: Double, targetResolution: Double) -> Resampling {
        if let name = spec.resampling {
            return name == "nearest" ? .nearest : Resampling(rawValue: name) ?? .nearest
        }
        let finer = sourceResolution * 1.5 < targetResolution
        if spec.role.isCategorical { return finer ? .mode : .nearest }
        return finer ? .average : .bilinear
    }

    /// The pixel offset when the source grid holds the target's pixels exactly (same CRS, same pixel size, whole-pixel
    /// shift, no rotation).
    static func directOffset(source: Grid, sourceCRS: CRS, target: Grid, targetCRS: CRS) -> (column: Int, row: Int)? {
        let s = source.geoTransform, t = target.geoTransform
        guard s.isNorthUp, t.isNorthUp, sourceCRS.isSame(as: targetCRS) else { return nil }
        func same(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(abs(a), abs(b)) }
        guard same(s.pixelWidth, t.pixelWidth), same(s.pixelHeight, t.pixelHeight) else { return nil }
        let (c, r) = s.pixel(x: t.originX, y: t.originY)
        guard abs(c - c.rounded()) < 1e-6, abs(r - r.rounded()) < 1e-6 else { return nil }
        let column = Int(c.rounded()), row = Int(r.rounded())
        guard column >= 0, row >= 0, column + target.width <= source.width, row + target.height <= source.height else {
            return nil
        }
        return (column, row)
    }

    /// Every target pixel must fall inside the source: checked on the target's edge pixel centres and an interior
    /// lattice, transformed into the source's CRS (a point the transformation cannot reach does not count as covered).
    static func checkCoverage(
        of target: Grid, targetCRS: CRS, by source: Grid, sourceCRS: CRS, path: String
    ) throws(GeoError) {
        var xs: [Double] = [], ys: [Double] = []
        let steps = 64
        for i in 0...steps {
            let c = min(target.width - 1, i * (target.width - 1) / steps)
            let r = min(target.height - 1, i * (target.height - 1) / steps)
            for (cc, rr) in [(c, 0), (c, target.height - 1), (0, r), (target.width - 1, r)] {
                let p = target.centre(column: cc, row: rr)
                xs.append(p.x)
                ys.append(p.y)
            }
            for j in stride(from: 0, through: steps, by: 8) {
                let p = target.centre(column: min(target.width - 1, j * (target.width - 1) / steps), row: r)
                xs.append(p.x)
                ys.append(p.y)
            }
        }
        let transform = try CoordinateTransform(from: targetCRS, to: sourceCRS)
        let ok = transform.transform(x: &xs, y: &ys)
        let b = source.bounds
        // Half a source pixel of slack: pixel centres of the target may sit on the source's outer edge.
        let slackX = abs(source.geoTransform.pixelWidth) / 2, slackY = abs(source.geoTransform.pixelHeight) / 2
        for i in xs.indices {
            let inside = ok[i]
                && xs[i] >= b.minX - slackX && xs[i] <= b.maxX + slackX
                && ys[i] >= b.minY - slackY && ys[i] <= b.maxY + slackY
            guard inside else {
                let missed = transformBack(i, xs: xs, ys: ys, ok: ok)
                throw .doesNotCover(path: path, reason: "the target pixel at \(missed) falls outside its extent "
                    + "[\(b.minX), \(b.minY), \(b.maxX), \(b.maxY)]")
            }
        }
    }

    private static func transformBack(_ i: Int, xs: [Double], ys: [Double], ok: [Bool]) -> String {
        ok[i] ? "source coordinates (\(xs[i]), \(ys[i]))" : "point \(i) (not transformable)"
    }

    /// Opens a reader on the calling thread; `blockRows` is the height of the windows it will read.
    public func open(blockRows: Int = 128) throws(PipelineError) -> LayerReader {
        do throws(GeoError) {
            let dataset = try Dataset(path: spec.path)
            switch alignment {
            case let .direct(column, row):
                return LayerReader(source: self, bands: try bands.map { (b) throws(GeoError) in try dataset.band(b) },
                                   offset: (column, row))
            case .resampled:
                return LayerReader(source: self, bands: try bands.map { (b) throws(GeoError) in try dataset.band(b) },
                                   offset: (0, 0))
            case let .warped(resampling):
                let warped = try dataset.warped(onto: target, resampling: resampling, noData: spec.noData,
                                                bands: bands, float: !spec.role.isCategorical, blockRows: blockRows)
                return LayerReader(source: self, bands: try (1...bands.count).map { (b) throws(GeoError) in
                    try warped.band(b)
                }, offset: (0, 0))
            }
        } catch {
            throw .layer(role: spec.role.rawValue, path: spec.path, error)
        }
    }

    /// A one-line account of the alignment for logs and `run.json`.
    public var alignmentSummary: String {
        switch alignment {
        case let .direct(column, row): "direct read at pixel offset (\(column), \(row))"
        case let .resampled(resampling): "GDAL resampled read (\(resampling.rawValue)), same CRS"
        case let .warped(resampling): "gdalwarp -r \(resampling.rawValue) onto the target grid"
        }
    }
}
