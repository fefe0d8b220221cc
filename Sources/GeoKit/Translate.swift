import CGDAL

/// Copies with `gdal_translate` semantics, which is how Cloud Optimized GeoTIFFs are made (GDAL's COG driver).
extension Dataset {
    /// Runs `gdal_translate` with `arguments` from this dataset to `path`; returns the new dataset, open.
    public func translate(to path: String, arguments: [String]) throws(GeoError) -> Dataset {
        let list = StringList(arguments)
        GDALRuntime.resetError()
        guard let options = GDALTranslateOptionsNew(list.pointer, nil) else {
            throw .createFailed(path: path, reason: GDALRuntime.lastError(or: "invalid translate options"))
        }
        defer { GDALTranslateOptionsFree(options) }
        var usageError: Int32 = 0
        guard let out = GDALTranslate(path, handle, options, &usageError) else {
            throw .creating(path, GDALRuntime.lastError(or: "translation failed"))
        }
        // The new dataset may be a VRT that reads this one: keep this one open as long as it lives.
        return Dataset(owning: out, path: path, keeping: self)
    }

    /// Writes a Cloud Optimized GeoTIFF of this dataset to `path`. Overviews are made by `overviewResampling`, or,
    /// when `overviewResampling` is nil, copied from the dataset's own (see `createEmptyOverviews`).
    public func writeCOG(
        to path: String, compression: COGCompression = .zstd(level: 1), predictor: Bool,
        overviewResampling: Resampling?, blockSize: Int = 512
    ) throws(GeoError) {
        let overviews = overviewResampling.map { ["-co", "OVERVIEWS=IGNORE_EXISTING", "-co", "RESAMPLING=\($0.gdalOverviewName)"] }
            ?? ["-co", "OVERVIEWS=FORCE_USE_EXISTING"]
        var arguments = ["-of", "COG", "-co", "BLOCKSIZE=\(blockSize)", "-co", "NUM_THREADS=ALL_CPUS"] + overviews + [
                         "-co", "PREDICTOR=\(predictor ? "YES" : "NO")"]
        arguments += compression.creationOptions.flatMap { ["-co", $0] }
        let out = try translate(to: path, arguments: arguments)
        try out.close()
    }
}

/// Compression codecs for COG outputs.
public enum COGCompression: Sendable, Equatable {
    case deflate(level: Int)
    case zstd(level: Int)
    case lzw
    case none

    var creationOptions: [String] {
        switch self {
        case let .deflate(level): ["COMPRESS=DEFLATE", "LEVEL=\(level)"]
        case let .zstd(level): ["COMPRESS=ZSTD", "LEVEL=\(level)"]
        case .lzw: ["COMPRESS=LZW"]
        case .none: ["COMPRESS=NONE"]
        }
    }
}

extension Resampling {
    /// The name GDAL's overview builder uses.
    var gdalOverviewName: String {
        switch self {
        case .nearest: "NEAREST"
        case .bilinear: "BILINEAR"
        case .cubic: "CUBIC"
        case .average: "AVERAGE"
        case .mode: "MODE"
        }
    }
}
