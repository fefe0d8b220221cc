import Foundation
import GeoKit
import HotspotModel

/// The hotspot polygons of a run, `hotspots.gpkg` and `hotspots.fgb` (layer `hotspots`, EPSG:4326): for each hotspot
/// class (sequestration, loss, both) and region, one MultiPolygon of its pixels, with the true area of the polygons,
/// the area-weighted mean scores of the pixels and the region it falls in.
///
/// How they are made:
/// - Each pixel belongs to at most one region: the one of `regions` containing its centre (GDAL's rasterisation),
///   the smaller region's extent taking precedence where regions overlap (a pixel of the Sahel is in `sahel`, not
///   `africa`); pixels in none have no region. So the features partition the hotspots: their areas add up.
/// - GDAL's polygonize traces the 4-connected areas of one class and region at pixel edges (adjacent pixels make one
///   polygon); the areas of a class and region are one feature.
/// - The edges are simplified with GEOS's topology-preserving Douglas-Peucker at `tolerancePixels` of a pixel: pixel
///   staircases become lines, no ring crosses another; areas move by far less than 0.5 % (a test checks it).
/// - The class raster is read at full resolution up to `maximumPixels`, else at the first overview under it (its
///   overviews are mode-resampled): the polygons of a global 250 m run come from a ~2 km level, and say so.
/// - `area_km2` is the polygons' area on the WGS84 ellipsoid (planar area in EPSG:6933, the equal-area EASE-Grid 2.0,
///   after edges are split to a pixel's length where the grid is projected).
struct HotspotPolygons {
    static let layerName = "hotspots"
    static let files = [(format: "gpkg", driver: "GPKG"), (format: "fgb", driver: "FlatGeobuf")]
    static let maximumPixels = 25_000_000
    static let tolerancePixels = 0.5

    /// The class raster and the two score rasters (paths GDAL opens), and the regions file (nil or missing: none).
    var classPath: String
    var sequestrationScorePath: String
    var lossScorePath: String
    var regionsPath: String?

    private struct Region {
        var id: String
        var name: String
        var extent: Double
    }

    /// Sums over the pixels of one class and region.
    private struct Tally {
        var pixels = 0, areaKm2 = 0.0
        var sequestration = 0.0, sequestrationArea = 0.0, loss = 0.0, lossArea = 0.0
    }

    /// Writes the two files into `folder` (a local folder) and returns their record for `run.json`.
    func write(into folder: String) throws(PipelineError) -> RunRecord.PolygonRecord {
        do {
            return try make(folder)
        } catch let error as PipelineError {
            throw error
        } catch let error as GeoError {
            throw .output(path: Storage.join(folder, "\(Self.layerName).gpkg"), reason: "hotspot polygons: \(error)")
        } catch {
            throw .output(path: Storage.join(folder, "\(Self.layerName).gpkg"), reason: "hotspot polygons: \(error)")
        }
    }

    private func make(_ folder: String) throws -> RunRecord.PolygonRecord {
        let classes = try Dataset(path: classPath)
        let sequestration = try Dataset(path: sequestrationScorePath), loss = try Dataset(path: lossScorePath)
        let full = try classes.grid()
        let (level, factor) = try Self.level(of: classes.band(1), grid: full)
        let grid = Self.scaled(full, by: factor, width: level.size.width, height: level.size.height)
        let scoreBands = try [sequestration, loss].map { dataset throws -> Band in
            let band = try dataset.band(1)
            guard factor > 1 else { return band }
            guard let index = (0..<band.overviewCount).first(where: {
                (try? band.overview($0).size.width) == grid.width
            }) else { throw PipelineError.output(path: dataset.path, reason: "no overview of the class raster's level") }
            return try band.overview(index)
        }

        let regions = try self.regions()
        let regionRaster = try self.regionRaster(regions, grid: grid)
        let keyRaster = try Dataset(creating: "keys", driver: "MEM", grid: grid, bands: 1, type: .uint16)
        let areas = try PixelAreas(grid: grid)
        var tallies: [Int: Tally] = [:]
        let rows = 256
        var codes = [UInt8](), zone = [UInt16](), keys = [UInt16](), seq = [Float](), los = [Float]()
        for window in Window.strips(width: grid.width, height: grid.height, rows: rows) {
            let n = window.pixelCount
            codes = .init(repeating: HotspotClass.noData, count: n)
            zone = .init(repeating: 0, count: n)
            keys = .init(repeating: 0, count: n)
            seq = .init(repeating: 0, count: n)
            los = .init(repeating: 0, count: n)
            try codes.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try level.read(window, into: p) }
            try zone.withUnsafeMutableBufferPointer { (p) throws(GeoError) in
                try regionRaster.band(1).read(window, into: p)
            }
            try seq.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try scoreBands[0].read(window, into: p) }
            try los.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try scoreBands[1].read(window, into: p) }
            for r in 0..<window.height {
                try areas.forEachRun(row: window.row + r, columns: 0..<grid.width) { columns, km2 in
                    for c in columns {
                        let i = r * window.width + c, code = codes[i]
                        guard code >= 1, code <= 3 else { continue }
                        let key = Int(zone[i]) * 4 + Int(code)
                        keys[i] = UInt16(key)
                        var tally = tallies[key] ?? Tally()
                        tally.pixels += 1
                        tally.areaKm2 += km2
                        if seq[i].isFinite, seq[i] != OutputLayer.floatNoData {
                            tally.sequestration += Double(seq[i]) * km2
                            tally.sequestrationArea += km2
                        }
                        if los[i].isFinite, los[i] != OutputLayer.floatNoData {
                            tally.loss += Double(los[i]) * km2
                            tally.lossArea += km2
                        }
                        tallies[key] = tally
                    }
                }
            }
            try keys.withUnsafeBufferPointer { (p) throws(GeoError) in try keyRaster.band(1).write(window, from: p) }
        }

        var parts: [Int: [Geometry]] = [:]
        for (value, polygon) in try keyRaster.band(1).polygons(grid: grid) { parts[value, default: []].append(polygon) }

        let gridCRS = try CRS(grid.crsDefinition), wgs84 = try CRS("EPSG:4326"), equalArea = try CRS("EPSG:6933")
        let toWGS84 = try CoordinateTransform(from: gridCRS, to: wgs84)
        let toEqualArea = try CoordinateTransform(from: gridCRS, to: equalArea)
        let pixel = abs(grid.geoTransform.pixelWidth)
        let tolerance = Self.tolerancePixels * pixel

        struct Written { var id: String; var values: [String: VectorValue]; var geometry: Geometry }
        var features: [Written] = []
        for key in parts.keys.sorted(by: { ($0 % 4, $0 / 4) < ($1 % 4, $1 / 4) }) {
            guard let code = HotspotClass(rawValue: UInt8(key % 4)), let tally = tallies[key] else { continue }
            let region = key / 4 == 0 ? nil : regions[key / 4 - 1]
            let merged = try Geometry.multiPolygon(parts[key]!)
            let simple = try Geometry.multiPolygon([try merged.simplified(tolerance: tolerance)])
            let edges = gridCRS.isGeographic ? simple : simple.segmentized(maxLength: pixel)
            let areaKm2 = try edges.transformed(by: toEqualArea).planarArea / 1e6
            let id = "\(region?.id ?? "none").\(Self.classKey(code))"
            features.append(Written(id: id, values: [
                "id": .text(id), "class": .integer(Int64(code.rawValue)), "label": .text(code.label),
                "region": .text(region?.id), "region_name": .text(region?.name),
                "area_km2": .real(areaKm2), "pixels": .integer(Int64(tally.pixels)),
                "pixel_area_km2": .real(tally.areaKm2),
                "mean_sequestration_score": .real(tally.sequestrationArea > 0 ? tally.sequestration / tally.sequestrationArea : nil),
                "mean_loss_score": .real(tally.lossArea > 0 ? tally.loss / tally.lossArea : nil),
                "parts": .integer(Int64(simple.partCount)),
            ], geometry: try (gridCRS.isSame(as: wgs84) ? simple : edges.transformed(by: toWGS84))))
        }

        var record = RunRecord.PolygonRecord(
            layer: Self.layerName, files: [:], features: features.count,
            resolution: pixel, tolerance: tolerance, regions: nil,
            method: "GDAL polygonize (4-connected) of the class raster at \(grid.width)x\(grid.height) px, one MultiPolygon "
                + "per class and region (a pixel is in the smallest region containing its centre), simplified by GEOS's "
                + "topology-preserving Douglas-Peucker at \(Self.tolerancePixels) pixel; area_km2 is the polygons' "
                + "ellipsoidal area (EPSG:6933), pixel_area_km2 the pixels'; means are area-weighted")
        if let regionsPath, FileManager.default.fileExists(atPath: regionsPath) {
            record.regions = .init(file: regionsPath, sha256: try Checksum.file(regionsPath))
        }
        let fields: [(name: String, type: VectorFieldType)] = [
            ("id", .text), ("class", .integer), ("label", .text), ("region", .text), ("region_name", .text),
            ("area_km2", .real), ("pixels", .integer), ("pixel_area_km2", .real),
            ("mean_sequestration_score", .real), ("mean_loss_score", .real), ("parts", .integer),
        ]
        for file in Self.files {
            let name = "\(Self.layerName).\(file.format)", path = Storage.join(folder, name)
            let temporary = Storage.join(folder, ".\(Self.layerName).partial.\(file.format)")  // drivers go by extension
            Storage.remove(temporary)
            let dataset = try Dataset(creatingVector: temporary, driver: file.driver)
            let layer = try dataset.createLayer(named: Self.layerName, crs: wgs84, geometry: .multiPolygon, fields: fields)
            let insert = { for feature in features { try layer.insert(values: feature.values, geometry: feature.geometry) } }
            if file.driver == "GPKG" { try dataset.transaction(insert) } else { try insert() }
            try dataset.close()
            guard rename(temporary, path) == 0 else {
                throw PipelineError.output(path: path, reason: String(cString: strerror(errno)))
            }
            record.files[file.format] = .init(file: name, driver: file.driver, sizeBytes: Storage.size(path) ?? 0,
                                              sha256: try Checksum.file(path))
        }
        return record
    }

    static func classKey(_ code: HotspotClass) -> String {
        switch code {
        case .sequestration: "sequestration"
        case .loss: "loss"
        case .both: "both"
        case .none: "none"
        }
    }

    /// The full-resolution band, or its first overview of at most `maximumPixels`; and its reduction factor.
    private static func level(of band: Band, grid: Grid) throws -> (Band, Int) {
        guard grid.pixelCount > maximumPixels else { return (band, 1) }
        for index in 0..<band.overviewCount {
            let overview = try band.overview(index)
            if overview.size.width * overview.size.height <= maximumPixels {
                return (overview, Int((Double(grid.width) / Double(overview.size.width)).rounded()))
            }
        }
        return (band, 1)
    }

    /// The grid of an overview: the same extent in `width` x `height` pixels.
    private static func scaled(_ grid: Grid, by factor: Int, width: Int, height: Int) -> Grid {
        guard factor > 1 else { return grid }
        var transform = grid.geoTransform
        transform.pixelWidth *= Double(grid.width) / Double(width)
        transform.pixelHeight *= Double(grid.height) / Double(height)
        return Grid(width: width, height: height, geoTransform: transform, crs: grid.crsDefinition)
    }

    private func regions() throws -> [Region] {
        guard let regionsPath, FileManager.default.fileExists(atPath: regionsPath) else { return [] }
        let dataset = try Dataset(vector: regionsPath)
        guard let layer = dataset.layer(at: 0) else { return [] }
        return layer.features(geoJSONPrecision: 0).compactMap { feature in
            guard let id = feature.fields["id"], let box = feature.bbox else { return nil }
            return Region(id: id, name: feature.fields["name"] ?? id, extent: (box[2] - box[0]) * (box[3] - box[1]))
        }
    }

    /// Each pixel's region as its index + 1 (0: none); regions of larger extent are burnt first, so smaller ones win.
    private func regionRaster(_ regions: [Region], grid: Grid) throws -> Dataset {
        let raster = try Dataset(creating: "regions", driver: "MEM", grid: grid, bands: 1, type: .uint16)
        guard let regionsPath, !regions.isEmpty else { return raster }
        let vector = try Dataset(vector: regionsPath)
        for (index, region) in regions.enumerated().sorted(by: { $0.element.extent > $1.element.extent }) {
            try raster.rasterize(vector, arguments: ["-burn", "\(index + 1)", "-where", "id = '\(region.id.replacingOccurrences(of: "'", with: "''"))'"])
        }
        return raster
    }
}
