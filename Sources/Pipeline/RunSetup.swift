import Foundation
import GeoKit
import HotspotConfig
import HotspotModel

/// What every phase of a run derives from its configuration alone: the target grid, the layers planned onto it,
/// pixel areas, strips, overview levels, the reference to score against and how the outputs are drawn. The plain
/// run and each phase of a sharded one build it the same way, so that they compute the same bits.
struct RunSetup {
    let config: HotspotConfiguration
    let grid: Grid
    let sources: [LayerRole: LayerSource]
    let areas: PixelAreas
    /// The distribution scores rank against when it is not the run's own.
    let reference: ScoreReferenceFile?
    let configHash: String
    let palette: [OutputWriter.PaletteEntry]
    let styles: [String: String]
    let legend: LandCoverClasses
    let stripRows: Int
    let overviews: OverviewPlan?

    /// `referencePath` overrides `scores.reference` (a sharded run reads the copy its plan made).
    init(_ config: HotspotConfiguration, stripRows: Int?, referencePath: String? = nil) throws(PipelineError) {
        self.config = config
        let (grid, targetCRS) = try HotspotRun.targetGrid(config.grid)
        self.grid = grid
        var sources: [LayerRole: LayerSource] = [:]
        for (role, spec) in config.layers.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            sources[role] = try LayerSource.plan(spec, onto: grid, targetCRS: targetCRS)
        }
        self.sources = sources
        do { areas = try PixelAreas(grid: grid) } catch { throw .grid(error) }
        // A reference to score against is checked now, not after the scoring pass.
        reference = config.scores.reference == "run"
            ? nil : try ScoreReferenceFile.load(referencePath ?? config.scores.reference)
        configHash = Checksum.hex(of: Data(config.text.utf8))
        // How GIS clients draw the outputs (the class palette in the class COG, a QGIS style beside each COG), read
        // before any work so that a missing ramp fails the run at once.
        do throws(ConfigError) {
            palette = try config.classPalette().map { .init(code: $0.code, r: $0.r, g: $0.g, b: $0.b, a: $0.a, label: $0.label) }
            styles = try config.qgisStyles()
        } catch {
            throw .config(error)
        }
        legend = config.layers[.landcover]!.classes!
        self.stripRows = stripRows ?? HotspotRun.defaultStripRows(gridWidth: grid.width)
        overviews = OverviewPlan.plan(grid: grid, stripRows: self.stripRows)
    }

    /// Sets GDAL up for a run's passes.
    static func configureGDAL() {
        GDALRuntime.initialize()
        // Bounded block cache: the passes stream, nothing gains from caching more than a few strips. 48 MB holds the
        // input tiles of the strips in flight on the demo grid as well as 64 did (same times), with 30 MB less peak.
        if ProcessInfo.processInfo.environment["GDAL_CACHEMAX"] == nil { GDALRuntime.setOption("GDAL_CACHEMAX", "48") }
    }

    func scoringPass(rows: Range<Int>, workers: Int) -> ScoringPass {
        ScoringPass(sources: sources, grid: grid, areas: areas,
                    scorer: BlockScorer(parameters: config.model, noData: OutputLayer.floatNoData), legend: legend,
                    stripRows: stripRows, workers: workers, overviews: overviews, rows: rows)
    }

    func refinementPass(pieces: [(work: WorkFolder, rows: Range<Int>)], workers: Int) -> RefinementPass {
        RefinementPass(grid: grid, areas: areas, stripRows: stripRows, workers: workers, pieces: pieces)
    }

    /// The scales scores come from: the run's own refined histograms, or the configured reference.
    func classificationPass(rows: Range<Int>, rate: PercentileHistogram, loss: PercentileHistogram, workers: Int)
        -> ClassificationPass {
        ClassificationPass(
            grid: grid, areas: areas,
            rate: reference.map { ScoreScale.reference($0.sequestration!) } ?? .run(rate),
            loss: reference.map { ScoreScale.reference($0.loss!) } ?? .run(loss),
            threshold: Float(config.model.hotspotPercentile), stripRows: stripRows, workers: workers,
            overviews: overviews, rows: rows)
    }

    var scoresReference: String {
        reference.map { "run \($0.runID) (\(config.scores.reference))" } ?? "run"
    }

    var synthetic: Bool { sources.values.contains { $0.isSynthetic } }

    func outputWriter(work: WorkFolder, destination: String) -> OutputWriter {
        let provenance = OutputWriter.Provenance(configSHA256: configHash, model: config.model, synthetic: synthetic,
                                                 inputs: sources.values.map(\.spec.path).sorted())
        return OutputWriter(work: work, destination: destination, compression: config.output, provenance: provenance,
                            overviewsPresent: overviews != nil, classPalette: palette)
    }

    /// A QGIS style beside each COG.
    func writeStyles(into folder: String) throws(PipelineError) {
        for (layer, style) in styles {
            let path = Storage.join(folder, "\(layer).qml")
            do { try Storage.write(Data(style.utf8), to: path) } catch { throw .output(path: path, reason: error.description) }
        }
    }

    /// The polygons of the class raster among `outputs` (files in `folder`), by the regions of `server.regions`.
    func hotspotPolygons(outputs: [String: RunRecord.Output], folder: String) -> HotspotPolygons {
        func path(_ layer: OutputLayer) -> String { Storage.join(folder, outputs[layer.rawValue]?.file ?? layer.fileName) }
        return HotspotPolygons(classPath: path(.hotspotClass), sequestrationScorePath: path(.sequestrationScore),
                               lossScorePath: path(.lossScore), regionsPath: config.server.regions)
    }

    /// A run with no valid pixel (an all-nodata or all-NaN layer, inputs that do not overlap) is an error, not an
    /// empty run published as `latest`.
    func requireValidPixels(_ statistics: [OutputLayer: LayerStatistics]) throws(PipelineError) {
        guard (statistics[.lossExpected]?.validPixels ?? 0) > 0 else {
            throw .noValidPixels("no pixel of the target grid has a valid value in every input layer ("
                + sources.keys.map(\.rawValue).sorted().joined(separator: ", ") + "): nothing to publish; check that "
                + "the layers cover the grid and that their nodata values are right")
        }
    }

    func inputRecords(checksums: inout InputChecksums) throws(PipelineError) -> [RunRecord.Input] {
        var records: [RunRecord.Input] = []
        for source in sources.values.sorted(by: { $0.spec.role.rawValue < $1.spec.role.rawValue }) {
            records.append(try HotspotRun.inputRecord(source, checksums: &checksums))
        }
        return records
    }

    func record(
        runID: String, inputs: [RunRecord.Input], outputs: [String: RunRecord.Output],
        statistics: [OutputLayer: LayerStatistics], classes: ClassStatistics, timings: [String: Double],
        shards: [RunRecord.Shard]? = nil
    ) -> RunRecord {
        var record = RunRecord(
            runID: runID, createdAt: ISO8601DateFormatter().string(from: Date()), config: config.file,
            configSHA256: configHash,
            grid: .init(crs: config.grid.crs, resolution: config.grid.resolution, bbox: config.grid.bbox,
                        width: grid.width, height: grid.height),
            inputs: inputs,
            modelName: HotspotRun.modelName, model: config.model,
            landcoverLegend: legend.name,
            landcoverClasses: Dictionary(uniqueKeysWithValues: legend.classes.map {
                ("\($0.code)", LegendEntry(group: $0.group, label: $0.label))
            }),
            scoresReference: scoresReference,
            scoreDefinition: "100 * (area of the layer's valid pixels below the value + half the area equal to it) / their "
                + "area, over this run's pixels: the medium-scenario rate on managed land, the loss on all valid land; "
                + "water and nodata pixels are excluded; pixel areas are true ellipsoidal areas",
            outputs: outputs,
            statistics: Dictionary(uniqueKeysWithValues: statistics.map { ($0.key.rawValue, $0.value) }),
            hotspotClasses: classes, timingsSeconds: timings, software: .current, synthetic: synthetic)
        record.shards = shards
        return record
    }
}
