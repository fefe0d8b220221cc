import CGDAL
import Foundation

/// An open GDAL raster dataset; closed when released. Not shared across threads: open one per thread.
public final class Dataset {
    let handle: GDALDatasetH
    /// The path it was opened or created with (for messages).
    public let path: String
    private var closed = false

    public enum Access: Sendable { case readOnly, update }

    /// Opens an existing raster (any GDAL-readable path, `/vsicurl/` included).
    public init(path: String, access: Access = .readOnly) throws(GeoError) {
        GDALRuntime.initialize()
        GDALRuntime.resetError()
        let flags = UInt32(GDAL_OF_RASTER) | UInt32(access == .update ? GDAL_OF_UPDATE : GDAL_OF_READONLY)
        guard let handle = GDALOpenEx(path, flags, nil, nil, nil) else {
            let exists = path.hasPrefix("/vsi") || FileManager.default.fileExists(atPath: path)
            throw .openFailed(path: path, reason: exists
                ? GDALRuntime.lastError(or: "not a raster format GDAL can read")
                : "no such file")
        }
        self.handle = handle
        self.path = path
        self.upstream = nil
    }

    /// Creates a new raster with the given grid, band count and type; `options` are the driver's creation options.
    public init(creating path: String, driver: String = "GTiff", grid: Grid, bands: Int, type: PixelType,
                options: [String: String] = [:]) throws(GeoError) {
        GDALRuntime.initialize()
        GDALRuntime.resetError()
        guard let driverHandle = GDALGetDriverByName(driver) else {
            throw .createFailed(path: path, reason: "GDAL has no driver named \(driver)")
        }
        let list = StringList(options: options)
        guard let handle = GDALCreate(driverHandle, path, Int32(grid.width), Int32(grid.height), Int32(bands),
                                      type.gdal, list.pointer) else {
            throw .creating(path, GDALRuntime.lastError(or: "the driver refused"))
        }
        self.handle = handle
        self.path = path
        self.upstream = nil
        try setGrid(grid)
    }

    /// Another dataset this one reads from (a warped VRT's virtual source), closed after this one.
    private let upstream: Dataset?

    /// Wraps a handle returned by a GDAL utility (warp, translate); takes ownership.
    init(owning handle: GDALDatasetH, path: String, keeping upstream: Dataset? = nil) {
        self.handle = handle
        self.path = path
        self.upstream = upstream
    }

    deinit { if !closed { GDALClose(handle) } }

    /// Flushes and closes now, reporting any write failure (deinit cannot).
    public func close() throws(GeoError) {
        guard !closed else { return }
        closed = true
        GDALRuntime.resetError()
        GDALClose(handle)
        if GDALRuntime.lastCallFailed {
            throw .writing(path, GDALRuntime.lastError(or: "closing failed"))
        }
    }

    public var width: Int { Int(GDALGetRasterXSize(handle)) }
    public var height: Int { Int(GDALGetRasterYSize(handle)) }
    public var bandCount: Int { Int(GDALGetRasterCount(handle)) }

    /// Bytes of all its bands decoded: what GDAL's block cache holds when every block has been read.
    public var decodedBytes: Int {
        (1...max(1, bandCount)).reduce(0) { total, index in
            guard let band = GDALGetRasterBand(handle, Int32(index)) else { return total }
            return total + width * height * Int(GDALGetDataTypeSizeBytes(GDALGetRasterDataType(band)))
        }
    }

    public var driverName: String {
        guard let driver = GDALGetDatasetDriver(handle) else { return "" }
        return String(cString: GDALGetDriverShortName(driver))
    }

    /// The dataset's grid; throws when it has no geotransform or no CRS.
    public func grid() throws(GeoError) -> Grid {
        var coefficients = [Double](repeating: 0, count: 6)
        guard GDALGetGeoTransform(handle, &coefficients) == CE_None else { throw .notGeoreferenced(path: path) }
        guard let wkt = GDALGetProjectionRef(handle), wkt.pointee != 0 else { throw .notGeoreferenced(path: path) }
        return Grid(width: width, height: height, geoTransform: GeoTransform(coefficients), crs: String(cString: wkt))
    }

    /// Sets geotransform and CRS.
    public func setGrid(_ grid: Grid) throws(GeoError) {
        var coefficients = grid.geoTransform.coefficients
        guard GDALSetGeoTransform(handle, &coefficients) == CE_None else {
            throw .writeFailed(path: path, reason: GDALRuntime.lastError(or: "cannot set the geotransform"))
        }
        let crs = try CRS(grid.crsDefinition)
        guard GDALSetSpatialRef(handle, crs.handle) == CE_None else {
            throw .writeFailed(path: path, reason: GDALRuntime.lastError(or: "cannot set the CRS"))
        }
    }

    /// The dataset's CRS.
    public func crs() throws(GeoError) -> CRS {
        guard let ref = GDALGetSpatialRef(handle), let clone = OSRClone(ref) else { throw .notGeoreferenced(path: path) }
        return CRS(owning: clone, definition: path)
    }

    /// Band `index`, counted from 1 as GDAL does.
    public func band(_ index: Int) throws(GeoError) -> Band {
        guard index >= 1, index <= bandCount, let band = GDALGetRasterBand(handle, Int32(index)) else {
            throw .noSuchBand(path: path, band: index, count: bandCount)
        }
        return Band(handle: band, dataset: self)
    }

    /// Adds empty overview levels (reduction `factors`, e.g. [2, 4, 8]) to every band, to be filled by writing into
    /// `Band.overview(_:)`; made with GDAL's "NONE" resampling, which allocates without computing.
    public func createEmptyOverviews(factors: [Int]) throws(GeoError) {
        var levels = factors.map(Int32.init)
        GDALRuntime.resetError()
        guard GDALBuildOverviews(handle, "NONE", Int32(levels.count), &levels, 0, nil, nil, nil) == CE_None else {
            throw .writing(path, GDALRuntime.lastError(or: "cannot create overviews"))
        }
    }

    /// Metadata items of a domain (the default domain when nil).
    public func metadata(domain: String? = nil) -> [String: String] {
        Metadata.read(GDALGetMetadata(handle, domain))
    }

    public func setMetadata(_ key: String, _ value: String, domain: String? = nil) throws(GeoError) {
        guard GDALSetMetadataItem(handle, key, value, domain) == CE_None else {
            throw .writeFailed(path: path, reason: GDALRuntime.lastError(or: "cannot set metadata \(key)"))
        }
    }

    /// The files that make up the dataset.
    public var files: [String] {
        let list = GDALGetFileList(handle)
        defer { CSLDestroy(list) }
        return StringList.strings(from: list)
    }
}

enum Metadata {
    static func read(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String: String] {
        var out: [String: String] = [:]
        for item in StringList.strings(from: list) {
            guard let eq = item.firstIndex(of: "=") else { continue }
            out[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return out
    }
}
