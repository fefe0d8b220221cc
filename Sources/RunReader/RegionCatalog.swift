import Foundation
import GeoKit

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
    public init(path: String) throws(ReadError) {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            regions = []
            return
        }
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let features = root["features"] as? [[String: Any]] else {
            throw ReadError.failed("\(path) is not a GeoJSON FeatureCollection")
        }
        var regions: [Region] = []
        for feature in features {
            let properties = feature["properties"] as? [String: Any] ?? [:]
            guard let id = properties["id"] as? String, Self.isValidID(id),
                  let geometry = feature["geometry"] as? [String: Any] else {
                throw ReadError.failed("\(path): every region needs an id of [a-z0-9_-] and a geometry")
            }
            var xs: [Double] = [], ys: [Double] = []
            Self.collect(geometry["coordinates"], &xs, &ys)
            guard let west = xs.min(), let east = xs.max(), let south = ys.min(), let north = ys.max() else {
                throw ReadError.failed("\(path): region \(id) has no coordinates")
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
    public init(polygonFile: String, scratch: String) throws(ReadError) {
        guard let data = FileManager.default.contents(atPath: polygonFile) else {
            throw .badParameter("polygon", "cannot read \(polygonFile)")
        }
        try self.init(polygons: data, named: polygonFile, scratch: scratch)
    }

    /// The same from GeoJSON text (`named` says where it came from in errors: a file, the request body; `title` is
    /// the region's name, the file's name by default).
    public init(polygons data: Data, named polygonFile: String, title: String? = nil, scratch: String) throws(ReadError) {
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
            "type": "Feature", "properties": ["id": Self.polygonID, "name": title ?? (polygonFile as NSString).lastPathComponent],
            "geometry": geometry,
        ]]]
        do {
            try JSONSerialization.data(withJSONObject: collection).write(to: URL(fileURLWithPath: scratch))
        } catch {
            throw ReadError.failed("cannot write \(scratch): \(error.localizedDescription)")
        }
        try self.init(path: scratch)
    }

    /// Region ids are plain names: never a path (`..`, `/`) or anything that would need quoting in an OGR filter.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    public func region(_ id: String) throws(ReadError) -> Region {
        guard Self.isValidID(id) else {
            throw .badParameter("id", "a region id is lowercase letters, digits, '_' or '-' (got '\(id)')")
        }
        guard let region = regions.first(where: { $0.id == id }) else {
            throw ReadError.notFound("unknown region '\(id)'; known: \(regions.map(\.id).joined(separator: ", "))")
        }
        return region
    }

    /// The catalogue as a GeoJSON FeatureCollection, names in `language`.
    public func featureCollection(_ language: Language) -> Data {
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
