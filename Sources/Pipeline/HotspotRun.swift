import Foundation
import GeoKit
import HotspotConfig
import HotspotModel

/// `hotspot run`: aligns the layers, runs RothC's scenarios on every pixel, ranks and classifies, writes seven COGs
/// and `run.json`, and
/// publishes the run as `latest` only once all of it is written.
public enum HotspotRun {
    public struct Options: Sendable {
        /// Overrides `output.dir` of the configuration.
        public var outputDirectory: String?
        public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        /// Rows per strip; nil chooses `defaultStripRows` (256, fewer for grids so wide that a strip would pass 2 Mpx):
        /// memory stays bounded whatever the raster's size.
        public var stripRows: Int?
        public var progress: (@Sendable (RunProgress) -> Void)?

        public init(outputDirectory: String? = nil, progress: (@Sendable (RunProgress) -> Void)? = nil) {
            self.outputDirectory = outputDirectory
            self.progress = progress
        }
    }

    public struct Result: Sendable {
        public var runID: String
        public var directory: String
        public var record: RunRecord
    }

    public static func execute(
        _ config: HotspotConfiguration, options: Options = Options()
    ) throws(PipelineError) -> Result {
        RunSetup.configureGDAL()
        let outputDirectory = options.outputDirectory ?? config.output.dir
        if Storage.isVirtual(outputDirectory) { return try executeOnStore(config, outputDirectory, options: options) }
        var timings: [String: Double] = [:]
        var clock = Date()
        func lap(_ name: String) {
            timings[name] = (Date().timeIntervalSince(clock) * 1000).rounded() / 1000
            clock = Date()
        }

        let setup = try RunSetup(config, stripRows: options.stripRows)
        lap("plan")
        let runID = makeRunID(configHash: setup.configHash, outputDirectory: outputDirectory)
        let workspace = try RunWorkspace(outputDirectory: outputDirectory, runID: runID)
        let work = workspace.workFolder, all = 0..<setup.grid.height

        var scored = try setup.scoringPass(rows: all, workers: options.workers)
            .run(work: work, report: options.progress)
        scored.finish()
        lap("scoring")
        try setup.requireValidPixels(scored.statistics)
        try setup.refinementPass(pieces: [(work, all)], workers: options.workers)
            .run(rate: &scored.rate, loss: &scored.loss)
        lap("refining_ranks")

        let classes = try setup.classificationPass(rows: all, rate: scored.rate, loss: scored.loss, workers: options.workers)
            .run(work: work, report: options.progress)
        lap("classifying")

        let outputs = try setup.outputWriter(work: work, destination: workspace.directory)
            .writeAll(workers: options.workers, report: options.progress)
        try setup.writeStyles(into: workspace.directory)
        lap("writing_cogs")
        let polygons = try setup.hotspotPolygons(outputs: outputs, folder: workspace.directory).write(into: workspace.directory)
        lap("hotspot_polygons")

        var checksums = InputChecksums(outputDirectory: outputDirectory)
        let inputRecords = try setup.inputRecords(checksums: &checksums)
        checksums.save()

        var record = setup.record(
            runID: runID, inputs: inputRecords, outputs: outputs, statistics: scored.statistics,
            classes: classes.statistics, timings: timings.merging(
                ["checksums_and_provenance": (Date().timeIntervalSince(clock) * 1000).rounded() / 1000]) { a, _ in a })
        lap("checksums_and_provenance")
        record.hotspotPolygons = polygons
        do {
            try record.encoded().write(to: URL(fileURLWithPath: workspace.finalPath("run.json")))
        } catch {
            throw .output(path: workspace.finalPath("run.json"), reason: error.localizedDescription)
        }
        try ScoreReferenceFile(runID: runID, rate: scored.rate, loss: scored.loss)
            .write(to: workspace.finalPath(ScoreReferenceFile.fileName))
        let directory = try workspace.publish()
        if let keep = config.output.keepRuns { workspace.prune(keeping: keep) }
        return Result(runID: runID, directory: directory, record: record)
    }

    /// The name a new run in `outputDirectory` gets: a sortable UTC timestamp plus the configuration's hash.
    public static func newRunID(configText: String, outputDirectory: String) -> String {
        makeRunID(configHash: Checksum.hex(of: Data(configText.utf8)), outputDirectory: outputDirectory)
    }

    /// A run into an object store (no renames, no links, no random writes): the sharded run's phases in this
    /// process, one shard, the layers assembled into COGs.
    static func executeOnStore(_ config: HotspotConfiguration, _ outputDirectory: String, options: Options)
        throws(PipelineError) -> Result {
        let runID = makeRunID(configHash: Checksum.hex(of: Data(config.text.utf8)), outputDirectory: outputDirectory)
        let folder = Storage.join(outputDirectory, runID)
        var sharded = ShardedRun.Options(progress: options.progress)
        sharded.workers = options.workers
        sharded.stripRows = options.stripRows
        try ShardedRun.plan(config, runDirectory: folder, shards: 1, options: sharded)
        try ShardedRun.score(runDirectory: folder, shard: 0, options: sharded)
        try ShardedRun.rank(runDirectory: folder, options: sharded)
        try ShardedRun.classify(runDirectory: folder, shard: 0, options: sharded)
        let published = try ShardedRun.publish(runDirectory: folder, assemble: true, options: sharded)
        return Result(runID: runID, directory: folder, record: published.record)
    }

    /// 256 rows (the inputs' usual tile height and twice the warped VRTs' block height, so no block is decoded or
    /// warped by two workers), fewer for grids so wide that a strip would pass 1 Mpx; always a power of two, so that
    /// strips start on multiples of the overview factors and the workers can reduce the overviews. The strip bounds
    /// a task's memory whatever the grid: a worker holds about 80 bytes a strip pixel (its outputs, the warped
    /// inputs' blocks), and at 2 Mpx a task on a 28,800-column grid peaked at 537 MiB, at 1 Mpx at 450 MiB.
    static func defaultStripRows(gridWidth: Int) -> Int {
        let fitting = max(1, min(256, (1 << 20) / max(1, gridWidth)))
        return 1 << (Int.bitWidth - 1 - fitting.leadingZeroBitCount)
    }

    /// A row of the grid must fit the strip buffers (about 250 bytes a pixel across the passes' planes) within the
    /// memory budget, and GDAL counts rows and columns in 32-bit integers.
    static let maxColumns = 1 << 20, maxRows = Int(Int32.max), maxPixels = 1 << 38

    static func targetGrid(_ spec: GridSpec) throws(PipelineError) -> (Grid, CRS) {
        // The size first, from the numbers: a grid of 1e-9 degree pixels is refused before anything is allocated.
        let columns = ((spec.bbox[2] - spec.bbox[0]) / spec.resolution).rounded(.up)
        let rows = ((spec.bbox[3] - spec.bbox[1]) / spec.resolution).rounded(.up)
        guard columns.isFinite, rows.isFinite, columns <= Double(maxColumns), rows <= Double(maxRows),
              columns * rows <= Double(maxPixels) else {
            throw .gridTooLarge("resolution \(spec.resolution) over \(spec.bbox) makes \(String(format: "%.3g", columns)) x "
                                + "\(String(format: "%.3g", rows)) pixels; a run takes at most \(maxColumns) columns and "
                                + "\(maxPixels) pixels: use a coarser resolution or a smaller bbox")
        }
        do throws(GeoError) {
            let crs = try CRS(spec.crs)
            return (try Grid(crs: spec.crs, resolution: spec.resolution, bounds: spec.bbox), crs)
        } catch {
            throw .grid(error)
        }
    }

    /// A sortable UTC timestamp plus the config hash; suffixed if a run with that name already exists.
    static func makeRunID(configHash: String, outputDirectory: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let base = "\(formatter.string(from: Date()))-\(configHash.prefix(8))"
        var id = base, n = 1
        func taken(_ id: String) -> Bool {
            let folder = Storage.join(outputDirectory, id)
            return Storage.isVirtual(folder) ? Storage.exists(Storage.join(folder, RunPlan.fileName))
                : FileManager.default.fileExists(atPath: folder)
        }
        while taken(id) {
            n += 1
            id = "\(base)-\(n)"
        }
        return id
    }

    static func inputRecord(_ source: LayerSource, checksums: inout InputChecksums) throws(PipelineError)
        -> RunRecord.Input {
        let path = source.spec.path
        let local = !path.hasPrefix("/vsi")
        let size = local ? (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64 : nil
        var arguments: [String]?
        if case let .warped(resampling) = source.alignment {
            arguments = Dataset.warpArguments(onto: source.target, resampling: resampling, noData: source.spec.noData,
                                              float: !source.spec.role.isCategorical)
        } else if case let .resampled(resampling) = source.alignment {
            arguments = Dataset.warpArguments(onto: source.target, resampling: resampling, noData: source.spec.noData)
        }
        let g = source.sourceGrid
        return RunRecord.Input(
            role: source.spec.role.rawValue, path: path, band: source.spec.band, units: source.spec.units,
            scale: source.spec.scale, offset: source.spec.offset, noData: source.noData, sizeBytes: size,
            sha256: local ? try checksums.sha256(of: path) : nil, crs: source.sourceCRSName, width: g.width, height: g.height,
            geoTransform: g.geoTransform.coefficients, alignment: source.alignmentSummary,
            resampling: source.spec.resampling, gdalwarpArguments: arguments, synthetic: source.isSynthetic)
    }

    /// The model's name in `run.json`.
    public static let modelName = "RothC-26.3 (Coleman & Jenkinson 1999) with FAO GSOCseq scenarios (FAO 2020)"
}
