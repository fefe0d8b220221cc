import CGDAL
import Foundation

/// GDAL's command-line utilities as functions (`gdalwarp`, `gdal_rasterize`), for what they do best: clipping to a
/// cutline and burning polygons into a grid.
extension Dataset {
    /// Opens a vector dataset (GeoJSON, GeoPackage, ...) read-only, for the utilities below.
    public convenience init(vector path: String) throws(GeoError) {
        GDALRuntime.initialize()
        GDALRuntime.resetError()
        guard let handle = GDALOpenEx(path, UInt32(GDAL_OF_VECTOR) | UInt32(GDAL_OF_READONLY), nil, nil, nil) else {
            throw .openFailed(path: path, reason: FileManager.default.fileExists(atPath: path)
                ? GDALRuntime.lastError(or: "not a vector format GDAL can read") : "no such file")
        }
        self.init(owning: handle, path: path)
    }

    /// Runs `gdalwarp` with `arguments` from this dataset to a new file at `path`, and returns it open.
    public func warp(to path: String, arguments: [String]) throws(GeoError) -> Dataset {
        let list = StringList(arguments)
        GDALRuntime.resetError()
        guard let options = GDALWarpAppOptionsNew(list.pointer, nil) else {
            throw .createFailed(path: path, reason: GDALRuntime.lastError(or: "invalid warp options"))
        }
        defer { GDALWarpAppOptionsFree(options) }
        var source: GDALDatasetH? = handle
        var usageError: Int32 = 0
        guard let out = GDALWarp(path, nil, 1, &source, options, &usageError) else {
            throw .creating(path, GDALRuntime.lastError(or: "warping failed"))
        }
        return Dataset(owning: out, path: path)
    }

    /// Burns the features of `vector` into this (raster, updatable) dataset with `gdal_rasterize` `arguments`
    /// (e.g. `-burn 1 -where "id = 'x'"`).
    public func rasterize(_ vector: Dataset, arguments: [String]) throws(GeoError) {
        let list = StringList(arguments)
        GDALRuntime.resetError()
        guard let options = GDALRasterizeOptionsNew(list.pointer, nil) else {
            throw .createFailed(path: path, reason: GDALRuntime.lastError(or: "invalid rasterize options"))
        }
        defer { GDALRasterizeOptionsFree(options) }
        var usageError: Int32 = 0
        guard GDALRasterize(nil, handle, vector.handle, options, &usageError) != nil else {
            throw .createFailed(path: path, reason: GDALRuntime.lastError(or: "rasterizing failed"))
        }
    }
}
