import Foundation
import GeoKit
import Pipeline

/// STAC 1.1 Items of downloads: where the file is, its footprint in longitude and latitude, projection, bands, checksum.
extension RunReader {
    /// STAC's bbox and geometry (WGS84) of a grid: its extent on a lon/lat grid, its outline taken to lon/lat on a
    /// projected one.
    static func footprint(_ grid: Grid) throws -> ([Double], [String: Any]) {
        if try CRS(grid.crsDefinition).isSame(as: CRS.wgs84()) {
            return lonLatFootprint(grid.bounds, pixelWidth: abs(grid.geoTransform.pixelWidth))
        }
        return try projectedFootprint(grid)
    }

    /// STAC's bbox and geometry (WGS84) of a lon/lat raster; past 180 degrees (a download across the antimeridian)
    /// the bbox has west > east and the geometry is two polygons.
    static func lonLatFootprint(_ b: (minX: Double, minY: Double, maxX: Double, maxY: Double), pixelWidth: Double)
        -> ([Double], [String: Any]) {
        func ring(_ west: Double, _ east: Double) -> [[Double]] {
            [[west, b.minY], [east, b.minY], [east, b.maxY], [west, b.maxY], [west, b.minY]]
        }
        // An edge a rounding error past 180 is 180, not a crossing.
        guard b.maxX > 180 + pixelWidth / 2 else {
            let west = max(b.minX, -180), east = min(b.maxX, 180)
            return ([west, b.minY, east, b.maxY], ["type": "Polygon", "coordinates": [ring(west, east)]])
        }
        return ([b.minX, b.minY, b.maxX - 360, b.maxY],
                ["type": "MultiPolygon", "coordinates": [[ring(b.minX, 180)], [ring(-180, b.maxX - 360)]]])
    }

    /// The same for a raster on a projected grid: its outline, 16 points an edge, taken to longitude and latitude.
    static func projectedFootprint(_ grid: Grid) throws -> ([Double], [String: Any]) {
        let steps = 16
        var columns: [Double] = [], rows: [Double] = []
        for (c0, r0, c1, r1) in [(0.0, 1.0, 1.0, 1.0), (1, 1, 1, 0), (1, 0, 0, 0), (0, 0, 0, 1)] {  // anticlockwise
            for k in 0..<steps {
                let f = Double(k) / Double(steps)
                columns.append((c0 + (c1 - c0) * f) * Double(grid.width))
                rows.append((r0 + (r1 - r0) * f) * Double(grid.height))
            }
        }
        var xs = zip(columns, rows).map { grid.geoTransform.world(column: $0.0, row: $0.1).x }
        var ys = zip(columns, rows).map { grid.geoTransform.world(column: $0.0, row: $0.1).y }
        let ok = try CoordinateTransform(from: try CRS(grid.crsDefinition), to: CRS.wgs84()).transform(x: &xs, y: &ys)
        let ring = xs.indices.filter { ok[$0] }.map { [xs[$0], ys[$0]] }
        guard ring.count >= 3 else { throw ReadError.failed("the download's outline has no longitude/latitude") }
        let lons = ring.map { $0[0] }, lats = ring.map { $0[1] }
        return ([lons.min()!, lats.min()!, lons.max()!, lats.max()!],
                ["type": "Polygon", "coordinates": [ring + [ring[0]]]])
    }

    /// A STAC 1.1 Item describing a download: where it is, its projection, bands, nodata and checksum, and a
    /// `derived_from` link to its run's Item (`runItemHref`). `styleHref`: where the layer's QGIS style is served (an
    /// asset of role `style`), when the run has one.
    public func stacItem(_ request: DownloadRequest, file: String, href: String, styleHref: String? = nil,
                         runItemHref: String? = nil) throws -> Data {
        let dataset = try Dataset(path: file)
        let grid = try dataset.grid(), band = try dataset.band(1)
        let b = grid.bounds, t = grid.geoTransform
        let crs = try dataset.crs()
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let (box, geometry) = gridIsLonLat ? Self.lonLatFootprint(b, pixelWidth: abs(t.pixelWidth)) : try Self.projectedFootprint(grid)
        var assets: [String: Any] = [:]
        if let styleHref, style(of: request.layer) != nil {
            assets["style"] = ["href": styleHref, "type": "application/xml", "roles": ["style"],
                               "title": "QGIS style (.qml): the map's colours"] as [String: Any]
        }
        var links: [[String: Any]] = [["rel": "self", "type": "application/geo+json",
                                       "href": href.replacingOccurrences(of: "/v1/download?", with: "/v1/download/stac?")]]
        if let runItemHref {
            links.append(["rel": "derived_from", "href": runItemHref, "type": "application/geo+json",
                          "title": "The Item of the run this was cut from"])
        }
        var properties: [String: Any] = [
            "datetime": record.createdAt, "title": request.layer.description,
            "hotspot:run_id": runID, "hotspot:synthetic": record.synthetic,
            "proj:code": crs.authorityCode.map { $0 as Any } ?? NSNull(), "proj:shape": [grid.height, grid.width],
            "proj:transform": [t.pixelWidth, t.rowRotation, t.originX, t.columnRotation, t.pixelHeight, t.originY],
        ]
        if crs.authorityCode == nil { properties["proj:wkt2"] = crs.wkt }
        let item: [String: Any] = [
            "type": "Feature", "stac_version": StacCatalog.version, "stac_extensions": StacCatalog.extensions,
            "id": (file as NSString).lastPathComponent.replacingOccurrences(of: ".tif", with: ""),
            "bbox": box,
            "geometry": geometry,
            "properties": properties,
            "assets": assets.merging(["data": [
                "href": href, "type": "image/tiff; application=geotiff; profile=cloud-optimized", "roles": ["data"],
                "title": request.layer.description,
                "file:size": size, "file:checksum": "1220" + (try Checksum.file(file)),
                "raster:bands": [["nodata": band.noDataValue ?? request.layer.noData,
                                  "data_type": request.layer == .hotspotClass ? "uint8" : "float32",
                                  "unit": request.layer.units]],
            ] as [String: Any]]) { a, _ in a },
            "links": links,
        ]
        return try JSONSerialization.data(withJSONObject: item, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// The layer's QGIS style as the run wrote it beside its COG (`<layer>.qml`), if it has one.
    public func style(of layer: OutputLayer) -> Data? {
        FileManager.default.contents(atPath: directory + "/" + layer.rawValue + ".qml")
    }
}
