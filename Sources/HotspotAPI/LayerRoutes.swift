import Foundation
import Hummingbird
import Pipeline
import RunReader
import Tiling

/// `GET /v1/layers` (what the run offers), and per layer its TileJSON, legend and XYZ tiles.
struct LayerRoutes {
    let served: ServedRun
    let options: ServerOptions

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("/v1/layers") { request, _ in try layers(request) }
        routes.get("/tiles/{layer}/tilejson.json") { request, context in try tileJSON(request, context) }
        routes.get("/tiles/{layer}/legend.png") { request, context in
            let snapshot = try served.current()
            let layer = try context.parameters.require("layer")
            guard let legends = snapshot.tiles.legends[layer] else { throw Self.unknownLayer(layer, snapshot) }
            let legend = legends[HotspotServer.language(request)] ?? legends[.en]!
            return respond(request, legend, type: "image/png", caching: .run, headers: [.vary: "Accept-Language"])
        }
        routes.get("/tiles/{layer}/{z}/{x}/{y}.png") { request, context in try await tile(request, context) }
        routes.get("/v1/styles/{style}") { request, context in
            // `{layer}.qml`: the run's QGIS style of the layer (QGIS: Layer Properties > Style > Load Style).
            let name = try context.parameters.require("style")
            let snapshot = try served.current()
            guard name.hasSuffix(".qml"), let layer = OutputLayer(rawValue: String(name.dropLast(4))),
                  let style = snapshot.run.style(of: layer) else {
                throw ReadError.notFound("no style '\(name.prefix(60))'; styles are <layer>.qml for the layers of /v1/layers")
            }
            return respond(request, style, type: "application/xml", caching: .run,
                           headers: [.contentDisposition: "attachment; filename=\"\(name)\""])
        }
        return routes
    }

    func layers(_ request: Request) throws -> Response {
        let snapshot = try served.current()
        let base = HotspotServer.baseURL(request, options)
        let layers = OutputLayer.allCases.map { output in
            let tiled = snapshot.tiles.jobs[output.rawValue] != nil
            return LayerInfo(id: output.rawValue, description: output.description, units: output.units,
                             statistics: snapshot.run.record.statistics[output.rawValue],
                             legend: tiled ? "\(base)/tiles/\(output.rawValue)/legend.png" : nil,
                             tilejson: tiled ? "\(base)/tiles/\(output.rawValue)/tilejson.json" : nil,
                             download: "\(base)/v1/download?layer=\(output.rawValue)&bbox={west},{south},{east},{north}")
        }
        let g = snapshot.run.grid.geoTransform
        let grid = LayersAnswer.GridInfo(crs: snapshot.run.record.grid.crs,
                                         width: snapshot.run.grid.width, height: snapshot.run.grid.height,
                                         pixelSize: [abs(g.pixelWidth), abs(g.pixelHeight)],
                                         maxDownloadPixels: options.configuration.server.maxDownloadPixels)
        return try respondJSON(request, LayersAnswer(runId: snapshot.run.runID, grid: grid, layers: layers), caching: .run)
    }

    func tileJSON(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let snapshot = try served.current()
        let layer = try context.parameters.require("layer")
        guard let job = snapshot.tiles.jobs[layer] else { throw Self.unknownLayer(layer, snapshot) }
        let base = HotspotServer.baseURL(request, options)
        var onDemand = job
        let bounds = snapshot.tiles.bounds[layer] ?? (-180, -85, 180, 85)
        onDemand.zooms = Self.zooms(layer, snapshot)
        let tileJSON = TileJSON(job: onDemand, bounds: bounds,
                                tileURL: "\(base)/tiles/\(layer)/{z}/{x}/{y}.png?run=\(snapshot.run.runID)",
                                legendURL: "\(base)/tiles/\(layer)/legend.png")
        return respond(request, try tileJSON.encoded(), type: "application/json", caching: .run)
    }

    func tile(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let snapshot = try served.current()
        let layer = try context.parameters.require("layer")
        guard snapshot.tiles.jobs[layer] != nil else { throw Self.unknownLayer(layer, snapshot) }
        let (tile, scale) = try Self.tileAddress(context)
        return try await answerTile(request, layer: layer, tile: tile, scale: scale, snapshot: snapshot)
    }

    /// A tile's PNG, immutable when the request names the run it was made from (`?run=`).
    func answerTile(_ request: Request, layer: String, tile: Tile, scale: Int, snapshot: ServedRun.Snapshot) async throws -> Response {
        let asked = request.uri.queryParameters.get("run")
        if let asked, asked != snapshot.run.runID {
            throw ReadError.notFound("run \(asked) is not served any more (the current run is \(snapshot.run.runID)): "
                                     + "fetch the TileJSON again", parameter: "run")
        }
        let data = try await offload { try snapshot.tiles.png(layer: layer, tile: tile, scale: scale) }
        return respond(request, data, type: "image/png", caching: asked == nil ? .run : .immutable)
    }

    /// The zooms a layer is offered at: from the pyramid's lowest to the data's native zoom plus a small over-zoom
    /// margin (clients scale beyond it; tiles deeper down to RunTiles.maxOnDemandZoom are still answered), or the
    /// pre-rendered pyramid's top if higher. TileJSON and WMTS say the same.
    static func zooms(_ layer: String, _ snapshot: ServedRun.Snapshot) -> ClosedRange<Int> {
        let job = snapshot.tiles.jobs[layer]!
        let native = WebMercator.nativeZoom(pixelDegrees: snapshot.tiles.pixelDegrees[layer] ?? 1)
        return job.zooms.lowerBound...max(job.zooms.upperBound,
                                          min(native + WebMercator.overZoomMargin, RunTiles.maxOnDemandZoom))
    }

    static func unknownLayer(_ layer: String, _ snapshot: ServedRun.Snapshot) -> ReadError {
        .notFound("unknown layer '\(layer)'; known: \(snapshot.tiles.jobs.keys.sorted().joined(separator: ", "))")
    }

    /// z/x/y from the path: whole numbers (400 otherwise) inside WebMercatorQuad at that zoom (404 otherwise); the
    /// last may end in `@2x` (a 512 px tile for high-DPI screens).
    static func tileAddress(_ context: BasicRequestContext) throws -> (tile: Tile, scale: Int) {
        try tileAddress(z: context.parameters.require("z"), x: context.parameters.require("x"),
                        y: context.parameters.require("y"))
    }

    static func tileAddress(z: String, x: String, y: String, names: (z: String, x: String, y: String) = ("z", "x", "y"))
        throws -> (tile: Tile, scale: Int) {
        var last = y, scale = 1
        if last.hasSuffix("@2x") {
            last.removeLast(3)
            scale = 2
        }
        var numbers: [Int] = []
        for (name, text) in [(names.z, z), (names.x, x), (names.y, last)] {
            guard let value = Int(text) else { throw ReadError.invalid("\(name) must be a whole number (got '\(text.prefix(20))')", parameter: name) }
            // One address a tile: "+1" and "01" are not names of tile 1 (caches would hold it twice).
            guard String(value) == text else {
                throw ReadError.notFound("tile numbers are written plainly (\(value), not '\(text.prefix(20))')", parameter: name)
            }
            numbers.append(value)
        }
        let (z, x, y) = (numbers[0], numbers[1], numbers[2])
        guard (0...RunTiles.maxOnDemandZoom).contains(z) else {
            throw ReadError.notFound("zoom \(z) is outside 0-\(RunTiles.maxOnDemandZoom)", parameter: names.z)
        }
        guard (0..<(1 << z)).contains(x), (0..<(1 << z)).contains(y) else {
            throw ReadError.notFound("tile \(z)/\(x)/\(y) does not exist: \(names.x) and \(names.y) run from 0 to "
                                     + "\((1 << z) - 1) at zoom \(z)")
        }
        return (Tile(z: z, x: x, y: y), scale)
    }
}

struct LayerInfo: Encodable {
    var id: String
    var description: String
    var units: String
    var statistics: LayerStatistics?
    var legend: String?
    var tilejson: String?
    var download: String
}

struct LayersAnswer: Encodable {
    /// The grid downloads are cut from, and how many of its pixels one download may hold.
    struct GridInfo: Encodable {
        var crs: String
        var width: Int
        var height: Int
        var pixelSize: [Double]
        var maxDownloadPixels: Int
    }
    var runId: String
    var grid: GridInfo
    var layers: [LayerInfo]
}
