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
        GDALRuntime.initialize()
        // Bounded block cache: the passes stream, nothing gains from caching more than a few strips. 48 MB holds the
        // input tiles of the strips in flight on the demo grid as well as 64 did (same times), with 30 MB less peak.
        if ProcessInfo.processInfo.environment["GDAL_CACHEMAX"] == nil { GDALRuntime.setOption("GDAL_CACHEMAX", "48") }
        var timings: [String: Double] = [:]
        var clock = Date()
        func lap(_ name: String) {
            timings[name] = (Date().timeIntervalSince(clock) * 1000).rounded() / 1000
            clock = Date()
        }

        let (grid, targetCRS) = try targetGrid(config.grid)
        var sources: [LayerRole: LayerSource] = [:]
        for (role, spec) in config.layers.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            sources[role] = try LayerSource.plan(spec, onto: grid, targetCRS: targetCRS)
        }
        let areas: PixelAreas
        do { areas = try PixelAreas(grid: grid) } catch { throw .grid(error) }
        // A reference to score against is checked now, not after the scoring pass.
        let reference = config.scores.reference == "run" ? nil : try ScoreReferenceFile.load(config.scores.reference)
        lap("plan")

        let outputDirectory = options.outputDirectory ?? config.output.dir
        let configHash = Checksum.hex(of: Data(config.text.utf8))
        // How GIS clients draw the outputs (the class palette in the class COG, a QGIS style beside each COG), read
        // before any work so that a missing ramp fails the run at once.
        let palette: [OutputWriter.PaletteEntry], styles: [String: String]
        do throws(ConfigError) {
            palette = try config.classPalette().map { .init(code: $0.code, r: $0.r, g: $0.g, b: $0.b, a: $0.a, label: $0.label) }
            styles = try config.qgisStyles()
        } catch {
            throw .config(error)
        }
        let runID = makeRunID(configHash: configHash, outputDirectory: outputDirectory)
        let workspace = try RunWorkspace(outputDirectory: outputDirectory, runID: runID)
        let legend = config.layers[.landcover]!.classes!
        let stripRows = options.stripRows ?? Self.defaultStripRows(gridWidth: grid.width)
        let overviews = OverviewPlan.plan(grid: grid, stripRows: stripRows)

        var scored = try ScoringPass(
            sources: sources, grid: grid, areas: areas,
            scorer: BlockScorer(parameters: config.model, noData: OutputLayer.floatNoData), legend: legend,
            stripRows: stripRows, workers: options.workers, overviews: overviews
        ).run(workspace: workspace, report: options.progress)
        lap("scoring")
        // A run with no valid pixel (an all-nodata or all-NaN layer, inputs that do not overlap) is an error, not an
        // empty run published as `latest`.
        guard (scored.statistics[.lossExpected]?.validPixels ?? 0) > 0 else {
            throw .noValidPixels("no pixel of the target grid has a valid value in every input layer ("
                + sources.keys.map(\.rawValue).sorted().joined(separator: ", ") + "): nothing to publish; check that "
                + "the layers cover the grid and that their nodata values are right")
        }

        try RefinementPass(grid: grid, areas: areas, stripRows: stripRows, workers: options.workers)
            .run(workspace: workspace, rate: &scored.rate, loss: &scored.loss)
        lap("refining_ranks")

        // The run's own distributions are saved for other runs to score against; this run ranks against its own or
        // the configured reference (read at plan time, above).
        let ownReference = ScoreReferenceFile(runID: runID, rate: scored.rate, loss: scored.loss)
        let rateScale = reference.map { ScoreScale.reference($0.sequestration!) } ?? .run(scored.rate)
        let lossScale = reference.map { ScoreScale.reference($0.loss!) } ?? .run(scored.loss)
        let scoresReference = reference.map { "run \($0.runID) (\(config.scores.reference))" } ?? "run"
        let classes = try ClassificationPass(
            grid: grid, areas: areas, rate: rateScale, loss: lossScale,
            threshold: Float(config.model.hotspotPercentile), stripRows: stripRows, workers: options.workers,
            overviews: overviews
        ).run(workspace: workspace, report: options.progress)
        lap("classifying")

        let synthetic = sources.values.contains { $0.isSynthetic }
        let provenance = OutputWriter.Provenance(configSHA256: configHash, model: config.model,
                                                 synthetic: synthetic,
                                                 inputs: sources.values.map(\.spec.path).sorted())
        let outputs = try OutputWriter(workspace: workspace, compression: config.output, provenance: provenance,
                                       overviewsPresent: overviews != nil, classPalette: palette)
            .writeAll(workers: options.workers, report: options.progress)
        for (layer, style) in styles {
            let path = workspace.finalPath("\(layer).qml")
            do { try Data(style.utf8).write(to: URL(fileURLWithPath: path)) } catch {
                throw .output(path: path, reason: error.localizedDescription)
            }
        }
        lap("writing_cogs")

        var checksums = InputChecksums(outputDirectory: outputDirectory)
        var inputRecords: [RunRecord.Input] = []
        for source in sources.values.sorted(by: { $0.spec.role.rawValue < $1.spec.role.rawValue }) {
            inputRecords.append(try inputRecord(source, checksums: &checksums))
        }
        checksums.save()

        let statistics = Dictionary(uniqueKeysWithValues: scored.statistics.map { ($0.key.rawValue, $0.value) })
        let record = RunRecord(
            runID: runID, createdAt: ISO8601DateFormatter().string(from: Date()), config: config.file,
            configSHA256: configHash,
            grid: .init(crs: config.grid.crs, resolution: config.grid.resolution, bbox: config.grid.bbox,
                        width: grid.width, height: grid.height),
            inputs: inputRecords,
            modelName: modelName, model: config.model,
            landcoverLegend: legend.name,
            landcoverClasses: Dictionary(uniqueKeysWithValues: legend.classes.map {
                ("\($0.code)", LegendEntry(group: $0.group, label: $0.label))
            }),
            scoresReference: scoresReference,
            scoreDefinition: "100 * (area of the layer's valid pixels below the value + half the area equal to it) / their "
                + "area, over this run's pixels: the medium-scenario rate on managed land, the loss on all valid land; "
                + "water and nodata pixels are excluded; pixel areas are true ellipsoidal areas",
            outputs: outputs, statistics: statistics, hotspotClasses: classes, timingsSeconds: timings.merging(
                ["checksums_and_provenance": (Date().timeIntervalSince(clock) * 1000).rounded() / 1000]) { a, _ in a },
            software: .current, synthetic: synthetic)
        lap("checksums_and_provenance")
        do {
            try record.encoded().write(to: URL(fileURLWithPath: workspace.finalPath("run.json")))
        } catch {
            throw .output(path: workspace.finalPath("run.json"), reason: error.localizedDescription)
        }
        try ownReference.write(to: workspace.finalPath(ScoreReferenceFile.fileName))
        let directory = try workspace.publish()
        if let keep = config.output.keepRuns { workspace.prune(keeping: keep) }
        return Result(runID: runID, directory: directory, record: record)
    }

    /// 256 rows (the inputs' usual tile height and twice the warped VRTs' block height, so no block is decoded or
    /// warped by two workers), fewer for grids so wide that a strip would pass 2 Mpx; always a power of two, so that
    /// strips start on multiples of the overview factors and the workers can reduce the overviews.
    static func defaultStripRows(gridWidth: Int) -> Int {
        let fitting = max(1, min(256, (1 << 21) / max(1, gridWidth)))
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
        while FileManager.default.fileExists(atPath: (outputDirectory as NSString).appendingPathComponent(id)) {
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
