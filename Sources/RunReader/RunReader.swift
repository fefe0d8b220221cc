import Foundation
import GeoKit
import HotspotConfig
import HotspotModel
import Partners
import Pipeline
import Synchronization

/// A published run opened from its folder alone: its record, its grid, and pools of read handles on its rasters and
/// on the inputs it was computed from (as `run.json` names them, whatever today's configuration says). The server,
/// `hotspot query` and `hotspot region` read through it: `score` (a point), `statistics` (a region or polygon),
/// `clip` and `download` (a COG), `stacItem`; `RunTiles` renders its tiles. A request keeps the reader it started on;
/// when a newer run is published the old one is released once its last request is done (its handles close with it).
public final class RunReader: Sendable {
    public let runID: String
    /// The run's own folder (the target of `latest` when it was opened).
    public let directory: String
    public let record: RunRecord
    public let grid: Grid
    /// The true area of each pixel (zonal statistics and near-hotspot areas weigh pixels by it, as the run's scores
    /// do); made on first use, since on some projected grids it takes a moment and point answers never need it.
    public var areas: PixelAreas {
        get throws(ReadError) {
            do { return try lazyAreas.value { () throws(GeoError) in try PixelAreas(grid: grid) } } catch {
                throw .failed("the pixel areas of run \(runID): \(error)")
            }
        }
    }
    private let lazyAreas = Lazy<PixelAreas>()
    let lazyHotspots = Lazy<HotspotFeatures>()
    /// Near-hotspot answers already computed (see `coverage`).
    let coverages = Mutex<[String: HotspotCoverage]>([:])
    let sources: [LayerRole: LayerSource]
    /// The grid's coordinates are WGS84 longitude and latitude: points need no transformation.
    let gridIsLonLat: Bool
    let pixels: HandlePool<PixelHandles>

    /// Opens the run in `directory` (a run folder or the `latest` link, which is resolved once here).
    public init(directory: String) throws(ReadError) {
        // A folder, a `latest` link, or a `latest` pointer object on a store (read-only through GDAL).
        let resolved = LatestPointer.resolve(directory)
        guard let data = Storage.read(Storage.join(resolved, "run.json")) else {
            throw ReadError.noRun("no complete run at \(directory): run `hotspot run` first")
        }
        let record: RunRecord
        do {
            record = try JSONDecoder().decode(RunRecord.self, from: data)
        } catch _ {
            // A run of an earlier model version (or a damaged record) is not read as something it is not.
            throw ReadError.noRun("the run.json of \(directory) cannot be read by this version of "
                + "hotspot (a run of an earlier model, or a damaged file): run `hotspot run` again")
        }
        do throws(GeoError) {
            grid = try Dataset(path: Self.path(of: .sequestrationScore, in: resolved, record: record)).grid()
        } catch {
            throw ReadError.noRun("run \(record.runID) cannot be read: \(error)")
        }
        var sources: [LayerRole: LayerSource] = [:]
        var gridIsLonLat = false
        do throws(PipelineError) {
            let targetCRS = try wrapCRS(grid.crsDefinition)
            gridIsLonLat = targetCRS.isSame(as: CRS.wgs84())
            // The inputs as the run recorded them, not as today's configuration names them.
            for (role, spec) in try record.layerSpecs() {
                sources[role] = try LayerSource.plan(spec, onto: grid, targetCRS: targetCRS)
            }
        } catch {
            throw ReadError.noRun("the inputs of run \(record.runID) cannot be read: \(error)")
        }
        self.runID = record.runID
        self.directory = resolved
        self.record = record
        self.sources = sources
        self.gridIsLonLat = gridIsLonLat
        let (grid, planned, lonLat) = (self.grid, sources, gridIsLonLat)
        let files = Dictionary(uniqueKeysWithValues: OutputLayer.allCases.map {
            ($0, Self.path(of: $0, in: resolved, record: record))
        })
        pixels = HandlePool { try PixelHandles(files: files, sources: planned, grid: grid, lonLat: lonLat) }
        // Point answers read on the request's own thread: open a set per core now, not on the first requests.
        try? pixels.prepare(ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The file of an output: the run's COG, or the VRT mosaic of a sharded run published without `--assemble`.
    public func path(of output: OutputLayer) -> String { Self.path(of: output, in: directory, record: record) }

    static func path(of output: OutputLayer, in directory: String, record: RunRecord) -> String {
        Storage.join(directory, record.outputs[output.rawValue]?.file ?? output.fileName)
    }

    /// Decoded bytes of every raster a point answer reads (the outputs and the input files): what one set of read
    /// handles caches once answers have touched every block. GDAL caches blocks per open dataset, so each set held
    /// by a concurrent reader caches its own copy.
    public var decodedBytes: Int {
        let files = OutputLayer.allCases.map { path(of: $0) } + sources.values.map(\.spec.path)
        return files.reduce(0) { total, file in total + ((try? Dataset(path: file))?.decodedBytes ?? 0) }
    }

    /// The outputs whose files can no longer be read (deleted, or their permissions changed since the run was
    /// opened: the open handles still read, the next reader would not).
    public var unreadableOutputs: [OutputLayer] {
        OutputLayer.allCases.filter {
            Storage.isVirtual(path(of: $0)) ? !Storage.exists(path(of: $0)) : access(path(of: $0), R_OK) != 0
        }
    }
}

private func wrapCRS(_ definition: String) throws(PipelineError) -> CRS {
    do { return try CRS(definition) } catch { throw .layer(role: "grid", path: definition, error) }
}

/// One reader's handles: a band of every output and a reader of every input, all on the run's grid.
final class PixelHandles {
    let outputs: [OutputLayer: Band]
    let inputs: [LayerRole: LayerReader]
    /// WGS84 to the grid's CRS, for grids that are not in longitude and latitude (a PROJ object is per thread).
    let toGrid: CoordinateTransform?

    init(files: [OutputLayer: String], sources: [LayerRole: LayerSource], grid: Grid, lonLat: Bool) throws {
        toGrid = lonLat ? nil : try CoordinateTransform(from: CRS.wgs84(), to: try CRS(grid.crsDefinition))
        var outputs: [OutputLayer: Band] = [:]
        for output in OutputLayer.allCases {
            outputs[output] = try Dataset(path: files[output]!).band(1)
        }
        self.outputs = outputs
        var inputs: [LayerRole: LayerReader] = [:]
        for (role, source) in sources { inputs[role] = try source.open() }
        self.inputs = inputs
    }
}

/// A value made once, on first use, by whichever thread asks first (others wait for it).
final class Lazy<Value: Sendable>: Sendable {
    private let made = Mutex<Value?>(nil)

    func value<E: Error>(_ make: () throws(E) -> Value) throws(E) -> Value {
        try made.withLock { (made: inout Value?) throws(E) -> Value in
            if let made { return made }
            let value = try make()
            made = value
            return value
        }
    }
}
