import Foundation
import GeoKit
import HotspotConfig
import HotspotModel
import Pipeline
import Tiling

/// Map tiles of one run: pre-rendered tiles from `Tiles/<layer>/` when that pyramid was rendered from this run's
/// raster with the same ramp, else rendered on demand from the COG and cached under `<cache>/<run>/<layer>/` (a
/// bounded `DiskCache`; tiles with no data are answered with one shared empty tile, never stored). The
/// ramps and zooms are presentation, from today's configuration; the rasters are the run's.
public final class RunTiles: Sendable {
    /// Tiles are rendered on demand up to this zoom (0.6 m pixels at the equator: far below any input's resolution).
    public static let maxOnDemandZoom = 18
    public let jobs: [String: TileJob]
    /// Lon/lat bounds of each layer's raster (for TileJSON).
    public let bounds: [String: (west: Double, south: Double, east: Double, north: Double)]
    /// Degrees of longitude one pixel of each layer's raster spans at its centre (for TileJSON's maxzoom).
    public let pixelDegrees: [String: Double]
    /// Legend PNGs by layer and language (a few kilobytes each, drawn once per run).
    public let legends: [String: [Language: Data]]
    public let onDisk: Set<String>
    let cache: DiskCache
    /// Renderers by layer and scale (1: 256 px tiles, 2: 512 px `@2x` tiles for high-DPI screens).
    private let renderers: [Int: [String: HandlePool<TileRendering>]]
    /// Fully transparent tiles by scale: the answer where the raster has no data (a 404 would show as an error in
    /// browsers).
    let emptyTiles: [Int: Data]
    /// The scales tiles are rendered at: 256 px, and 512 px for high-DPI screens (`@2x`).
    public static let scales = [1, 2]

    public init(run: RunReader, configuration config: HotspotConfiguration, tilesDirectory: String,
                cache: DiskCache) throws {
        var jobs: [String: TileJob] = [:]
        for (name, _, _) in TileJob.defaultLayers {
            guard let output = run.record.outputs[name] else { continue }
            jobs[name] = try TileJob.forLayer(
                name, configuration: config, runID: run.runID, sourcePath: run.directory + "/" + output.file,
                sourceSHA256: output.sha256, description: output.description, attribution: run.record.attribution,
                format: .png, zooms: config.tiles.zoom[0]...config.tiles.zoom[1], outputDirectory: tilesDirectory)
        }
        // The base map: the demo land mask beside the configuration, when there is one.
        let configDirectory = (config.file as NSString).deletingLastPathComponent
        let landMask = configDirectory + "/demo/landmask.tif"
        if FileManager.default.fileExists(atPath: landMask) {
            let ramp = ColourRamp(try RampSpec.load(named: "land", configDirectory: configDirectory))
            jobs["land"] = TileJob(layer: "land", sourcePath: landMask, sourceSHA256: "land", runID: run.runID, ramp: ramp,
                                   rampName: "land", sampling: .nearest, format: .png, zooms: 0...8,
                                   outputDirectory: tilesDirectory, attribution: "Land: GSHHG shorelines (demo land mask)",
                                   description: "Land mask of the demo data")
        }
        self.jobs = jobs
        var bounds: [String: (west: Double, south: Double, east: Double, north: Double)] = [:]
        var legends: [String: [Language: Data]] = [:]
        var pixelDegrees: [String: Double] = [:]
        for (name, job) in jobs {
            let box = try TileRenderer(path: job.sourcePath, sampling: job.sampling).lonLatBounds()
            bounds[name] = box
            let width = try Dataset(path: job.sourcePath).grid().width
            pixelDegrees[name] = (box.east >= box.west ? box.east - box.west : box.east + 360 - box.west) / Double(max(1, width))
            // Classes none of the run's pixels fall in are not listed (a legend entry the map never shows).
            let areas = run.record.hotspotClasses.areaKm2
            let empty = Set(HotspotClass.allCases.filter { (areas[$0.label] ?? 0) <= 0 }.map { Int($0.rawValue) })
            for language in Language.allCases {
                legends[name, default: [:]][language] = try Legend.png(
                    for: job.ramp, texts: language.legendTexts(layer: name, spec: job.ramp.spec,
                                                               threshold: run.record.model.hotspotPercentile,
                                                               emptyClasses: empty))
            }
        }
        self.bounds = bounds
        self.pixelDegrees = pixelDegrees
        self.legends = legends
        onDisk = Set(jobs.values.filter(\.pyramidOnDiskMatches).map(\.layer))
        self.cache = cache
        var renderers: [Int: [String: HandlePool<TileRendering>]] = [:], emptyTiles: [Int: Data] = [:]
        for scale in Self.scales {
            renderers[scale] = jobs.mapValues { job in
                HandlePool { try TileRendering(job: job, tileSize: 256 * scale) }
            }
            let size = 256 * scale, clear = [UInt8](repeating: 0, count: size * size * 4)
            emptyTiles[scale] = clear.withUnsafeBufferPointer { PNGEncoder(level: 9).encode(rgba: $0, width: size, height: size) }
        }
        self.renderers = renderers
        self.emptyTiles = emptyTiles
    }

    /// The PNG of `tile` of `layer` (the caller checked both) at `scale` 1 (256 px) or 2 (512 px, the area of the
    /// tile at twice the pixel density: its pixels are those of the four tiles under it, sampled alike).
    public func png(layer: String, tile: Tile, scale: Int = 1) throws -> Data {
        guard let job = jobs[layer], let pool = renderers[scale]?[layer], let empty = emptyTiles[scale] else {
            throw ReadError.notFound("unknown layer '\(layer)'")
        }
        if scale == 1, onDisk.contains(layer), let data = FileManager.default.contents(atPath: job.tilePath(tile)) {
            return data
        }
        let relative = "\(job.runID)/\(layer)/\(tile.z)/\(tile.x)/\(tile.y)\(scale == 1 ? "" : "@\(scale)x").png"
        if let data = cache.read(relative) { return data }
        guard let data = try pool.with({ rendering in try rendering.image(of: tile) }) else { return empty }
        cache.store(data, at: relative)
        return data
    }
}

/// One renderer's handles and scratch (GDAL handles are per thread).
final class TileRendering {
    let job: TileJob
    let renderer: TileRenderer
    let png = PNGEncoder(level: 6)
    var rgba: [UInt8]

    init(job: TileJob, tileSize: Int) throws {
        self.job = job
        renderer = try TileRenderer(path: job.sourcePath, sampling: job.sampling, tileSize: tileSize)
        rgba = [UInt8](repeating: 0, count: renderer.tileSize * renderer.tileSize * 4)
    }

    func image(of tile: Tile) throws -> Data? {
        try job.image(of: tile, renderer: renderer, png: png, rgba: &rgba)
    }
}
