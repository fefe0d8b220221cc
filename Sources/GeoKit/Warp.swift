import CGDAL

/// Putting a source raster onto a target grid with GDAL's warper, lazily: the result is a warped VRT whose windows are
/// warped when read, so memory stays bounded whatever the raster size.
extension Dataset {
    /// The `gdalwarp` arguments that put this dataset onto `grid` with `resampling` (also recorded in provenance, and
    /// what tests give `gdalwarp` to compare).
    /// `float` warps and stores in Float32, so that integer-coded layers (SoilGrids' Int16) are interpolated before
    /// they are rounded, not after.
    public static func warpArguments(
        onto grid: Grid, resampling: Resampling, noData: Double? = nil, float: Bool = false
    ) -> [String] {
        let b = grid.bounds
        var extra: [String] = []
        if let noData { extra += ["-srcnodata", "\(noData)", "-dstnodata", "\(noData)"] }
        if float { extra += ["-ot", "Float32", "-wt", "Float32"] }
        return extra + ["-t_srs", grid.crsDefinition,
                "-te", "\(b.minX)", "\(b.minY)", "\(b.maxX)", "\(b.maxY)",
                "-ts", "\(grid.width)", "\(grid.height)",
                "-r", resampling.rawValue]
    }

    /// A virtual dataset showing this one on `grid`, resampled with `resampling`; nodata is carried over.
    /// `noData` overrides the source's own nodata value; `bands` picks bands of a multi-band source (nil: all);
    /// `float` warps in Float32 (see `warpArguments`). `blockRows` should be the height of the windows read, so that
    /// no block is warped for two of them.
    public func warped(
        onto grid: Grid, resampling: Resampling, noData: Double? = nil, bands: [Int]? = [1], float: Bool = false,
        blockRows: Int = 128
    ) throws(GeoError) -> Dataset {
        let blocks = ["-co", "BLOCKXSIZE=\(min(grid.width, 16384))", "-co", "BLOCKYSIZE=\(max(1, blockRows))"]
        let arguments = StringList(["-of", "VRT"] + blocks
            + Self.warpArguments(onto: grid, resampling: resampling, noData: noData, float: float))
        // GDAL 3.6's warper has no band selection: pick the bands through a virtual copy first.
        let all = Array(1...max(1, bandCount))
        let source = bands == nil || bands == all ? self
            : try translate(to: "", arguments: ["-of", "VRT"] + (bands ?? []).flatMap { ["-b", "\($0)"] })
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
