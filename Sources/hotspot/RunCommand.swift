import ArgumentParser
import Foundation
import HotspotConfig
import Pipeline

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Align the layers, score every pixel, and publish the run's COGs and run.json as 'latest'.",
        discussion: examples("hotspot run --config Config/hotspot.yaml"))

    @OptionGroup var common: ConfigOption

    @Option(help: "Output folder (overrides output.dir of the configuration).")
    var out: String?

    func run() throws {
        let config = try failingInOneSentence { try HotspotConfiguration.load(path: common.config) }
        let start = Date()
        let options = HotspotRun.Options(outputDirectory: out, progress: { progress in
            var line = "\(progress.phase.rawValue): \(progress.done)/\(progress.total)"
            if progress.pixelsPerSecond > 0 { line += String(format: ", %.1f Mpx/s", progress.pixelsPerSecond / 1e6) }
            if let eta = progress.etaSeconds, progress.done < progress.total { line += String(format: ", ETA %.0f s", eta) }
            Terminal.progress(line)
        })
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
