import Foundation
import GeoKit
import Pipeline

/// A run published in the output folder, as its `run.json` describes it.
public struct PublishedRun: Sendable {
    public var directory: String
    public var record: RunRecord
}

/// The STAC 1.1 catalogue of the published runs: a Catalog (`/stac`) with one Collection (`runs`) holding an Item
/// per run, whose assets are every file of the run (COGs, hotspot polygons, QGIS styles, `run.json`) with the
/// projection, raster and file extensions (sizes and SHA-256 multihashes from `run.json`).
public enum StacCatalog {
    public static let version = "1.1.0"
    public static let catalogID = "soil-carbon-hotspots", collectionID = "runs"
    static let extensions = [
        "https://stac-extensions.github.io/projection/v2.0.0/schema.json",
        "https://stac-extensions.github.io/raster/v1.1.0/schema.json",
        "https://stac-extensions.github.io/file/v2.1.0/schema.json",
    ]

    /// The runs of an output folder (each folder with a readable `run.json`), newest first.
    public static func runs(in outputDirectory: String) -> [PublishedRun] {
        Storage.list(outputDirectory).compactMap { name -> PublishedRun? in
            guard !name.hasPrefix("."), name != "latest" else { return nil }
            let directory = Storage.join(outputDirectory, name)
            guard let data = Storage.read(Storage.join(directory, "run.json")),
                  let record = try? JSONDecoder().decode(RunRecord.self, from: data), record.runID == name else { return nil }
            return PublishedRun(directory: directory, record: record)
        }.sorted { $0.record.createdAt > $1.record.createdAt }
    }

    public static func encode(_ value: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    static func link(_ rel: String, _ href: String, _ type: String = "application/json", _ title: String? = nil)
        -> [String: Any] {
        var link: [String: Any] = ["rel": rel, "href": href, "type": type]
        if let title { link["title"] = title }
        return link
    }

    /// `/stac`: the root Catalog, which is also a STAC API landing page (core and item search).
    public static func catalog(base: String) -> [String: Any] {
        [
            "type": "Catalog", "stac_version": version, "id": catalogID,
            "title": "Soil Carbon Hotspots",
            "description": "The published runs of the Soil Carbon Hotspots service (4 per 1000 initiative): soil organic "
                + "carbon sequestration rates and loss under warming (RothC-26.3, FAO GSOCseq scenarios), their scores "
                + "and hotspot classes as Cloud Optimized GeoTIFFs, and the hotspot polygons.",
            "conformsTo": ["https://api.stacspec.org/v1.0.0/core", "https://api.stacspec.org/v1.0.0/item-search"],
            "links": [
                link("self", base + "/stac"), link("root", base + "/stac"),
                link("child", base + "/stac/collections/\(collectionID)", "application/json", "The published runs"),
                link("search", base + "/stac/search", "application/geo+json", "Search the runs by bbox and datetime"),
                link("service-desc", base + "/openapi.json", "application/vnd.oai.openapi+json;version=3.0"),
            ],
        ]
    }

    /// The Collection of runs; its extent is the union of theirs.
    public static func collection(_ items: [[String: Any]], base: String) -> [String: Any] {
        let boxes = items.compactMap { $0["bbox"] as? [Double] }
        let times = items.compactMap { ($0["properties"] as? [String: Any])?["datetime"] as? String }.sorted()
        let box = boxes.isEmpty ? [-180.0, -90, 180, 90]
            : [boxes.map { $0[0] }.min()!, boxes.map { $0[1] }.min()!, boxes.map { $0[2] }.max()!, boxes.map { $0[3] }.max()!]
        let href = base + "/stac/collections/\(collectionID)"
        return [
            "type": "Collection", "stac_version": version, "id": collectionID,
            "title": "Published runs",
            "description": "One Item per run of `hotspot run`: every raster it wrote, its hotspot polygons, QGIS styles "
                + "and its provenance record (run.json).",
            "license": "other", "keywords": ["soil organic carbon", "RothC", "4 per 1000", "GSOCseq", "hotspots"],
            "extent": ["spatial": ["bbox": [box]],
                       "temporal": ["interval": [[times.first.map { $0 as Any } ?? NSNull(),
                                                  times.last.map { $0 as Any } ?? NSNull()]]]],
            "links": [link("self", href), link("root", base + "/stac"), link("parent", base + "/stac"),
                      link("items", href + "/items", "application/geo+json", "The runs' Items")]
                + items.compactMap { $0["id"] as? String }.map {
                    link("item", href + "/items/\($0)", "application/geo+json")
                },
        ]
    }

    /// The Item of one run. `href` gives a file's URL from its name in the run folder.
    public static func item(_ run: PublishedRun, base: String, href: (String) -> String) throws -> [String: Any] {
        let record = run.record
        let reference = Storage.join(run.directory, record.outputs[OutputLayer.sequestrationScore.rawValue]?.file
            ?? OutputLayer.sequestrationScore.fileName)
        let dataset = try Dataset(path: reference)
        let grid = try dataset.grid(), crs = try dataset.crs(), t = grid.geoTransform
        let (box, geometry) = try RunReader.footprint(grid)
        var assets: [String: Any] = [:]
        for layer in OutputLayer.allCases {
            guard let output = record.outputs[layer.rawValue] else { continue }
            assets[layer.rawValue] = [
                "href": href(output.file), "roles": ["data"], "title": layer.description,
                "type": output.file.hasSuffix(".vrt") ? "application/xml"
                    : "image/tiff; application=geotiff; profile=cloud-optimized",
                "file:size": output.sizeBytes, "file:checksum": "1220" + output.sha256,
                "raster:bands": [["nodata": output.noData, "data_type": layer == .hotspotClass ? "uint8" : "float32",
                                  "unit": output.units]],
            ] as [String: Any]
        }
        if let polygons = record.hotspotPolygons {
            for (format, file) in polygons.files {
                assets["hotspots_\(format)"] = [
                    "href": href(file.file), "roles": ["data"],
                    "type": format == "gpkg" ? "application/geopackage+sqlite3" : "application/vnd.flatgeobuf",
                    "title": "Hotspot polygons (\(file.driver)): one MultiPolygon per class and region",
                    "file:size": file.sizeBytes, "file:checksum": "1220" + file.sha256,
                ] as [String: Any]
            }
        }
        for layer in OutputLayer.allCases {
            let name = layer.rawValue + ".qml"
            guard let data = Storage.read(Storage.join(run.directory, name)) else { continue }
            assets["style_" + layer.rawValue] = [
                "href": href(name), "roles": ["style"], "type": "application/xml",
                "title": "QGIS style of \(layer.rawValue) (.qml)",
                "file:size": data.count, "file:checksum": "1220" + Checksum.hex(of: data),
            ] as [String: Any]
        }
        if let data = Storage.read(Storage.join(run.directory, "run.json")) {
            assets["run"] = [
                "href": href("run.json"), "roles": ["metadata"], "type": "application/json",
                "title": "The run's record: inputs with checksums, model parameters, statistics, software",
                "file:size": data.count, "file:checksum": "1220" + Checksum.hex(of: data),
            ] as [String: Any]
        }
        var properties: [String: Any] = [
            "datetime": record.createdAt, "created": record.createdAt,
            "title": "Run \(record.runID)",
            "description": "\(record.modelName) over a \(grid.width) x \(grid.height) grid of \(record.grid.crs)"
                + (record.synthetic ? " (synthetic demo inputs)" : ""),
            "proj:code": crs.authorityCode.map { $0 as Any } ?? NSNull(),
            "proj:shape": [grid.height, grid.width],
            "proj:transform": [t.pixelWidth, t.rowRotation, t.originX, t.columnRotation, t.pixelHeight, t.originY],
            "proj:bbox": [grid.bounds.minX, grid.bounds.minY, grid.bounds.maxX, grid.bounds.maxY],
            "hotspot:model": record.modelName, "hotspot:synthetic": record.synthetic,
            "hotspot:config_sha256": record.configSHA256,
        ]
        if crs.authorityCode == nil { properties["proj:wkt2"] = crs.wkt }
        let self_ = base + "/stac/collections/\(collectionID)/items/\(record.runID)"
        return [
            "type": "Feature", "stac_version": version, "stac_extensions": extensions,
            "id": record.runID, "collection": collectionID, "bbox": box, "geometry": geometry,
            "properties": properties, "assets": assets,
            "links": [
                link("self", self_, "application/geo+json"), link("root", base + "/stac"),
                link("parent", base + "/stac/collections/\(collectionID)"),
                link("collection", base + "/stac/collections/\(collectionID)"),
            ],
        ]
    }

    /// A page of Items (an ItemCollection, as STAC API's search answers).
    public static func itemCollection(_ items: [[String: Any]], matched: Int, links: [[String: Any]]) -> [String: Any] {
        ["type": "FeatureCollection", "features": items, "numberMatched": matched, "numberReturned": items.count,
         "links": links]
    }

    /// The URL of a file of a run on an object store (STAC's usual `s3://bucket/key`), or of a /vsicurl/ file.
    public static func storeURL(_ path: String) -> String {
        for (prefix, scheme) in [("/vsis3/", "s3://"), ("/vsigs/", "gs://"), ("/vsiaz/", "az://"), ("/vsicurl/", "")]
            where path.hasPrefix(prefix) {
            return scheme + path.dropFirst(prefix.count)
        }
        return path
    }
}
