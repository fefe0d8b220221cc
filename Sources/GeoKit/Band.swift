import CGDAL

/// One band of a dataset. Keeps its dataset open; used on the dataset's thread only.
public final class Band {
    let handle: GDALRasterBandH
    public let dataset: Dataset

    init(handle: GDALRasterBandH, dataset: Dataset) {
        self.handle = handle
        self.dataset = dataset
    }

    /// Width and height of the band (an overview's are smaller than its dataset's).
    public var size: (width: Int, height: Int) { (Int(GDALGetRasterBandXSize(handle)), Int(GDALGetRasterBandYSize(handle))) }

    public var pixelType: PixelType? { PixelType(gdal: GDALGetRasterDataType(handle)) }

    /// The natural block size (tile or strip) of the band.
    public var blockSize: (width: Int, height: Int) {
        var w: Int32 = 0, h: Int32 = 0
        GDALGetBlockSize(handle, &w, &h)
        return (Int(w), Int(h))
    }

    /// The nodata value, if one is set.
    public var noDataValue: Double? {
        var has: Int32 = 0
        let value = GDALGetRasterNoDataValue(handle, &has)
        return has != 0 ? value : nil
    }

    public func setNoDataValue(_ value: Double) throws(GeoError) {
        guard GDALSetRasterNoDataValue(handle, value) == CE_None else {
            throw .writeFailed(path: dataset.path, reason: GDALRuntime.lastError(or: "cannot set nodata"))
        }
    }

    public var unit: String {
        guard let unit = GDALGetRasterUnitType(handle) else { return "" }
        return String(cString: unit)
    }

    public func setUnit(_ unit: String) { GDALSetRasterUnitType(handle, unit) }

    /// A palette for a categorical band: entry `i` colours value `i` (red, green, blue, alpha), so that GIS clients
    /// (QGIS, ArcGIS) draw the classes in their colours without a style.
    public func setColorTable(_ entries: [(r: UInt8, g: UInt8, b: UInt8, a: UInt8)]) throws(GeoError) {
        guard let table = GDALCreateColorTable(GPI_RGB) else {
            throw .writeFailed(path: dataset.path, reason: "cannot make a colour table")
        }
        defer { GDALDestroyColorTable(table) }
        for (i, e) in entries.enumerated() {
            var entry = GDALColorEntry(c1: Int16(e.r), c2: Int16(e.g), c3: Int16(e.b), c4: Int16(e.a))
            GDALSetColorEntry(table, Int32(i), &entry)
        }
        guard GDALSetRasterColorTable(handle, table) == CE_None else {
            throw .writeFailed(path: dataset.path, reason: GDALRuntime.lastError(or: "cannot set the colour table"))
        }
    }

    /// The band's palette, if it has one (entry `i` colours value `i`).
    public var colorTable: [(r: UInt8, g: UInt8, b: UInt8, a: UInt8)]? {
        guard let table = GDALGetRasterColorTable(handle) else { return nil }
        return (0..<GDALGetColorEntryCount(table)).compactMap { i in
            guard let e = GDALGetColorEntry(table, i)?.pointee else { return nil }
            return (UInt8(clamping: e.c1), UInt8(clamping: e.c2), UInt8(clamping: e.c3), UInt8(clamping: e.c4))
        }
    }

    public var bandDescription: String { String(cString: GDALGetDescription(handle)) }

    public func setDescription(_ text: String) { GDALSetDescription(handle, text) }

    public func metadata(domain: String? = nil) -> [String: String] {
        Metadata.read(GDALGetMetadata(handle, domain))
    }

    public func setMetadata(_ key: String, _ value: String) { GDALSetMetadataItem(handle, key, value, nil) }

    public var overviewCount: Int { Int(GDALGetOverviewCount(handle)) }

    /// Overview `index` (0 is the largest), as a band of the same dataset.
    public func overview(_ index: Int) throws(GeoError) -> Band {
        guard index >= 0, index < overviewCount, let overview = GDALGetOverview(handle, Int32(index)) else {
            throw .noSuchBand(path: dataset.path, band: index, count: overviewCount)
        }
        return Band(handle: overview, dataset: dataset)
    }

    /// Reads `window` into `buffer`, converted to `T`; the buffer holds `bufferWidth` x `bufferHeight` pixels row by row
    /// (the window's size unless resampled with `resampling`).
    public func read<T: RasterElement>(
        _ window: Window, into buffer: UnsafeMutableBufferPointer<T>,
        bufferWidth: Int? = nil, bufferHeight: Int? = nil, resampling: Resampling = .nearest
    ) throws(GeoError) {
        let bw = bufferWidth ?? window.width, bh = bufferHeight ?? window.height
        guard buffer.count >= bw * bh else {
            throw .invalidArgument("buffer of \(buffer.count) pixels for a \(bw)x\(bh) read")
        }
        var extra = GDALRasterIOExtraArg()
        extra.nVersion = 1
        extra.eResampleAlg = resampling.rasterIO
        GDALRuntime.resetError()
        let err = GDALRasterIOEx(handle, GF_Read, Int32(window.column), Int32(window.row), Int32(window.width),
                                 Int32(window.height), buffer.baseAddress, Int32(bw), Int32(bh), T.gdalType,
                                 0, 0, &extra)
        guard err == CE_None else {
            throw .readFailed(path: dataset.path, reason: GDALRuntime.lastError(or: "reading \(window) failed"))
        }
    }

    /// Reads a fractional source window resampled to `bufferWidth` x `bufferHeight` pixels with GDAL's resampled
    /// RasterIO (the kernels of its overview code: same results as `gdalwarp` for same-CRS grids, and faster).
    public func read<T: RasterElement>(
        fractional window: (x: Double, y: Double, width: Double, height: Double),
        into buffer: UnsafeMutableBufferPointer<T>, bufferWidth: Int, bufferHeight: Int, resampling: Resampling
    ) throws(GeoError) {
        guard buffer.count >= bufferWidth * bufferHeight else {
            throw .invalidArgument("buffer of \(buffer.count) pixels for a \(bufferWidth)x\(bufferHeight) read")
        }
        let rasterWidth = Int(GDALGetRasterBandXSize(handle)), rasterHeight = Int(GDALGetRasterBandYSize(handle))
        let x0 = max(0, Int(window.x.rounded(.down))), y0 = max(0, Int(window.y.rounded(.down)))
        let x1 = min(rasterWidth, Int((window.x + window.width).rounded(.up)))
        let y1 = min(rasterHeight, Int((window.y + window.height).rounded(.up)))
        var extra = GDALRasterIOExtraArg()
        extra.nVersion = 1
        extra.eResampleAlg = resampling.rasterIO
        extra.bFloatingPointWindowValidity = 1
        extra.dfXOff = window.x
        extra.dfYOff = window.y
        extra.dfXSize = window.width
        extra.dfYSize = window.height
        GDALRuntime.resetError()
        let err = GDALRasterIOEx(handle, GF_Read, Int32(x0), Int32(y0), Int32(x1 - x0), Int32(y1 - y0),
                                 buffer.baseAddress, Int32(bufferWidth), Int32(bufferHeight), T.gdalType, 0, 0, &extra)
        guard err == CE_None else {
            throw .readFailed(path: dataset.path, reason: GDALRuntime.lastError(or: "resampled read failed"))
        }
    }

    /// Writes `buffer` (window-sized, row by row) into `window`.
    public func write<T: RasterElement>(_ window: Window, from buffer: UnsafeBufferPointer<T>) throws(GeoError) {
        guard buffer.count >= window.pixelCount else {
            throw .invalidArgument("buffer of \(buffer.count) pixels for a write of \(window)")
        }
        GDALRuntime.resetError()
        let err = GDALRasterIOEx(handle, GF_Write, Int32(window.column), Int32(window.row), Int32(window.width),
                                 Int32(window.height), UnsafeMutableRawPointer(mutating: buffer.baseAddress),
                                 Int32(window.width), Int32(window.height), T.gdalType, 0, 0, nil)
        guard err == CE_None else {
            throw .writing(dataset.path, GDALRuntime.lastError(or: "writing \(window) failed"))
        }
    }

    /// Reads one pixel as Double (for point queries and tests).
    public func value(column: Int, row: Int) throws(GeoError) -> Double {
        var v = [0.0]
        try v.withUnsafeMutableBufferPointer { (p) throws(GeoError) in
            try read(Window(column: column, row: row, width: 1, height: 1), into: p)
        }
        return v[0]
    }

    /// Exact statistics (min, max, mean, standard deviation) over valid pixels; nil when no pixel is valid.
    public func statistics() -> (min: Double, max: Double, mean: Double, stdDev: Double)? {
        var mn = 0.0, mx = 0.0, mean = 0.0, sd = 0.0
        GDALRuntime.resetError()
        guard GDALComputeRasterStatistics(handle, 0, &mn, &mx, &mean, &sd, nil, nil) == CE_None else { return nil }
        return (mn, mx, mean, sd)
    }
}
