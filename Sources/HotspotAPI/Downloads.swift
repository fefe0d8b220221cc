import Foundation
import GeoKit
import Pipeline

/// A clipped COG of one output layer: over a lon/lat box (snapped outwards to whole grid pixels) or a named region
/// (pixels outside it set to nodata), made once per run and area and cached.
struct DownloadRequest: Sendable {
    enum Area: Sendable {
        case bbox([Double])
        case region(RegionCatalog.Region)
    }

    let layer: OutputLayer
    let area: Area

    /// Parses `layer`, and exactly one of `bbox` (W,S,E,N in degrees) and `region`.
    init(layer: String?, bbox: String?, region: String?, catalog: RegionCatalog) throws(Problem) {
        guard let layer else { throw .badParameter("layer", "layer is required (one of \(Self.layerNames))") }
        guard let output = OutputLayer(rawValue: layer) else {
            throw Problem(.notFound, "unknown layer '\(layer)'; known: \(Self.layerNames)", parameter: "layer")
        }
        self.layer = output
        switch (bbox, region) {
        case let (bbox?, nil):
            let parts = bbox.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 4, let values = parts as? [Double], values.allSatisfy(\.isFinite) else {
                throw .badParameter("bbox", "bbox must be four numbers west,south,east,north (got '\(bbox)')")
            }
            guard values[0] >= -180, values[2] <= 180, values[1] >= -90, values[3] <= 90 else {
                throw .badParameter("bbox", "bbox must lie within -180..180 and -90..90 degrees")
            }
            guard values[0] < values[2], values[1] < values[3] else {
                throw .badParameter("bbox", "bbox is inverted: west must be less than east and south less than north")
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

    /// The file name a user sees: layer, area and run.
    func fileName(runID: String) -> String {
        switch area {
        case let .bbox(b): "\(layer.rawValue)_\(b.map { String(format: "%.4f", $0) }.joined(separator: "_"))_\(runID).tif"
        case let .region(region): "\(layer.rawValue)_\(region.id)_\(runID).tif"
        }
    }
}

extension PublishedRun {
    /// Makes (or finds in `cacheDirectory`) the clipped COG and returns its path relative to `cacheDirectory`.
    func download(_ request: DownloadRequest, catalog: RegionCatalog, cacheDirectory: String,
                  maxPixels: Int) throws -> String {
        let box = request.box
        let window = try pixelWindow(west: box[0], south: box[1], east: box[2], north: box[3])
        guard window.pixelCount <= maxPixels else {
            throw Problem(.contentTooLarge, "the area is \(window.width) x \(window.height) = \(window.pixelCount) pixels; "
                          + "the limit is \(maxPixels): ask for a smaller area")
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
        let cog = ["-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=\(categorical ? "NO" : "YES")",
                   "-co", "RESAMPLING=\(categorical ? "MODE" : "AVERAGE")", "-co", "BLOCKSIZE=256"]
        switch request.area {
        case .bbox:
            let out = try source.translate(to: partial, arguments: [
                "-srcwin", "\(window.column)", "\(window.row)", "\(window.width)", "\(window.height)",
            ] + cog)
            try out.close()
        case let .region(region):
            // The window's own extent and the grid's resolution: the clip stays on the run's pixel grid.
            let sub = grid.subgrid(window), b = sub.bounds, t = sub.geoTransform
            let out = try source.warp(to: partial, arguments: [
                "-cutline", catalog.path, "-cwhere", "id = '\(region.id)'",
                "-te", "\(b.minX)", "\(b.minY)", "\(b.maxX)", "\(b.maxY)", "-tr", "\(t.pixelWidth)", "\(abs(t.pixelHeight))",
                "-dstnodata", "\(request.layer.noData)", "-r", "near",
            ] + cog)
            try out.close()
        }
        try FileManager.default.moveItem(atPath: partial, toPath: path)
        return relative
    }

    /// A STAC 1.0 Item describing a download: where it is, its projection, bands, nodata and checksum.
    func stacItem(_ request: DownloadRequest, file: String, href: String) throws -> Data {
        let dataset = try Dataset(path: file)
        let grid = try dataset.grid(), band = try dataset.band(1)
        let b = grid.bounds, t = grid.geoTransform
        let epsg = try dataset.crs().authorityCode.flatMap { Int($0.split(separator: ":").last ?? "") }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let box = [b.minX, b.minY, b.maxX, b.maxY]
        let ring = [[b.minX, b.minY], [b.maxX, b.minY], [b.maxX, b.maxY], [b.minX, b.maxY], [b.minX, b.minY]]
        let item: [String: Any] = [
            "type": "Feature", "stac_version": "1.0.0",
            "stac_extensions": ["https://stac-extensions.github.io/projection/v1.1.0/schema.json",
                                "https://stac-extensions.github.io/raster/v1.1.0/schema.json",
                                "https://stac-extensions.github.io/file/v2.1.0/schema.json"],
            "id": (file as NSString).lastPathComponent.replacingOccurrences(of: ".tif", with: ""),
            "bbox": box,
            "geometry": ["type": "Polygon", "coordinates": [ring]],
            "properties": [
                "datetime": record.createdAt, "title": request.layer.description,
                "hotspot:run_id": runID, "hotspot:synthetic": record.synthetic,
                "proj:epsg": epsg.map { $0 as Any } ?? NSNull(), "proj:shape": [grid.height, grid.width],
                "proj:transform": [t.pixelWidth, t.rowRotation, t.originX, t.columnRotation, t.pixelHeight, t.originY],
            ] as [String: Any],
            "assets": ["data": [
                "href": href, "type": "image/tiff; application=geotiff; profile=cloud-optimized", "roles": ["data"],
                "title": request.layer.description,
                "file:size": size, "file:checksum": "1220" + (SHA256.file(file) ?? ""),
                "raster:bands": [["nodata": band.noDataValue ?? request.layer.noData,
                                  "data_type": request.layer == .hotspotClass ? "uint8" : "float32",
                                  "unit": request.layer.units]],
            ] as [String: Any]],
            "links": [["rel": "self", "href": href.replacingOccurrences(of: "/v1/download?", with: "/v1/download/stac?"),
                       "type": "application/geo+json"]],
        ]
        return try JSONSerialization.data(withJSONObject: item, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}

extension PublishedRun {
    /// `hotspot region --out`: the same clip as `/v1/download`, written to `path` (temporary name, then renamed).
    public func clip(layer: String?, bbox: String?, region: String?, catalog: RegionCatalog, to path: String,
                     maxPixels: Int) throws {
        let request = try DownloadRequest(layer: layer, bbox: bbox, region: region, catalog: catalog)
        let folder = NSTemporaryDirectory() + "hotspot-clip-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let relative = try download(request, catalog: catalog, cacheDirectory: folder, maxPixels: maxPixels)
        let partial = path + ".partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: partial)
        try FileManager.default.copyItem(atPath: folder + "/" + relative, toPath: partial)
        _ = try FileManager.default.replaceItemAt(URL(fileURLWithPath: path), withItemAt: URL(fileURLWithPath: partial))
    }
}
