import CGDAL

/// Putting a source raster onto a target grid with GDAL's warper, lazily: the result is a warped VRT whose windows are
/// warped when read, so memory stays bounded whatever the raster size.
extension Dataset {
    /// The `gdalwarp` arguments that put this dataset onto `grid` with `resampling` (also recorded in provenance, and
    /// what tests give `gdalwarp` to compare).
    public static func warpArguments(onto grid: Grid, resampling: Resampling, noData: Double? = nil) -> [String] {
        let b = grid.bounds
        var extra: [String] = []
        if let noData { extra += ["-srcnodata", "\(noData)", "-dstnodata", "\(noData)"] }
        return extra + ["-t_srs", grid.crsDefinition,
                "-te", "\(b.minX)", "\(b.minY)", "\(b.maxX)", "\(b.maxY)",
                "-ts", "\(grid.width)", "\(grid.height)",
                "-r", resampling.rawValue]
    }

    /// A virtual dataset showing this one on `grid`, resampled with `resampling`; nodata is carried over.
    /// `noData` overrides the source's own nodata value; `band` picks one band of a multi-band source.
    public func warped(
        onto grid: Grid, resampling: Resampling, noData: Double? = nil, band: Int = 1
    ) throws(GeoError) -> Dataset {
        // Whole-width blocks of 128 rows: one warp per strip that the pipeline reads, no block warped twice.
        let blocks = ["-co", "BLOCKXSIZE=\(min(grid.width, 16384))", "-co", "BLOCKYSIZE=128"]
        let arguments = StringList(["-of", "VRT"] + blocks
            + Self.warpArguments(onto: grid, resampling: resampling, noData: noData))
        // GDAL 3.6's warper has no band selection: pick the band through a virtual copy first.
        let source = band == 1 && bandCount == 1 ? self : try translate(to: "", arguments: ["-of", "VRT", "-b", "\(band)"])
        GDALRuntime.resetError()
        guard let options = GDALWarpAppOptionsNew(arguments.pointer, nil) else {
            throw .warpFailed(path: path, reason: GDALRuntime.lastError(or: "invalid warp options"))
        }
        defer { GDALWarpAppOptionsFree(options) }
        var sources: [GDALDatasetH?] = [source.handle]
        var usageError: Int32 = 0
        guard let out = GDALWarp("", nil, 1, &sources, options, &usageError) else {
            throw .warpFailed(path: path, reason: GDALRuntime.lastError(or: "the warper failed"))
        }
        // The warped VRT refers to `source` (and releases its reference when closed): keep the source open until then.
        return Dataset(owning: out, path: "\(path) (warped)", keeping: source)
    }

    /// This dataset's pixel size expressed in the units of `target` (GDAL's suggested warp output), to choose between
    /// interpolating (source coarser) and aggregating (source finer).
    public func resolution(in target: CRS) throws(GeoError) -> Double {
        let options = StringList(["DST_SRS=\(target.wkt)"])
        GDALRuntime.resetError()
        guard let transformer = GDALCreateGenImgProjTransformer2(handle, nil, options.pointer) else {
            throw .transformFailed(reason: GDALRuntime.lastError(or: "no transformer from \(path) to \(target.name)"))
        }
        defer { GDALDestroyGenImgProjTransformer(transformer) }
        var transform = [Double](repeating: 0, count: 6)
        var extent = [Double](repeating: 0, count: 4)
        var pixels: Int32 = 0, lines: Int32 = 0
        guard GDALSuggestedWarpOutput2(handle, GDALGenImgProjTransform, transformer, &transform, &pixels, &lines,
                                       &extent, 0) == CE_None else {
            throw .transformFailed(reason: GDALRuntime.lastError(or: "cannot express \(path) in \(target.name)"))
        }
        return abs(transform[1])
    }
}
