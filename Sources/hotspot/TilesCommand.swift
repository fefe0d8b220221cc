import ArgumentParser
import Foundation
import GeoKit
import HotspotConfig
import Pipeline
import Tiling

struct TilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiles",
        abstract: "Make XYZ Web Mercator tile pyramids, TileJSON and legends of the latest run (resumable).",
        discussion: examples("hotspot tiles --config Config/hotspot.yaml", "hotspot tiles --config Config/hotspot.yaml --package mbtiles",
                             "hotspot tiles --config g.yaml --shard 3/8", "hotspot tiles --config g.yaml --merge"))

    @OptionGroup var common: ConfigOption

    @Option(help: "Layers, comma-separated (default: sequestration_score,loss_score,hotspot_class).")
    var layers: String?

    @Option(help: "Zoom range MIN-MAX (default: tiles.zoom of the configuration).")
    var zoom: String?

    @Option(help: "Tile format: png or webp (default: tiles.format).")
    var format: ImageEncoder.Format?

    @Option(help: "Also write a single-file package per layer: mbtiles (MBTiles 1.3) or pmtiles (PMTiles v3).")
    var package: PackageKind?

    enum PackageKind: String, ExpressibleByArgument, CaseIterable {
        case mbtiles, pmtiles
    }

    @Option(name: .customLong("run"), help: "The run to tile (default: <output.dir>/latest).")
    var runPath: String?

    @Option(help: "Output folder (default: tiles.dir).")
    var out: String?

    @Option(help: ArgumentHelp("Make one share of the pyramids, shard I of N (tile ranges at a split zoom); "
                               + "'--merge' ends them.", valueName: "I/N"))
    var shard: String?

    @Flag(help: "After every shard: make the zooms above the split, then TileJSON, legends and packages.")
    var merge = false

    @Option(help: ArgumentHelp("Stop after this many tiles per layer, as an interruption would (for tests).",
                               visibility: .hidden))
    var stopAfter: Int?

    func validate() throws {
        if shard != nil, merge { throw ValidationError("--shard and --merge are separate steps: pass one of them") }
        if let shard, (try? partition(shard)) == nil { throw ValidationError(TilingError.badShard(shard).description) }
        if let zoom {
            do { _ = try TileJob.zoomRange(zoom) } catch { throw ValidationError(error.description) }
        }
    }

    func run() throws {
        try failingInOneSentence { try make() }
    }

    func make() throws {
        let config = try HotspotConfiguration.load(path: common.config)
        let runDirectory = LatestPointer.resolve(runPath ?? Storage.join(config.output.dir, LatestPointer.name))
        guard let data = Storage.read(Storage.join(runDirectory, "run.json")),
              let record = try? JSONDecoder().decode(RunRecord.self, from: data) else {
            throw TilingError.noRun(runDirectory)
        }
        let known = TileJob.defaultLayers.map(\.layer)
        let names = layers?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            ?? ["sequestration_score", "loss_score", "hotspot_class"]
        for name in names where !known.contains(name) { throw TilingError.unknownLayer(name, known: known) }
        let zooms = try zoom.map { try TileJob.zoomRange($0) } ?? (config.tiles.zoom[0]...config.tiles.zoom[1])
        let imageFormat = format ?? ImageEncoder.Format(rawValue: config.tiles.format) ?? .png
        let outputDirectory = out ?? config.tiles.dir
        try checkWritable(outputDirectory)
        var viewerLayers: [(String, String, Int, String)] = []
        for name in names {
            guard let output = record.outputs[name] else { throw TilingError.noRun(runDirectory + "/" + name + ".tif") }
            let job = try TileJob.forLayer(
                name, configuration: config, runID: record.runID, sourcePath: runDirectory + "/" + output.file,
                sourceSHA256: output.sha256, description: output.description, attribution: record.attribution,
                format: imageFormat, zooms: zooms, outputDirectory: outputDirectory)
            let ramp = job.ramp
            let partition: TilePartition? = try shard.map { try self.partition($0) } ?? (merge ? .merge : nil)
            let summary = try TilePyramid.generate(job, partition: partition, stopAfter: stopAfter, progress: { p in
                var line = "\(p.layer): \(p.done)/\(p.total) tiles, \(String(format: "%.0f", p.tilesPerSecond)) tiles/s"
                if let eta = p.etaSeconds, p.done < p.total { line += String(format: ", ETA %.0f s", eta) }
                Terminal.progress(line)
            })
            Terminal.endProgress()
            if summary.upToDate {
                Terminal.info("\(name): up to date (\(summary.tiles.count) tiles from run \(record.runID))")
            } else {
                Terminal.info(String(format: "%@: %d tiles written, %d empty skipped, %d already there, in %.1f s (%.0f tiles/s)",
                                     name, summary.written, summary.empty, summary.alreadyThere, summary.seconds,
                                     summary.tilesPerSecond))
            }
            if let stopAfter, !summary.upToDate, summary.written + summary.empty + summary.alreadyThere >= stopAfter {
                Terminal.info("\(name): stopped after \(stopAfter) tiles; run again to finish")
                continue
            }
            // A shard's share is done; TileJSON, legend and packages wait for the merge.
            if shard != nil { continue }
            let tileJSON = TileJSON(job: job, bounds: summary.bounds)
            do {
                try tileJSON.encoded().write(to: URL(fileURLWithPath: job.layerDirectory + "/tilejson.json"), options: .atomic)
                try Legend.png(for: ramp, title: ramp.spec.name)
                    .write(to: URL(fileURLWithPath: job.layerDirectory + "/legend.png"), options: .atomic)
            } catch {
                throw TilingError.unwritable(path: job.layerDirectory, reason: "\(error)")
            }
            if let package {
                let path = package == .pmtiles
                    ? try TilePackage.writePMTiles(job: job, tiles: summary.tiles, tileJSON: tileJSON)
                    : try TilePackage.writeMBTiles(job: job, tiles: summary.tiles, tileJSON: tileJSON)
                Terminal.info("\(name): packaged \(summary.tiles.count) tiles into \(path)")
            }
            viewerLayers.append((name, ramp.spec.name, zooms.upperBound, imageFormat.rawValue))
        }
        if shard != nil {
            Terminal.info("shard \(shard!) done: once every shard is, run 'hotspot tiles --merge' with the same options")
        } else if !viewerLayers.isEmpty {
            try Viewer.write(to: outputDirectory, layers: viewerLayers)
        }
    }

    func partition(_ text: String) throws(TilingError) -> TilePartition {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let index = parts[0], let count = parts[1], index >= 0, index < count else {
            throw .badShard(text)
        }
        return .shard(index: index, count: count)
    }

    func checkWritable(_ directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let probe = (directory as NSString).appendingPathComponent(".write-test-\(getpid())")
            try Data().write(to: URL(fileURLWithPath: probe))
            try FileManager.default.removeItem(atPath: probe)
        } catch {
            throw TilingError.unwritable(path: directory, reason: (error as NSError).localizedFailureReason
                ?? error.localizedDescription)
        }
    }
}
