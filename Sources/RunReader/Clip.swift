import Foundation
import GeoKit
import Pipeline
import Tiling

/// A clipped COG of one output layer: over a lon/lat box (snapped outwards to whole grid pixels; a box across the
/// antimeridian is joined into one raster whose longitudes run past 180) or a named region (pixels outside it set to
/// nodata), made once per run and area and cached.
public struct DownloadRequest: Sendable {
    enum Area: Sendable {
        case bbox([Double])
        case region(RegionCatalog.Region)
    }

    public let layer: OutputLayer
    let area: Area

    /// Parses `layer`, and exactly one of `bbox` (W,S,E,N in degrees) and `region`.
    public init(layer: String?, bbox: String?, region: String?, catalog: RegionCatalog) throws(ReadError) {
        guard let layer else { throw .badParameter("layer", "layer is required (one of \(Self.layerNames))") }
        guard let output = OutputLayer(rawValue: layer) else {
            throw ReadError.notFound("unknown layer '\(layer)'; known: \(Self.layerNames)", parameter: "layer")
        }
        self.layer = output
        switch (bbox, region) {
        case let (bbox?, nil):
            let parts = bbox.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 4, var values = parts as? [Double], values.allSatisfy(\.isFinite) else {
                throw .badParameter("bbox", "bbox must be four numbers west,south,east,north (got '\(bbox)')")
            }
            guard values[0] >= -180, values[2] <= 180, values[1] >= -90, values[3] <= 90 else {
                throw .badParameter("bbox", "bbox must lie within -180..180 and -90..90 degrees")
            }
            // West > east is a box across the antimeridian (as in GeoJSON and STAC); south must be below north. A
            // west edge at 180 or an east edge at -180 is the same meridian seen from the other side.
            if values[0] == 180 { values[0] = -180 }
            if values[2] == -180 { values[2] = 180 }
            guard values[0] != values[2], values[1] < values[3] else {
                throw .badParameter("bbox", "bbox is empty or inverted: south must be less than north, and west differ "
                                    + "from east (west > east crosses the antimeridian)")
            }
            area = .bbox(values)
        case let (nil, region?):
            area = .region(try catalog.region(region))
        case (nil, nil):
            throw .badParameter("bbox", "give bbox=west,south,east,north or region=ID")
        case (.some, .some):
            throw .badParameter("region", "give bbox or region, not both")
        }
    }

    static var layerNames: String { OutputLayer.allCases.map(\.rawValue).joined(separator: ", ") }

    var box: [Double] {
        switch area {
        case let .bbox(box): box
        case let .region(region): region.bbox
        }
    }

    var crossesAntimeridian: Bool { box[0] > box[2] }

    /// The file name a user sees: layer, area and run.
    func fileName(runID: String) -> String {
        switch area {
        case let .bbox(b): "\(layer.rawValue)_\(b.map { String(format: "%.4f", $0) }.joined(separator: "_"))_\(runID).tif"
        case let .region(region): "\(layer.rawValue)_\(region.id)_\(runID).tif"
        }
    }
}

extension RunReader {
    /// Makes (or finds in `cacheDirectory`) the clipped COG and returns its path relative to `cacheDirectory`.
    public func download(_ request: DownloadRequest, catalog: RegionCatalog, cacheDirectory: String,
                  maxPixels: Int) throws -> String {
        let windows = try downloadWindows(request)
        let window = windows[0]
        let pixels = windows.reduce(0) { $0 + $1.pixelCount }
        guard pixels <= maxPixels else {
            throw ReadError.tooLarge("the area is \(windows.reduce(0) { $0 + $1.width }) x \(window.height) = \(pixels) "
                          + "pixels; the limit is \(maxPixels): ask for a smaller area")
        }
        let relative = runID + "/downloads/" + request.fileName(runID: runID)
        let path = (cacheDirectory as NSString).appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: path) { return relative }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let partial = path + ".partial-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: partial) }
        let source = try Dataset(path: self.path(of: request.layer))
        let categorical = request.layer == .hotspotClass
        // RUN_ID: a downloaded file names the run (and so the run.json) it was cut from. The run's own COGs do not
        // carry it, so that a rerun of the same inputs writes the same bytes.
        let cog = ["-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=\(categorical ? "NO" : "YES")",
                   "-co", "RESAMPLING=\(categorical ? "MODE" : "AVERAGE")", "-co", "BLOCKSIZE=256", "-mo", "RUN_ID=\(runID)"]
        switch request.area {
        case .bbox where windows.count > 1:
            let vrt = partial + ".vrt"
            defer { try? FileManager.default.removeItem(atPath: vrt) }
            try Data(joinedVRT(source: source, path: self.path(of: request.layer), layer: request.layer, windows: windows).utf8)
                .write(to: URL(fileURLWithPath: vrt))
            let out = try Dataset(path: vrt).translate(to: partial, arguments: cog)
            try out.close()
        case .bbox:
            let out = try source.translate(to: partial, arguments: [
                "-srcwin", "\(window.column)", "\(window.row)", "\(window.width)", "\(window.height)",
            ] + cog)
            try out.close()
        case let .region(region):
            // The window's own extent and the grid's resolution: the clip stays on the run's pixel grid.
            // Warped to a VRT (the cutline applied as it is read), then written as a COG with the run's id.
            let sub = grid.subgrid(window), b = sub.bounds, t = sub.geoTransform
            let vrt = partial + ".vrt"
            defer { try? FileManager.default.removeItem(atPath: vrt) }
            let cut = try source.warp(to: vrt, arguments: [
                "-of", "VRT", "-cutline", catalog.path, "-cwhere", "id = '\(region.id)'",
                "-te", "\(b.minX)", "\(b.minY)", "\(b.maxX)", "\(b.maxY)", "-tr", "\(t.pixelWidth)", "\(abs(t.pixelHeight))",
                "-dstnodata", "\(request.layer.noData)", "-r", "near",
            ])
            try cut.close()
            let out = try Dataset(path: vrt).translate(to: partial, arguments: cog)
            try out.close()
        }
        try FileManager.default.moveItem(atPath: partial, toPath: path)
        return relative
    }

    /// The grid windows of a download: one, or for a box across the antimeridian on a lon/lat grid that goes round
    /// the globe, the part west of 180 degrees and the part east of -180, to be joined side by side. On a regional
    /// grid only one side can overlap it; on a projected grid the two sides are one area when their windows touch.
    func downloadWindows(_ request: DownloadRequest) throws -> [Window] {
        let box = request.box
        guard request.crossesAntimeridian else {
            return [try pixelWindow(west: box[0], south: box[1], east: box[2], north: box[3])]
        }
        let west = try? pixelWindow(west: box[0], south: box[1], east: 180, north: box[3])
        let east = try? pixelWindow(west: -180, south: box[1], east: box[2], north: box[3])
        let goesRound = gridIsLonLat && abs(Double(grid.width) * grid.geoTransform.pixelWidth - 360) < 1e-6 * 360
        switch (west, east) {
        case (nil, nil):
            throw ReadError.notFound("the area does not overlap the grid of run \(runID)")
        case let (side?, nil), let (nil, side?):
            return [side]
        case let (a?, b?):
            if goesRound, a.column + a.width == grid.width, b.column == 0, a.row == b.row, a.height == b.height {
                return [a, b]
            }
            if !gridIsLonLat, a.column <= b.column + b.width, b.column <= a.column + a.width {
                let column = min(a.column, b.column), row = min(a.row, b.row)
                return [Window(column: column, row: row, width: max(a.column + a.width, b.column + b.width) - column,
                               height: max(a.row + a.height, b.row + b.height) - row)]
            }
            throw ReadError.badParameter("bbox", "a bbox across the antimeridian needs a grid that goes round the globe "
                                       + "or one that is continuous there; this run's grid is neither")
        }
    }

    /// A VRT that puts `windows` (the same rows of the run's raster) side by side: the first one's georeferencing,
    /// continued eastwards past 180 degrees; the run's provenance, units and description come along.
    func joinedVRT(source: Dataset, path: String, layer: OutputLayer, windows: [Window]) throws -> String {
        let xml = XMLText.escaped
        func metadata(_ items: [String: String]) -> String {
            "<Metadata>" + items.sorted { $0.key < $1.key }.map { "<MDI key=\"\(xml($0.key))\">\(xml($0.value))</MDI>" }
                .joined() + "</Metadata>"
        }
        let band = try source.band(1)
        // A class raster keeps its palette, as gdal_translate keeps it for a plain clip (the names are metadata).
        var palette = ""
        if let table = band.colorTable {
            palette += "<ColorInterp>Palette</ColorInterp><ColorTable>"
                + table.map { "<Entry c1=\"\($0.r)\" c2=\"\($0.g)\" c3=\"\($0.b)\" c4=\"\($0.a)\"/>" }.joined() + "</ColorTable>"
        }
        let t = grid.geoTransform, first = windows[0]
        let originX = t.originX + Double(first.column) * t.pixelWidth, originY = t.originY + Double(first.row) * t.pixelHeight
        let width = windows.reduce(0) { $0 + $1.width }
        var offset = 0, sources = ""
        for window in windows {
            sources += """
                <SimpleSource><SourceFilename relativeToVRT="0">\(xml(path))</SourceFilename><SourceBand>1</SourceBand>\
                <SrcRect xOff="\(window.column)" yOff="\(window.row)" xSize="\(window.width)" ySize="\(window.height)"/>\
                <DstRect xOff="\(offset)" yOff="0" xSize="\(window.width)" ySize="\(window.height)"/></SimpleSource>

                """
            offset += window.width
        }
        return """
            <VRTDataset rasterXSize="\(width)" rasterYSize="\(first.height)">
            <SRS>\(xml(grid.crsDefinition))</SRS>
            <GeoTransform>\(originX), \(t.pixelWidth), 0, \(originY), 0, \(t.pixelHeight)</GeoTransform>
            \(metadata(source.metadata()))
            <VRTRasterBand dataType="\(layer.pixelType == .byte ? "Byte" : "Float32")" band="1">
            <Description>\(xml(band.bandDescription))</Description>\(metadata(band.metadata()))
            <NoDataValue>\(layer.noData)</NoDataValue><UnitType>\(xml(band.unit))</UnitType>\(palette)
            \(sources)</VRTRasterBand>
            </VRTDataset>
            """
    }
}

extension RunReader {
    /// `hotspot region --out`: the same clip as `/v1/download`, written to `path` (temporary name, then renamed).
    public func clip(layer: String?, bbox: String?, region: String?, catalog: RegionCatalog, to path: String,
                     maxPixels: Int) throws {
        let request = try DownloadRequest(layer: layer, bbox: bbox, region: region, catalog: catalog)
        // Before any work: the folder of the output must be there and writable.
        let parent = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
            throw ReadError.invalid("cannot write \(path): there is no folder \(parent)", parameter: "out")
        }
        guard FileManager.default.isWritableFile(atPath: parent) else {
            throw ReadError.invalid("cannot write \(path): the folder \(parent) is not writable", parameter: "out")
        }
        let folder = NSTemporaryDirectory() + "hotspot-clip-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let relative = try download(request, catalog: catalog, cacheDirectory: folder, maxPixels: maxPixels)
        let partial = path + ".partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try FileManager.default.copyItem(atPath: folder + "/" + relative, toPath: partial)
        } catch {
            throw ReadError.failed("cannot write \(path): \((error as NSError).localizedDescription)")
        }
        // rename(2) replaces an existing file atomically and also makes a new one (FileManager.replaceItemAt needs
        // the destination to exist on Linux).
        guard rename(partial, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: partial)
            throw ReadError.failed("cannot write \(path): \(reason)")
        }
    }
}
