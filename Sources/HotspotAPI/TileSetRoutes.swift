import Foundation
import Hummingbird
import RunReader
import Tiling

/// OGC API - Tiles (Part 1: core, tileset, tilesets list, geodata tilesets, PNG) for the run's tiled layers, each a
/// collection beside `partners`: `/collections/{layer}/tiles` lists its one tileset, on WebMercatorQuad, whose tiles
/// are the XYZ ones addressed the standard's way (`{tileMatrix}/{tileRow}/{tileCol}`); `/tileMatrixSets` defines the
/// matrix set. GDAL's OGCAPI driver (and QGIS through it) opens them.
struct TileSetRoutes {
    let served: ServedRun
    let options: ServerOptions

    static let matrixSet = "WebMercatorQuad"
    static let matrixSetURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
    static let webMercator = "http://www.opengis.net/def/crs/EPSG/0/3857"
    static let tilesetsRel = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map"
    static let tilingSchemeRel = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
    static let conformance = ["core", "tileset", "tilesets-list", "geodata-tilesets", "png"].map {
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/\($0)"
    } + ["http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset"]

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("/tileMatrixSets") { request, _ in
            try checkOGCParameters(request)
            let base = HotspotServer.baseURL(request, options)
            return try respondOGC(request, TileMatrixSetList(tileMatrixSets: [.init(
                id: Self.matrixSet, title: "Google Maps Compatible for the World", uri: Self.matrixSetURI,
                links: [OGCLink(base + "/tileMatrixSets/\(Self.matrixSet)", "self", "application/json", "the definition")])]))
        }
        routes.get("/tileMatrixSets/{tileMatrixSetId}") { request, context in
            try checkOGCParameters(request)
            try Self.matrixSet(try context.parameters.require("tileMatrixSetId"))
            return try respondOGC(request, TileMatrixSet.webMercatorQuad)
        }
        routes.get("/collections/{collectionId}/tiles") { request, context in
            try checkOGCParameters(request)
            let (layer, snapshot) = try tiledLayer(context)
            let base = HotspotServer.baseURL(request, options) + "/collections/\(layer)/tiles"
            var entry = tileset(layer, snapshot, base: HotspotServer.baseURL(request, options))
            entry.tileMatrixSetLimits = nil
            entry.links = [OGCLink(base + "/\(Self.matrixSet)", "self", "application/json", "the tileset"),
                           entry.links[1]]
            return try respondOGC(request, TileSetList(
                links: [OGCLink(base, "self", "application/json", "the tilesets of \(layer)")], tilesets: [entry]))
        }
        routes.get("/collections/{collectionId}/tiles/{tileMatrixSetId}") { request, context in
            try checkOGCParameters(request)
            let (layer, snapshot) = try tiledLayer(context)
            try Self.matrixSet(try context.parameters.require("tileMatrixSetId"))
            return try respondOGC(request, tileset(layer, snapshot, base: HotspotServer.baseURL(request, options)))
        }
        routes.get("/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}") { request, context in
            try HotspotAPI.checkParameters(request, known: ["run"])
            let (layer, snapshot) = try tiledLayer(context)
            try Self.matrixSet(try context.parameters.require("tileMatrixSetId"))
            let (tile, _) = try LayerRoutes.tileAddress(
                z: try context.parameters.require("tileMatrix"), x: try context.parameters.require("tileCol"),
                y: try context.parameters.require("tileRow"), names: ("tileMatrix", "tileCol", "tileRow"))
            return try await LayerRoutes(served: served, options: options)
                .answerTile(request, layer: layer, tile: tile, scale: 1, snapshot: snapshot)
        }
        return routes
    }

    /// The collection of a tiled layer, listed in `/collections` after the feature collections.
    static func collection(_ layer: String, _ snapshot: ServedRun.Snapshot, base: String) -> CollectionDocument {
        let b = snapshot.tiles.bounds[layer] ?? (-180, -WebMercator.maxLatitude, 180, WebMercator.maxLatitude)
        let job = snapshot.tiles.jobs[layer]
        return CollectionDocument(
            id: layer, title: layer, description: job?.description ?? layer,
            links: [
                OGCLink(base + "/collections/\(layer)", "self", "application/json", "this collection"),
                OGCLink(base + "/collections/\(layer)/tiles", tilesetsRel, "application/json", "its map tilesets"),
                OGCLink(base + "/tiles/\(layer)/tilejson.json", "describedby", "application/json", "its TileJSON"),
                OGCLink(base + "/tiles/\(layer)/legend.png", "describedby", "image/png", "its legend"),
            ],
            extent: .init(spatial: .init(bbox: [[b.west, b.south, b.east, b.north]], crs: FeatureRoutes.crs84)),
            dataType: "map", layerDataType: "Raster", crs: [webMercator])
    }

    /// The tileset of a layer: every matrix of its zoom range whole. (The limits could be the tiles that touch the
    /// data, as the WMTS capabilities say; GDAL 3.6's driver misplaces tiles under partial limits, and every tile of
    /// a whole matrix is answered, transparent where there is no data, so whole matrices are true as well.)
    func tileset(_ layer: String, _ snapshot: ServedRun.Snapshot, base: String) -> TileSetDocument {
        let here = base + "/collections/\(layer)/tiles/\(Self.matrixSet)"
        return TileSetDocument(
            title: "\(layer) on \(Self.matrixSet)", dataType: "map", crs: Self.webMercator, tileMatrixSetURI: Self.matrixSetURI,
            tileMatrixSetLimits: LayerRoutes.zooms(layer, snapshot).map { z in
                .init(tileMatrix: "\(z)", minTileRow: 0, maxTileRow: (1 << z) - 1, minTileCol: 0, maxTileCol: (1 << z) - 1)
            },
            links: [
                OGCLink(here, "self", "application/json", "this tileset"),
                OGCLink(base + "/tileMatrixSets/\(Self.matrixSet)", Self.tilingSchemeRel, "application/json",
                        "the tile matrix set"),
                OGCLink(here + "/{tileMatrix}/{tileRow}/{tileCol}", "item", "image/png", "a tile", templated: true),
            ])
    }

    func tiledLayer(_ context: BasicRequestContext) throws -> (String, ServedRun.Snapshot) {
        let snapshot = try served.current()
        let layer = try context.parameters.require("collectionId")
        guard snapshot.tiles.jobs[layer] != nil else {
            throw Problem(.notFound, "no tiles for collection '\(layer.prefix(60))': tiled collections are "
                          + snapshot.tiles.jobs.keys.sorted().joined(separator: ", "))
        }
        return (layer, snapshot)
    }

    static func matrixSet(_ id: String) throws {
        guard id == matrixSet else {
            throw Problem(.notFound, "no tile matrix set '\(id.prefix(60))': the one offered is \(matrixSet)")
        }
    }
}

struct TileMatrixSetList: Encodable {
    struct Entry: Encodable {
        var id: String
        var title: String
        var uri: String
        var links: [OGCLink]
    }
    var tileMatrixSets: [Entry]
}

struct TileSetList: Encodable {
    var links: [OGCLink]
    var tilesets: [TileSetDocument]
}

struct TileSetDocument: Encodable {
    struct Limits: Encodable {
        var tileMatrix: String
        var minTileRow: Int
        var maxTileRow: Int
        var minTileCol: Int
        var maxTileCol: Int
    }
    var title: String
    var dataType: String
    var crs: String
    var tileMatrixSetURI: String
    var tileMatrixSetLimits: [Limits]?
    var links: [OGCLink]
}

/// WebMercatorQuad as OGC's Two Dimensional Tile Matrix Set standard defines it, written in both its JSON encodings:
/// 2.0 (`crs`, `tileMatrices`, `pointOfOrigin`) and 1.0 (`supportedCRS`, `tileMatrix`, `topLeftCorner`), which is the
/// one GDAL before 3.8 reads.
struct TileMatrixSet: Encodable {
    struct Matrix: Encodable {
        var id: String
        var scaleDenominator: Double
        var cellSize: Double
        var cornerOfOrigin = "topLeft"
        var pointOfOrigin: [Double]
        var tileWidth = 256, tileHeight = 256
        var matrixWidth: Int, matrixHeight: Int
    }
    struct MatrixV1: Encodable {
        var identifier: String
        var scaleDenominator: Double
        var topLeftCorner: [Double]
        var tileWidth = 256, tileHeight = 256
        var matrixWidth: Int, matrixHeight: Int
    }
    struct BoundingBox: Encodable {
        var type = "BoundingBoxType"
        var crs: String
        var lowerCorner: [Double]
        var upperCorner: [Double]
    }
    var type = "TileMatrixSetType"
    var id = TileSetRoutes.matrixSet
    var identifier = TileSetRoutes.matrixSet
    var title = "Google Maps Compatible for the World"
    var uri = TileSetRoutes.matrixSetURI
    var crs = TileSetRoutes.webMercator
    var supportedCRS = TileSetRoutes.webMercator
    var orderedAxes = ["X", "Y"]
    var wellKnownScaleSet = "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible"
    var boundingBox: BoundingBox
    var tileMatrices: [Matrix]
    var tileMatrix: [MatrixV1]

    /// Zooms 0-24, as the standard lists them (tiles are answered to zoom RunTiles.maxOnDemandZoom).
    static let webMercatorQuad: TileMatrixSet = {
        let corner = WMTSRoutes.corner
        let zooms = 0...24
        return TileMatrixSet(
            boundingBox: .init(crs: TileSetRoutes.webMercator, lowerCorner: [-corner, -corner], upperCorner: [corner, corner]),
            tileMatrices: zooms.map { z in
                let scale = WMTSRoutes.scaleDenominator0 / Double(1 << z)
                return Matrix(id: "\(z)", scaleDenominator: scale, cellSize: 2 * corner / 256 / Double(1 << z),
                              pointOfOrigin: [-corner, corner], matrixWidth: 1 << z, matrixHeight: 1 << z)
            },
            tileMatrix: zooms.map { z in
                MatrixV1(identifier: "\(z)", scaleDenominator: WMTSRoutes.scaleDenominator0 / Double(1 << z),
                         topLeftCorner: [-corner, corner], matrixWidth: 1 << z, matrixHeight: 1 << z)
            })
    }()
}
