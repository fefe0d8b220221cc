import ArgumentParser
import Foundation
import HotspotConfig
import Pipeline

/// `hotspot run`: the whole run in one process, or one phase of a sharded run (`plan`, `score`, `rank`, `classify`,
/// `publish`) as a Slurm job array or a Kubernetes Indexed Job calls it.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Align the layers, score every pixel, and publish the run's COGs and run.json as 'latest'.",
        discussion: """
            With no phase: the whole run in this process (options: --config FILE, --out DIR). A run sharded over a \
            cluster is five phases with files between them in one run folder on shared storage (a path or \
            /vsis3/...): plan, score (a task per shard), rank, classify (a task per shard), publish.

            \(examples("hotspot run --config Config/hotspot.yaml",
                       "hotspot run plan --config Config/hotspot.yaml --run-dir runs/g --shards 8",
                       "hotspot run score --run-dir runs/global --shard 3",
                       "hotspot run rank --run-dir runs/global",
                       "hotspot run classify --run-dir runs/global --shard 3",
                       "hotspot run publish --run-dir runs/global --assemble"))
            """,
        subcommands: [RunAllCommand.self, RunPlanCommand.self, RunScoreCommand.self, RunRankCommand.self,
                      RunClassifyCommand.self, RunPublishCommand.self],
        defaultSubcommand: RunAllCommand.self)
}

/// Progress lines of the passes (terminals only).
func runProgress(_ progress: RunProgress) {
    var line = "\(progress.phase.rawValue): \(progress.done)/\(progress.total)"
    if progress.pixelsPerSecond > 0 { line += String(format: ", %.1f Mpx/s", progress.pixelsPerSecond / 1e6) }
    if let eta = progress.etaSeconds, progress.done < progress.total { line += String(format: ", ETA %.0f s", eta) }
    Terminal.progress(line)
}

struct RunAllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "The whole run in this process (what `hotspot run` does with no phase).",
        discussion: examples("hotspot run --config Config/hotspot.yaml", "hotspot run --out /tmp/derived"))

    @OptionGroup var common: ConfigOption

    @Option(help: "Output folder (overrides output.dir of the configuration; /vsis3/... and the like too).")
    var out: String?

    func run() throws {
        let config = try failingInOneSentence { try HotspotConfiguration.load(path: common.config) }
        let start = Date()
        let options = HotspotRun.Options(outputDirectory: out, progress: runProgress)
        try failingInOneSentence {
            let result = try HotspotRun.execute(config, options: options)
            Terminal.endProgress()
            let classes = result.record.hotspotClasses.areaKm2
            let pixels = result.record.grid.width * result.record.grid.height
            Terminal.info("run \(result.runID): \(Readable.count(pixels)) pixels in \(String(format: "%.1f", Date().timeIntervalSince(start))) s; "
                + "hotspots: sequestration \(Readable.area(classes["sequestration hotspot"] ?? 0)), "
                + "loss \(Readable.area(classes["loss hotspot"] ?? 0)), "
                + "both \(Readable.area(classes["sequestration and loss hotspot"] ?? 0)) -> \(result.directory)")
        }
    }
}

/// The run folder every phase takes.
struct RunFolderOption: ParsableArguments {
    @Option(name: .customLong("run-dir"), help: "The run's folder on shared storage (a path or /vsis3/bucket/prefix/NAME); `latest` is switched beside it.")
    var runDirectory: String
}

/// `--shard I` (or I/N), else the engine's task index.
struct ShardOption: ParsableArguments {
    @Option(help: "The shard, 0 to N-1 (or I/N); default: SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.")
    var shard: String?

    func index(runDirectory: String) throws -> Int {
        try failingInOneSentence {
            let (index, count) = try ShardedRun.shardIndex(shard)
            if let count {
                let plan = try RunPlan.load(runDirectory: runDirectory)
                guard count == plan.shards.count else {
                    throw CommandFailure("the task says \(count) shards but the run was planned with "
                                         + "\(plan.shards.count): submit the array with --array=0-\(plan.shards.count - 1)")
                }
            }
            return index
        }
    }

    /// Runs one shard's task (`score` or `classify`) and says how long it took.
    func run(_ done: String, runDirectory: String,
             _ task: (String, Int, ShardedRun.Options) throws(PipelineError) -> Void) throws {
        let index = try index(runDirectory: runDirectory)
        let start = Date()
        try failingInOneSentence {
            try task(runDirectory, index, ShardedRun.Options(progress: runProgress))
            Terminal.endProgress()
            Terminal.info("\(done) shard \(index) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        }
    }
}

struct RunPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan a sharded run: the grid, N block-aligned bands of rows, input checksums (plan.json).",
        discussion: examples("hotspot run plan --config Config/hotspot.yaml --run-dir runs/g --shards 8"))

    @OptionGroup var common: ConfigOption
    @OptionGroup var folder: RunFolderOption
    @Option(help: "Number of shards (tasks per phase).") var shards: Int

    func run() throws {
        let config = try failingInOneSentence { try HotspotConfiguration.load(path: common.config) }
        try failingInOneSentence {
            let plan = try ShardedRun.plan(config, runDirectory: folder.runDirectory, shards: shards)
            let rows = plan.shards.map { $0.rows[1] - $0.rows[0] }
            Terminal.info("planned run \(plan.runID): \(plan.width) x \(plan.height) pixels in \(plan.shards.count) "
                + "shards of \(rows.min() ?? 0) to \(rows.max() ?? 0) rows -> \(folder.runDirectory)/plan.json")
        }
    }
}

struct RunScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score one shard's rows: its rates and loss, and its exact area-weighted histograms.",
        discussion: examples("hotspot run score --run-dir runs/global --shard 3",
                             "hotspot run score --run-dir runs/global   # in a Slurm array task"))

    @OptionGroup var folder: RunFolderOption
    @OptionGroup var shard: ShardOption

    func run() throws {
        try shard.run("scored", runDirectory: folder.runDirectory, ShardedRun.score)
    }
}

struct RunRankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "Merge every shard's histograms into the run's rank tables (one task).",
        discussion: examples("hotspot run rank --run-dir runs/global"))

    @OptionGroup var folder: RunFolderOption

    func run() throws {
        let start = Date()
        try failingInOneSentence {
            try ShardedRun.rank(runDirectory: folder.runDirectory)
            Terminal.info("ranked in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        }
    }
}

struct RunClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Scores, hotspot classes and COGs of one shard's rows, with the run's rank tables.",
        discussion: examples("hotspot run classify --run-dir runs/global --shard 3"))

    @OptionGroup var folder: RunFolderOption
    @OptionGroup var shard: ShardOption

    func run() throws {
        try shard.run("classified", runDirectory: folder.runDirectory, ShardedRun.classify)
    }
}

struct RunPublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish a sharded run: a VRT mosaic per layer (or one COG with --assemble), run.json, then 'latest'.",
        discussion: examples("hotspot run publish --run-dir runs/global",
                             "hotspot run publish --run-dir runs/global --assemble"))

    @OptionGroup var folder: RunFolderOption
    @Flag(help: "Assemble one COG per layer from the shards (byte-identical to a plain run's) instead of VRT mosaics.")
    var assemble = false

    func run() throws {
        try failingInOneSentence {
            let result = try ShardedRun.publish(runDirectory: folder.runDirectory, assemble: assemble,
                                                options: ShardedRun.Options(progress: runProgress))
            Terminal.endProgress()
            Terminal.info("published run \(result.runID) (\(result.record.shards?.count ?? 1) shards) -> \(result.directory)")
        }
    }
}
