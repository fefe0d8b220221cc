import Foundation
import GeoKit
import HotspotModel
import Pipeline

/// The named regions of `Config/regions.geojson`: polygons in WGS84 with an `id` and names.
public struct RegionCatalog: Sendable {
    public struct Region: Sendable {
        public var id: String
        public var names: [Language: String]
        public var description: String
        /// West, south, east, north of the polygon.
        public var bbox: [Double]
        /// The feature as it is in the file (for `/v1/regions`).
        let featureJSON: Data

        func name(_ language: Language) -> String { names[language] ?? names[.en] ?? id }
    }

    public let path: String
    public let regions: [Region]

    /// Loads the file; a missing file gives an empty catalogue (regions are optional), a broken one an error.
    public init(path: String) throws(Problem) {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            regions = []
            return
        }
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let features = root["features"] as? [[String: Any]] else {
            throw Problem(.internalServerError, "\(path) is not a GeoJSON FeatureCollection")
        }
        var regions: [Region] = []
        for feature in features {
            let properties = feature["properties"] as? [String: Any] ?? [:]
            guard let id = properties["id"] as? String, Self.isValidID(id),
                  let geometry = feature["geometry"] as? [String: Any] else {
                throw Problem(.internalServerError, "\(path): every region needs an id of [a-z0-9_-] and a geometry")
            }
            var xs: [Double] = [], ys: [Double] = []
            Self.collect(geometry["coordinates"], &xs, &ys)
            guard let west = xs.min(), let east = xs.max(), let south = ys.min(), let north = ys.max() else {
                throw Problem(.internalServerError, "\(path): region \(id) has no coordinates")
            }
            var names: [Language: String] = [:]
            for language in Language.allCases {
                let key = language == .en ? "name" : "name_\(language.rawValue)"
                if let name = properties[key] as? String { names[language] = name }
            }
            regions.append(Region(id: id, names: names, description: properties["description"] as? String ?? "",
                                  bbox: [west, south, east, north],
                                  featureJSON: (try? JSONSerialization.data(withJSONObject: feature)) ?? Data()))
        }
        self.regions = regions
    }

    /// The id of the one region of a catalogue made from a polygon file.
    public static let polygonID = "polygon"

    /// A catalogue of one region, `polygon`, from a GeoJSON file of the user's (a Polygon or MultiPolygon geometry, a
    /// Feature or a FeatureCollection of them, in WGS84): its polygons become one MultiPolygon feature, written to
    /// `scratch` so that GDAL's cutline and rasteriser read it as they read `server.regions`.
    public init(polygonFile: String, scratch: String) throws(Problem) {
        guard let data = FileManager.default.contents(atPath: polygonFile) else {
            throw .badParameter("polygon", "cannot read \(polygonFile)")
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .badParameter("polygon", "\(polygonFile) is not a GeoJSON object")
        }
        let geometries: [Any?] = switch root["type"] as? String {
        case "FeatureCollection": (root["features"] as? [[String: Any]] ?? []).map { $0["geometry"] }
        case "Feature": [root["geometry"]]
        default: [root]
        }
        var polygons: [Any] = []
        for geometry in geometries {
            let geometry = geometry as? [String: Any] ?? [:]
            switch (geometry["type"] as? String, geometry["coordinates"]) {
            case let ("Polygon", rings as [Any]): polygons.append(rings)
            case let ("MultiPolygon", parts as [Any]): polygons += parts
            default:
                throw .badParameter("polygon", "\(polygonFile): every geometry must be a Polygon or a MultiPolygon "
                                    + "(got \(geometry["type"] as? String ?? "none"))")
            }
        }
        var xs: [Double] = [], ys: [Double] = []
        Self.collect(polygons, &xs, &ys)
        guard !xs.isEmpty, xs.allSatisfy({ (-180...180).contains($0) }), ys.allSatisfy({ (-90...90).contains($0) }) else {
            throw .badParameter("polygon", "\(polygonFile): the polygons need coordinates, as longitude and latitude "
                                + "within -180..180 and -90..90 degrees (GeoJSON is WGS84)")
        }
        // Every ring closed, with at least four positions (RFC 7946).
        for polygon in polygons {
            for ring in polygon as? [Any] ?? [] {
                let positions = (ring as? [Any] ?? []).compactMap { $0 as? [Double] }
                guard positions.count >= 4, let first = positions.first, first == positions.last else {
                    throw .badParameter("polygon", "\(polygonFile): every ring needs four positions or more, the last the "
                                        + "same as the first")
                }
            }
        }
        // Overlapping or self-intersecting parts merged into one valid geometry, as GDAL's cutline needs.
        let geometry: Any
        do {
            let merged = try JSONSerialization.data(withJSONObject: ["type": "MultiPolygon", "coordinates": polygons])
            let dissolved = try dissolvedPolygons(geoJSON: String(decoding: merged, as: UTF8.self))
            geometry = try JSONSerialization.jsonObject(with: Data(dissolved.utf8))
        } catch let error as GeoError {
            throw .badParameter("polygon", "\(polygonFile): \(error.description)")
        } catch {
            throw .badParameter("polygon", "\(polygonFile): \(error.localizedDescription)")
        }
        let collection: [String: Any] = ["type": "FeatureCollection", "features": [[
            "type": "Feature", "properties": ["id": Self.polygonID, "name": (polygonFile as NSString).lastPathComponent],
            "geometry": geometry,
        ]]]
        do {
            try JSONSerialization.data(withJSONObject: collection).write(to: URL(fileURLWithPath: scratch))
        } catch {
            throw Problem(.internalServerError, "cannot write \(scratch): \(error.localizedDescription)")
        }
        try self.init(path: scratch)
    }

    /// Region ids are plain names: never a path (`..`, `/`) or anything that would need quoting in an OGR filter.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    public func region(_ id: String) throws(Problem) -> Region {
        guard Self.isValidID(id) else {
            throw .badParameter("id", "a region id is lowercase letters, digits, '_' or '-' (got '\(id)')")
        }
        guard let region = regions.first(where: { $0.id == id }) else {
            throw Problem(.notFound, "unknown region '\(id)'; known: \(regions.map(\.id).joined(separator: ", "))")
        }
        return region
    }

    /// The catalogue as a GeoJSON FeatureCollection, names in `language`.
    func featureCollection(_ language: Language) -> Data {
        var features: [Any] = []
        for region in regions {
            guard var feature = try? JSONSerialization.jsonObject(with: region.featureJSON) as? [String: Any] else { continue }
            var properties = feature["properties"] as? [String: Any] ?? [:]
            properties["name"] = region.name(language)
            properties["bbox"] = region.bbox
            feature["properties"] = properties
            features.append(feature)
        }
        let collection: [String: Any] = ["type": "FeatureCollection", "features": features]
        return (try? JSONSerialization.data(withJSONObject: collection, options: [.sortedKeys])) ?? Data()
    }

    private static func collect(_ node: Any?, _ xs: inout [Double], _ ys: inout [Double]) {
        if let pair = node as? [Double], pair.count >= 2 {
            xs.append(pair[0])
            ys.append(pair[1])
        } else if let list = node as? [Any] {
            for item in list { collect(item, &xs, &ys) }
        }
    }
}


/// Area-weighted zonal statistics of a run over a region.
public struct RegionStatistics: Codable, Sendable {
    public struct Layer: Codable, Sendable {
        public var min: Double?
        public var max: Double?
        public var mean: Double?
        public var validAreaKm2: Double
        public var units: String
    }
    public struct Hotspots: Codable, Sendable {
        public var sequestrationKm2: Double
        public var lossKm2: Double
        public var bothKm2: Double
        public var noneKm2: Double
    }
    public struct RegionName: Codable, Sendable {
        public var id: String
        public var name: String
    }
    public var region: RegionName
    public var runId: String
    /// Area of the grid pixels whose centre is inside the region (land and sea).
    public var areaKm2: Double
    public var validAreaKm2: Double
    public var layers: [String: Layer]
    public var hotspots: Hotspots
    public var method: String
}

extension PublishedRun {
    /// Statistics over the pixels whose centre is inside the region (GDAL's rasterisation rule), each weighted by its
    /// true area on the WGS84 ellipsoid. Sequestration and loss hotspots each include the pixels that are both.
    public func statistics(of region: RegionCatalog.Region, catalog: RegionCatalog,
                           language: Language) throws -> RegionStatistics {
        let window = try pixelWindow(west: region.bbox[0], south: region.bbox[1], east: region.bbox[2], north: region.bbox[3])
        let mask = try regionMask(region, catalog: catalog, window: window)
        let areas = try self.areas
        var layers: [String: RegionStatistics.Layer] = [:]
        var areaKm2 = 0.0
        window.forEachRun(of: areas) { range, area in
            for i in range where mask[i] != 0 { areaKm2 += area }
        }
        var classes = [Double](repeating: 0, count: 4)
        try pixels.with { handles in
            for output in OutputLayer.allCases {
                var values = [Float](repeating: .nan, count: window.pixelCount)
                try values.withUnsafeMutableBufferPointer { try handles.outputs[output]!.read(window, into: $0) }
                var sum = 0.0, area = 0.0, low = Double.infinity, high = -Double.infinity
                window.forEachRun(of: areas) { range, pixelArea in
                    for i in range {
                        let v = Double(values[i])
                        guard mask[i] != 0, v != output.noData, v.isFinite else { continue }
                        if output == .hotspotClass {
                            if v >= 0, v < 4 { classes[Int(v)] += pixelArea }
                            continue
                        }
                        sum += v * pixelArea
                        area += pixelArea
                        low = Swift.min(low, v)
                        high = Swift.max(high, v)
                    }
                }
                if output != .hotspotClass {
                    layers[output.rawValue] = .init(min: area > 0 ? low : nil, max: area > 0 ? high : nil,
                                                    mean: area > 0 ? sum / area : nil, validAreaKm2: area, units: output.units)
                }
            }
        }
        return RegionStatistics(
            region: .init(id: region.id, name: region.name(language)), runId: runID, areaKm2: areaKm2,
            validAreaKm2: classes.reduce(0, +), layers: layers,
            hotspots: .init(sequestrationKm2: classes[1] + classes[3], lossKm2: classes[2] + classes[3], bothKm2: classes[3],
                            noneKm2: classes[0]),
            method: "pixels whose centre lies inside the region (GDAL rasterisation), weighted by their true area on the "
                + "ellipsoid; valid area = land pixels with scores")
    }

    /// The grid window covering a lon/lat box (clipped to the grid), or a 404 problem when they do not overlap. On a
    /// projected grid the box's edges are curves: 32 points along each (those inside the projection's domain) bound it.
    func pixelWindow(west: Double, south: Double, east: Double, north: Double) throws -> Window {
        let steps = gridIsLonLat ? 1 : 32
        var points: [(Double, Double)] = []
        for k in 0...steps {
            let f = Double(k) / Double(steps)
            let lon = west + (east - west) * f, lat = south + (north - south) * f
            points += [(lon, south), (lon, north), (west, lat), (east, lat)]
        }
        var xs = points.map(\.0), ys = points.map(\.1)
        if !gridIsLonLat {
            let ok = try CoordinateTransform(from: CRS.wgs84(), to: try CRS(grid.crsDefinition)).transform(x: &xs, y: &ys)
            let inside = xs.indices.filter { ok[$0] && xs[$0].isFinite && ys[$0].isFinite }
            (xs, ys) = (inside.map { xs[$0] }, inside.map { ys[$0] })
        }
        let corners = Array(zip(xs, ys))
        guard !corners.isEmpty else { throw Problem(.notFound, "the area is outside the projection of run \(runID)") }
        let t = grid.geoTransform
        let columns = corners.map { ($0.0 - t.originX) / t.pixelWidth }, rows = corners.map { ($0.1 - t.originY) / t.pixelHeight }
        // Clamped as doubles (a point far off the grid is beyond Int); on a projected grid a pixel more on each side,
        // for the bulge of a curved edge between two of its points.
        let margin = gridIsLonLat ? 0.0 : 1.0
        func clamped(_ value: Double, _ count: Int) -> Int { Int(Swift.min(Double(count), Swift.max(0, value))) }
        let c0 = clamped(columns.min()!.rounded(.down) - margin, grid.width)
        let c1 = clamped(columns.max()!.rounded(.up) + margin, grid.width)
        let r0 = clamped(rows.min()!.rounded(.down) - margin, grid.height)
        let r1 = clamped(rows.max()!.rounded(.up) + margin, grid.height)
        guard c1 > c0, r1 > r0 else { throw Problem(.notFound, "the area does not overlap the grid of run \(runID)") }
        return Window(column: c0, row: r0, width: c1 - c0, height: r1 - r0)
    }

    /// 1 where a pixel centre of `window` is inside the region, burnt by GDAL's rasteriser.
    func regionMask(_ region: RegionCatalog.Region, catalog: RegionCatalog, window: Window) throws -> [UInt8] {
        let sub = grid.subgrid(window)
        let mask = try Dataset(creating: "", driver: "MEM", grid: sub, bands: 1, type: .byte)
        let vector = try Dataset(vector: catalog.path)
        try mask.rasterize(vector, arguments: ["-burn", "1", "-where", "id = '\(region.id)'"])
        var values = [UInt8](repeating: 0, count: window.pixelCount)
        try values.withUnsafeMutableBufferPointer {
            try mask.band(1).read(Window(column: 0, row: 0, width: window.width, height: window.height), into: $0)
        }
        return values
    }
}
