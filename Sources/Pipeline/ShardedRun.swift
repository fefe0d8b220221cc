import Foundation
import GeoKit
import HotspotConfig
import HotspotModel

/// One run as phases with files between them in a run folder on shared storage (a path or an object-store prefix),
/// so that a Slurm job array or a Kubernetes Indexed Job runs each phase's tasks wherever it likes:
///
///     plan (one task) -> score (one per shard) -> rank (one) -> classify (one per shard) -> publish (one)
///
/// Each task can fail and be run again: its files go to a staging folder and are renamed (or uploaded) into place,
/// and its marker, written last, is what later phases trust. The shards' union equals the plain run bit for bit: the
/// same strips are scored by the same code, and every sum that crosses a shard is an exact integer.
public enum ShardedRun {
    public struct Options: Sendable {
        public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        /// Rows per strip (nil: the plain run's choice); shards are whole numbers of strips.
        public var stripRows: Int?
        public var progress: (@Sendable (RunProgress) -> Void)?

        public init(progress: (@Sendable (RunProgress) -> Void)? = nil) { self.progress = progress }
    }

    // MARK: plan

    /// Writes `plan.json` into `runDirectory` for `shards` shards. Planning the same configuration and inputs again
    /// is a no-op that keeps the shards already done; anything else replaces the plan and its shards' files.
    @discardableResult
    public static func plan(
        _ config: HotspotConfiguration, runDirectory: String, shards: Int, options: Options = Options()
    ) throws(PipelineError) -> RunPlan {
        RunSetup.configureGDAL()
        guard shards >= 1 else { throw .shards("--shards must be 1 or more, not \(shards)") }
        let folder = RunFolder(path: runDirectory)
        guard !folder.runID.isEmpty, folder.runID != LatestPointer.name, !folder.runID.hasPrefix(".") else {
            throw .shards("the run folder's name '\(folder.runID)' is not a run name (it names the run, beside "
                          + "`latest`): use a folder such as Rasters/derived/global-2026")
        }
        guard !Storage.exists(folder.file("run.json")) else {
            throw .shards("\(runDirectory) is a published run (it has run.json): plan into a new folder")
        }
        var setup = try RunSetup(config, stripRows: options.stripRows)
        if options.stripRows == nil {
            // Fewer strips than shards: thinner strips, down to the coarsest overview factor (so the workers still
            // reduce the overviews, as the plain run does) or 8 rows. The values do not depend on the strip height;
            // a grid thinner still leaves the last shards empty (their tasks only write their markers).
            let height = setup.grid.height
            var rows = setup.stripRows
            let floor = max(8, setup.overviews?.factors.last ?? 8)
            while (height + rows - 1) / rows < shards && rows / 2 >= floor { rows /= 2 }
            if rows != setup.stripRows { setup = try RunSetup(config, stripRows: rows) }
        }
        var checksums = InputChecksums(outputDirectory: folder.isVirtual ? NSTemporaryDirectory() : folder.parent)
        let inputs = try setup.inputRecords(checksums: &checksums)
        checksums.save()

        var referenceCopy: String?
        if let reference = setup.reference {
            referenceCopy = "reference_" + ScoreReferenceFile.fileName
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            do {
                try Storage.write(try encoder.encode(reference), to: folder.file(referenceCopy!))
            } catch {
                throw .output(path: folder.file(referenceCopy!), reason: "\(error)")
            }
        }
        var plan = RunPlan(
            format: RunPlan.format, planID: "", runID: folder.runID,
            plannedAt: ISO8601DateFormatter().string(from: Date()), configFile: config.file, configText: config.text,
            configSHA256: setup.configHash, workingDirectory: FileManager.default.currentDirectoryPath,
            width: setup.grid.width, height: setup.grid.height, stripRows: setup.stripRows,
            shards: RunPlan.bands(height: setup.grid.height, stripRows: setup.stripRows, count: shards),
            inputs: inputs, stamps: setup.sources.values.map(\.spec.path).sorted().map(RunPlan.stamp),
            referenceCopy: referenceCopy, software: "hotspot \(SoftwareVersion.hotspot), GDAL \(GDALRuntime.version)")
        // The id digests what the shards' results depend on, not when or where the plan was made.
        var identity = plan
        identity.plannedAt = ""
        identity.workingDirectory = ""
        plan.planID = Checksum.hex(of: try identity.encoded())

        if let old = try? RunPlan.load(runDirectory: runDirectory), old.planID == plan.planID { return old }
        // Another plan: what its tasks made is stale.
        Storage.removeFolder(folder.file("shards"))
        Storage.remove(folder.file(RunFolder.rankMarker))
        Storage.remove(folder.file(RunFolder.rankTable))
        try folder.write(plan, to: folder.file(RunPlan.fileName))
        return plan
    }

    // MARK: score

    /// Scores one shard's rows: its four physical rasters (intermediates) and its exact sums.
    public static func score(runDirectory: String, shard: Int, options: Options = Options()) throws(PipelineError) {
        let started = Date()
        let (plan, folder, band) = try open(runDirectory, shard: shard)
        let setup = try setup(plan, folder: folder, options: options)
        let changed = plan.changedInputs()
        guard changed.isEmpty else {
            throw .shards("input\(changed.count == 1 ? "" : "s") \(changed.joined(separator: ", ")) changed since the "
                          + "run was planned: plan it again (`hotspot run plan`), then score every shard")
        }
        // The shard's old markers go first: from here on, the shard is not done until this task says so.
        Storage.remove(folder.shardFile(shard, RunFolder.classifyMarker))
        Storage.remove(folder.shardFile(shard, RunFolder.scoreMarker))
        try Storage.makeFolderOrFail(folder.shard(shard))
        let staging = try folder.staging("score", near: folder.shard(shard))

        var result = ScoringPass.Result.empty
        if !band.isEmpty {
            result = try setup.scoringPass(rows: band.range, workers: options.workers)
                .run(work: staging.work, report: options.progress)
        }
        let sums = ShardSums.encode(result)
        do { try sums.write(to: URL(fileURLWithPath: staging.file(RunFolder.scoreSums))) } catch {
            throw .output(path: staging.file(RunFolder.scoreSums), reason: error.localizedDescription)
        }
        if !band.isEmpty {
            for layer in ScoringPass.layers {
                try staging.commit(layer.fileName, to: Intermediate.path(layer, in: folder.shardWork(shard)))
            }
        }
        try staging.commit(RunFolder.scoreSums, to: folder.shardFile(shard, RunFolder.scoreSums))
        try folder.write(ScoreMarker(planID: plan.planID, shard: shard, rows: band.rows, sumsSHA256: Checksum.hex(of: sums),
                                     task: .current(started: started)),
                         to: folder.shardFile(shard, RunFolder.scoreMarker))
    }

    // MARK: rank

    /// Merges the shards' sums into the rank tables (and resolves tie clusters exactly, reading the shards' ranked
    /// rasters once: see `BinRefinement`).
    public static func rank(runDirectory: String, options: Options = Options()) throws(PipelineError) {
        let started = Date()
        let folder = RunFolder(path: runDirectory)
        let plan = try RunPlan.load(runDirectory: runDirectory)
        let setup = try setup(plan, folder: folder, options: options)
        let markers = try scoreMarkers(plan, folder: folder)
        Storage.remove(folder.file(RunFolder.rankMarker))

        var merged = ScoringPass.Result.empty
        for marker in markers {
            let path = folder.shardFile(marker.shard, RunFolder.scoreSums)
            guard let data = Storage.read(path), Checksum.hex(of: data) == marker.sumsSHA256 else {
                throw .shards("shard \(marker.shard)'s sums (\(path)) are missing or do not match its marker: score "
                              + "shard \(marker.shard) again")
            }
            merged.merge(try ShardSums.decodeSums(data, path: path))
        }
        merged.finish()
        try setup.requireValidPixels(merged.statistics)
        let pieces = plan.shards.filter { !$0.isEmpty }.map { (work: folder.shardWork($0.index), rows: $0.range) }
        try setup.refinementPass(pieces: pieces, workers: options.workers).run(rate: &merged.rate, loss: &merged.loss)

        let table = ShardSums.encodeTables(rate: merged.rate, loss: merged.loss)
        do { try Storage.write(table, to: folder.file(RunFolder.rankTable)) } catch {
            throw .output(path: folder.file(RunFolder.rankTable), reason: error.description)
        }
        let reference = ScoreReferenceFile(runID: plan.runID, rate: merged.rate, loss: merged.loss)
        try folder.write(reference, to: folder.file(ScoreReferenceFile.fileName))
        try folder.write(RankMarker(
            planID: plan.planID, shardSums: markers.map(\.sumsSHA256), tableSHA256: Checksum.hex(of: table),
            statistics: Dictionary(uniqueKeysWithValues: merged.statistics.map { ($0.key.rawValue, $0.value) }),
            task: .current(started: started)), to: folder.file(RunFolder.rankMarker))
    }

    // MARK: classify

    /// Scores and classes of one shard's rows, then the shard's seven COGs.
    public static func classify(runDirectory: String, shard: Int, options: Options = Options()) throws(PipelineError) {
        let started = Date()
        let (plan, folder, band) = try open(runDirectory, shard: shard)
        let setup = try setup(plan, folder: folder, options: options)
        let (rank, tables) = try rankTables(plan, folder: folder)
        guard let scored = try folder.marker(ScoreMarker.self, at: folder.shardFile(shard, RunFolder.scoreMarker)),
              scored.planID == plan.planID, scored.sumsSHA256 == rank.shardSums[shard] else {
            throw .shards("shard \(shard) was scored again after `hotspot run rank`, or not under this plan: run rank "
                          + "again, then classify")
        }
        Storage.remove(folder.shardFile(shard, RunFolder.classifyMarker))
        let staging = try folder.staging("classify", near: folder.isVirtual ? NSTemporaryDirectory() : folder.shard(shard))

        var tally = ClassTally()
        var outputs: [String: RunRecord.Output] = [:]
        if !band.isEmpty {
            // The passes read and update the intermediates (the COG writer sets their metadata): a local run folder's
            // in place, an object store's copied here first.
            let work = folder.isVirtual ? staging.work : folder.shardWork(shard)
            if folder.isVirtual {
                for layer in ScoringPass.layers {
                    do {
                        try Storage.copy(Intermediate.path(layer, in: folder.shardWork(shard)),
                                         to: Intermediate.path(layer, in: work))
                    } catch {
                        throw .output(path: Intermediate.path(layer, in: work), reason: error.description)
                    }
                }
            }
            let classes = setup.classificationPass(rows: band.range, rate: tables.rate, loss: tables.loss,
                                                   workers: options.workers)
            tally = try classes.run(work: work, report: options.progress)
            let cogs = try Staging.folder(staging, "cogs")
            outputs = try setup.outputWriter(work: work, destination: cogs)
                .writeAll(workers: options.workers, report: options.progress)
            // The classes' intermediates are what `publish --assemble` builds the whole layers from.
            if folder.isVirtual {
                for layer in [OutputLayer.sequestrationScore, .lossScore, .hotspotClass] {
                    try staging.commit(layer.fileName, to: Intermediate.path(layer, in: folder.shardWork(shard)))
                }
            }
            for layer in OutputLayer.allCases {
                try staging.commit("cogs/" + layer.fileName, to: folder.shardFile(shard, layer.fileName))
            }
        }
        try folder.write(ClassifyMarker(planID: plan.planID, shard: shard, tableSHA256: rank.tableSHA256, classes: tally,
                                        outputs: outputs, task: .current(started: started)),
                         to: folder.shardFile(shard, RunFolder.classifyMarker))
    }

    // MARK: publish

    public struct Published: Sendable {
        public var runID: String
        public var directory: String
        public var record: RunRecord
    }

    /// Checks that every shard is classified under the current rank tables, writes the layers (VRT mosaics, or
    /// COGs with `assemble`), the styles and `run.json`, then points `latest` beside the folder at the run.
    public static func publish(runDirectory: String, assemble: Bool, options: Options = Options())
        throws(PipelineError) -> Published {
        let started = Date()
        let folder = RunFolder(path: runDirectory)
        let plan = try RunPlan.load(runDirectory: runDirectory)
        if let data = Storage.read(folder.file("run.json")),
           let record = try? JSONDecoder().decode(RunRecord.self, from: data) {
            // Published already (a repeated task): `latest` is switched again, nothing else is redone.
            try LatestPointer.point(folder.parent, at: plan.runID)
            return Published(runID: plan.runID, directory: runDirectory, record: record)
        }
        let setup = try setup(plan, folder: folder, options: options)
        let (rank, _) = try rankTables(plan, folder: folder, decode: false)
        let scored = try scoreMarkers(plan, folder: folder)
        var problems: [String] = []
        var classified: [ClassifyMarker] = []
        for band in plan.shards {
            let marker = try folder.marker(ClassifyMarker.self, at: folder.shardFile(band.index, RunFolder.classifyMarker))
            guard let marker, marker.planID == plan.planID else {
                problems.append("shard \(band.index) is not classified")
                continue
            }
            guard marker.tableSHA256 == rank.tableSHA256, scored[band.index].sumsSHA256 == rank.shardSums[band.index] else {
                problems.append("shard \(band.index) is stale (classified before the last rank)")
                continue
            }
            if let missing = marker.outputs.values.first(where: { !Storage.exists(folder.shardFile(band.index, $0.file)) }) {
                problems.append("shard \(band.index) lost \(missing.file)")
                continue
            }
            classified.append(marker)
        }
        guard problems.isEmpty else {
            throw .shards("cannot publish \(plan.runID): " + problems.joined(separator: "; ")
                          + " (run `hotspot run classify --run-dir \(runDirectory) --shard I` for "
                          + (problems.count == 1 ? "it" : "each") + "; `latest` is unchanged)")
        }
        var tally = ClassTally()
        for marker in classified { tally.add(marker.classes) }
        let statistics = try rankStatistics(rank)

        let mosaic = RunMosaic(setup: setup, plan: plan, folder: folder,
                               writer: setup.outputWriter(work: WorkFolder(path: ""), destination: ""))
        var outputs: [String: RunRecord.Output] = [:]
        if assemble {
            let staging = try folder.staging("publish", near: folder.isVirtual ? NSTemporaryDirectory() : folder.path)
            for layer in OutputLayer.allCases {
                let work = try Staging.folder(staging, "work")
                try mosaic.assembleIntermediate(layer, into: WorkFolder(path: work))
                let cogs = try Staging.folder(staging, "cogs")
                let output = try setup.outputWriter(work: WorkFolder(path: work), destination: cogs).write(layer)
                Storage.remove(Intermediate.path(layer, in: WorkFolder(path: work)))
                try staging.commit("cogs/" + layer.fileName, to: folder.file(layer.fileName))
                outputs[layer.rawValue] = output
                options.progress?(RunProgress(phase: .writingCOGs, done: outputs.count, total: OutputLayer.allCases.count,
                                              pixelsPerSecond: 0, etaSeconds: nil))
            }
        } else {
            for layer in OutputLayer.allCases {
                // The overview mosaics first, the main one (which names them) last.
                let files = try mosaic.vrts(layer)
                for (name, text) in files.reversed() {
                    do { try Storage.write(Data(text.utf8), to: folder.file(name)) } catch {
                        throw .output(path: folder.file(name), reason: error.description)
                    }
                }
                let data = Data(files[0].text.utf8)
                outputs[layer.rawValue] = RunRecord.Output(
                    file: files[0].name, units: layer.units, description: layer.description, noData: layer.noData,
                    sizeBytes: Int64(data.count), sha256: Checksum.hex(of: data))
            }
        }
        try setup.writeStyles(into: folder.path)
        // The polygons are made in a local folder (a GeoPackage needs random writes) and then moved or uploaded.
        let polygonStaging = try folder.staging("polygons", near: folder.isVirtual ? NSTemporaryDirectory() : folder.path)
        let polygons = try setup.hotspotPolygons(outputs: outputs, folder: folder.path).write(into: polygonStaging.path)
        for file in polygons.files.values { try polygonStaging.commit(file.file, to: folder.file(file.file)) }

        let shards = plan.shards.map { band in
            RunRecord.Shard(index: band.index, rows: band.rows, scoredBy: scored[band.index].task,
                            classifiedBy: classified.first { $0.shard == band.index }?.task)
        }
        let scoring = scored.map(\.task.seconds).reduce(0, +), classifying = classified.map(\.task.seconds).reduce(0, +)
        var record = setup.record(
            runID: plan.runID, inputs: plan.inputs, outputs: outputs, statistics: statistics,
            classes: tally.statistics,
            timings: ["scoring_tasks_total": scoring, "ranking": rank.task.seconds,
                      "classifying_tasks_total": classifying,
                      "publishing": (Date().timeIntervalSince(started) * 1000).rounded() / 1000],
            shards: shards)
        record.hotspotPolygons = polygons
        do {
            try Storage.write(try record.encoded(), to: folder.file("run.json"))
        } catch {
            throw .output(path: folder.file("run.json"), reason: "\(error)")
        }
        try LatestPointer.point(folder.parent, at: plan.runID)
        // What no answer reads any more: the intermediates, and with assembled layers the shards' COGs too.
        for band in plan.shards {
            Storage.removeFolder(folder.shardWork(band.index).path)
            if assemble {
                for layer in OutputLayer.allCases { Storage.remove(folder.shardFile(band.index, layer.fileName)) }
            }
        }
        Storage.remove(folder.file(RunFolder.rankTable))
        return Published(runID: plan.runID, directory: runDirectory, record: record)
    }

    /// The shard index of a task: `--shard I` (or `I/N`), else the engine's (Slurm's `SLURM_ARRAY_TASK_ID`,
    /// Kubernetes' `JOB_COMPLETION_INDEX`).
    public static func shardIndex(_ argument: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(PipelineError) -> (index: Int, count: Int?) {
        if let argument {
            let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let index = Int(parts[0]), index >= 0,
                  parts.count == 1 || Int(parts[1]).map({ $0 > index }) == true else {
                throw .shards("--shard must be I or I/N with 0 <= I < N (e.g. --shard 3 or --shard 3/8), not '\(argument)'")
            }
            return (index, parts.count == 2 ? Int(parts[1]) : nil)
        }
        for key in ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"] {
            if let value = environment[key] {
                guard let index = Int(value), index >= 0 else {
                    throw .shards("\(key) is '\(value)', not a shard index (0 or more)")
                }
                return (index, key == "SLURM_ARRAY_TASK_ID" ? environment["SLURM_ARRAY_TASK_COUNT"].flatMap { Int($0) } : nil)
            }
        }
        throw .shards("no shard given: pass --shard I, or run the task in a Slurm job array (SLURM_ARRAY_TASK_ID) "
                      + "or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)")
    }

    // MARK: helpers

    private static func open(_ runDirectory: String, shard: Int) throws(PipelineError)
        -> (RunPlan, RunFolder, RunPlan.Band) {
        let plan = try RunPlan.load(runDirectory: runDirectory)
        guard plan.shards.indices.contains(shard) else {
            throw .shards("the run has \(plan.shards.count) shard\(plan.shards.count == 1 ? "" : "s") (0 to "
                          + "\(plan.shards.count - 1)): there is no shard \(shard)")
        }
        return (plan, RunFolder(path: runDirectory), plan.shards[shard])
    }

    private static func setup(_ plan: RunPlan, folder: RunFolder, options: Options) throws(PipelineError) -> RunSetup {
        RunSetup.configureGDAL()
        let setup = try RunSetup(try plan.configuration(), stripRows: plan.stripRows,
                                 referencePath: plan.referenceCopy.map { folder.file($0) }.map(localCopy))
        guard setup.grid.width == plan.width, setup.grid.height == plan.height else {
            throw .shards("the plan's grid (\(plan.width) x \(plan.height)) is not the one its configuration makes: plan again")
        }
        return setup
    }

    /// `ScoreReferenceFile.load` reads local files: an object is copied to the temporary folder first.
    private static func localCopy(_ path: String) -> String {
        guard Storage.isVirtual(path), let data = Storage.read(path) else { return path }
        let local = (NSTemporaryDirectory() as NSString).appendingPathComponent("hotspot-reference-\(getpid()).json")
        try? data.write(to: URL(fileURLWithPath: local))
        return local
    }

    /// Every shard's score marker under this plan, by index; the missing or stale ones named in one error.
    private static func scoreMarkers(_ plan: RunPlan, folder: RunFolder) throws(PipelineError) -> [ScoreMarker] {
        var markers: [ScoreMarker] = [], missing: [Int] = [], stale: [Int] = []
        for band in plan.shards {
            guard let marker = try folder.marker(ScoreMarker.self, at: folder.shardFile(band.index, RunFolder.scoreMarker)) else {
                missing.append(band.index)
                continue
            }
            guard marker.planID == plan.planID, marker.rows == band.rows else {
                stale.append(band.index)
                continue
            }
            markers.append(marker)
        }
        guard missing.isEmpty && stale.isEmpty else {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("shard\(missing.count == 1 ? "" : "s") \(list(missing)) not scored") }
            if !stale.isEmpty { parts.append("shard\(stale.count == 1 ? "" : "s") \(list(stale)) scored under another plan") }
            throw .shards("run \(plan.runID) of \(plan.shards.count) shards: " + parts.joined(separator: " and ")
                          + " (run `hotspot run score --run-dir \(folder.path) --shard I` for "
                          + (missing.count + stale.count == 1 ? "it" : "each") + ")")
        }
        return markers
    }

    private static func list(_ indices: [Int]) -> String {
        indices.count <= 8 ? indices.map(String.init).joined(separator: ", ")
            : indices.prefix(8).map(String.init).joined(separator: ", ") + " and \(indices.count - 8) more"
    }

    private static func rankTables(_ plan: RunPlan, folder: RunFolder, decode: Bool = true) throws(PipelineError)
        -> (RankMarker, (rate: PercentileHistogram, loss: PercentileHistogram)) {
        guard let rank = try folder.marker(RankMarker.self, at: folder.file(RunFolder.rankMarker)),
              rank.planID == plan.planID else {
            throw .shards("run \(plan.runID) is not ranked under its plan: run `hotspot run rank --run-dir "
                          + "\(folder.path)` once every shard is scored")
        }
        guard decode else { return (rank, (PercentileHistogram(), PercentileHistogram())) }
        let path = folder.file(RunFolder.rankTable)
        guard let data = Storage.read(path), Checksum.hex(of: data) == rank.tableSHA256 else {
            throw .shards("the rank tables (\(path)) are missing or do not match rank.json: run `hotspot run rank` again")
        }
        return (rank, try ShardSums.decodeTables(data, path: path))
    }

    private static func rankStatistics(_ rank: RankMarker) throws(PipelineError) -> [OutputLayer: LayerStatistics] {
        var out: [OutputLayer: LayerStatistics] = [:]
        for (key, value) in rank.statistics {
            guard let layer = OutputLayer(rawValue: key) else { throw .shards("rank.json names an unknown layer \(key)") }
            out[layer] = value
        }
        return out
    }
}

extension Staging {
    /// A sub-folder of a staging folder (made when missing).
    static func folder(_ staging: Staging, _ name: String) throws(PipelineError) -> String {
        let path = staging.file(name)
        try Storage.makeFolderOrFail(path)
        return path
    }
}

extension Storage {
    static func makeFolderOrFail(_ path: String) throws(PipelineError) {
        do { try makeFolder(path) } catch { throw .output(path: path, reason: error.description) }
    }
}
