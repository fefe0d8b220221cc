import Foundation
import GeoKit
import HotspotConfig
import HotspotModel
import Pipeline

/// A published run opened for serving: its record, its grid, and pools of read handles on its rasters and on the
/// inputs it was computed from. A request keeps the run it started on; when a newer run is published the old one is
/// released once its last request is done (its handles close with it).
public final class PublishedRun: Sendable {
    public let runID: String
    /// The run's own folder (the target of `latest` when it was opened).
    public let directory: String
    public let record: RunRecord
    public let grid: Grid
    /// The true area of each pixel (zonal statistics and near-hotspot areas weigh pixels by it, as the run's scores
    /// do); made on first use, since on some projected grids it takes a moment and point answers never need it.
    public var areas: PixelAreas {
        get throws(Problem) {
            do { return try lazyAreas.value { () throws(GeoError) in try PixelAreas(grid: grid) } } catch {
                throw Problem(.internalServerError, "the pixel areas of run \(runID): \(error)")
            }
        }
    }
    private let lazyAreas = Lazy<PixelAreas>()
    public let configuration: HotspotConfiguration
    let sources: [LayerRole: LayerSource]
    /// The grid's coordinates are WGS84 longitude and latitude: points need no transformation.
    let gridIsLonLat: Bool
    let pixels: HandlePool<PixelHandles>

    /// Opens the run in `directory` (a run folder or the `latest` link, which is resolved once here).
    public init(directory: String, configuration: HotspotConfiguration) throws(Problem) {
        let resolved = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        guard let data = FileManager.default.contents(atPath: resolved + "/run.json") else {
            throw Problem(.serviceUnavailable, "no complete run at \(directory): run `hotspot run` first")
        }
        let record: RunRecord
        do {
            record = try JSONDecoder().decode(RunRecord.self, from: data)
        } catch _ {
            // A run of an earlier model version (or a damaged record) is not read as something it is not.
            throw Problem(.serviceUnavailable, "the run.json of \(directory) cannot be read by this version of "
                + "hotspot (a run of an earlier model, or a damaged file): run `hotspot run` again")
        }
        do throws(GeoError) {
            grid = try Dataset(path: resolved + "/" + OutputLayer.sequestrationScore.fileName).grid()
        } catch {
            throw Problem(.serviceUnavailable, "run \(record.runID) cannot be read: \(error)")
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
            throw Problem(.serviceUnavailable, "the inputs of run \(record.runID) cannot be read: \(error)")
        }
        self.runID = record.runID
        self.directory = resolved
        self.record = record
        self.configuration = configuration
        self.sources = sources
        self.gridIsLonLat = gridIsLonLat
        let grid = self.grid
        pixels = HandlePool { try PixelHandles(directory: resolved, sources: sources, grid: grid, lonLat: gridIsLonLat) }
        // Point answers read on the request's own thread: open a set per core now, not on the first requests.
        try? pixels.prepare(ProcessInfo.processInfo.activeProcessorCount)
    }

    public func path(of output: OutputLayer) -> String { directory + "/" + output.fileName }
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

    init(directory: String, sources: [LayerRole: LayerSource], grid: Grid, lonLat: Bool) throws {
        toGrid = lonLat ? nil : try CoordinateTransform(from: CRS.wgs84(), to: try CRS(grid.crsDefinition))
        var outputs: [OutputLayer: Band] = [:]
        for output in OutputLayer.allCases {
            outputs[output] = try Dataset(path: directory + "/" + output.fileName).band(1)
        }
        self.outputs = outputs
        var inputs: [LayerRole: LayerReader] = [:]
        for (role, source) in sources { inputs[role] = try source.open() }
        self.inputs = inputs
    }
}

/// A value made once, on first use, by whichever thread asks first (others wait for it).
final class Lazy<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var made: Value?

    func value<E: Error>(_ make: () throws(E) -> Value) throws(E) -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let made { return made }
        let value = try make()
        made = value
        return value
    }
}
