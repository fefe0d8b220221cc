import Foundation
import GeoKit
import ParallelWork
import Synchronization

/// Makes one layer's XYZ pyramid on all cores: tiles rendered, coloured, encoded and written atomically (a temporary
/// name renamed into place), empty tiles skipped, an interrupted run resumed, a finished one not redone.
public enum TilePyramid {
    public struct Progress: Sendable {
        public var layer: String
        public var done: Int
        public var total: Int
        public var tilesPerSecond: Double
        public var etaSeconds: Double?
    }

    public struct Summary: Sendable {
        public var layer: String
        public var written = 0
        public var empty = 0
        public var alreadyThere = 0
        public var upToDate = false
        public var seconds = 0.0
        public var tiles: [Tile] = []
        public var bounds: (west: Double, south: Double, east: Double, north: Double) = (0, 0, 0, 0)

        public var tilesPerSecond: Double { seconds > 0 ? Double(written + empty) / seconds : 0 }
    }

    /// Generates the pyramid of `job`, or with `partition` one shard's share of it or the merge that ends a sharded
    /// pyramid. `stopAfter` ends the run early after that many tiles (as an interruption would), leaving the pyramid
    /// resumable.
    public static func generate(
        _ job: TileJob, partition: TilePartition? = nil, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        stopAfter: Int? = nil, progress report: (@Sendable (Progress) -> Void)? = nil
    ) throws(TilingError) -> Summary {
        let start = Date()
        var summary = Summary(layer: job.layer)
        let directory = job.layerDirectory
        let state = TileState(sourceSHA256: job.sourceSHA256, runID: job.runID, ramp: rampSignature(job),
                              format: job.format.rawValue, zooms: [job.zooms.lowerBound, job.zooms.upperBound],
                              complete: false)
        let renderer: TileRenderer
        do {
            renderer = try TileRenderer(path: job.sourcePath, sampling: job.sampling)
            summary.bounds = try renderer.lonLatBounds()
        } catch {
            throw .geo(error)
        }
        let all = job.zooms.flatMap { z in
            WebMercator.tiles(west: summary.bounds.west, south: summary.bounds.south, east: summary.bounds.east,
                              north: summary.bounds.north, zoom: z)
        }
        // The pyramid's folder is shared by a sharded pyramid's tasks: who resets a stale one is decided under a lock.
        let tiles: [Tile]? = try locked(job) { () throws(TilingError) -> [Tile]? in
            let previous = TileState.load(from: directory)
            let fresh = previous.map { $0.sameInputs(as: state) } ?? false
            if fresh, previous!.complete { return nil }
            var tiles = all
            switch partition {
            case .merge:
                guard fresh else { throw .shardsMissing(path: directory, missing: [], count: 0) }
                let (count, missing) = TileShardMark.complete(TileShardMark.load(from: directory, matching: state))
                guard count > 0, missing.isEmpty else { throw .shardsMissing(path: directory, missing: missing, count: count) }
                tiles = TilePartition.merge.select(all, shards: count)
            case let .shard(_, count):
                tiles = partition!.select(all, shards: count)
            case nil:
                break
            }
            do {
                if !fresh {
                    // Another source, ramp, format or zoom range: the old tiles must not mix with the new ones.
                    try? FileManager.default.removeItem(atPath: directory)
                }
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                // Half-written tiles of an interrupted task; while shards run, they may be another shard's.
                if case .shard = partition {} else { try removePartialFiles(in: directory) }
                if !fresh { try state.save(to: directory) }
            } catch {
                throw .unwritable(path: directory, reason: error.localizedDescription)
            }
            return tiles
        }
        guard let tiles else {
            summary.upToDate = true
            summary.tiles = existingTiles(all, job: job)
            return summary
        }

        let limit = min(tiles.count, stopAfter ?? tiles.count)
        let results = TileResults()
        // Each worker opens its own renderer on its own thread: a handle opened here and read on a worker's thread
        // shared a published mosaic's sources with the handle another worker opened here (random
        // "TIFFReadEncodedTile() failed" on VRT-published sharded runs).
        struct Worker {
            let renderer: TileRenderer
            var made = Set<String>()
            let png = PNGEncoder(level: 6)
            var rgba: [UInt8]
        }
        try forEachIndex(count: limit, workers: workers, makeState: { () throws(TilingError) -> Worker in
            let renderer = try wrap { () throws(GeoError) in try TileRenderer(path: job.sourcePath, sampling: job.sampling) }
            return Worker(renderer: renderer, rgba: [UInt8](repeating: 0, count: renderer.tileSize * renderer.tileSize * 4))
        }, body: { (worker: inout Worker, index: Int) throws(TilingError) in
            let tile = tiles[index]
            let path = job.tilePath(tile)
            let done: Int
            if FileManager.default.fileExists(atPath: path) {
                done = results.record(tile, .alreadyThere)
            } else if let data = try wrap({ () throws(GeoError) in
                try job.image(of: tile, renderer: worker.renderer, png: worker.png, rgba: &worker.rgba)
            }) {
                try write(data, to: path, made: &worker.made)
                done = results.record(tile, .written)
            } else {
                done = results.record(tile, .empty)
            }
            let total = tiles.count
            if let report, done % 16 == 0 || done == total {
                let elapsed = Date().timeIntervalSince(start)
                report(Progress(layer: job.layer, done: done, total: total,
                                tilesPerSecond: elapsed > 0 ? Double(done) / elapsed : 0,
                                etaSeconds: done > 0 ? elapsed / Double(done) * Double(total - done) : nil))
            }
        })
        (summary.written, summary.empty, summary.alreadyThere, summary.tiles) = results.totals()
        summary.seconds = Date().timeIntervalSince(start)
        if limit == tiles.count {
            do {
                switch partition {
                case let .shard(index, count):
                    try TileShardMark(state: state, index: index, count: count, tiles: tiles.count).save(to: directory)
                case .merge:
                    summary.tiles = existingTiles(all, job: job)
                    fallthrough
                case nil:
                    var finished = state
                    finished.complete = true
                    try finished.save(to: directory)
                }
            } catch {
                throw .unwritable(path: directory, reason: error.localizedDescription)
            }
        }
        return summary
    }

    /// Runs `body` holding `Tiles/.<layer>.lock` (flock: the kernel drops it if the process dies).
    static func locked<T>(_ job: TileJob, _ body: () throws(TilingError) -> T) throws(TilingError) -> T {
        let path = (job.outputDirectory as NSString).appendingPathComponent(".\(job.layer).lock")
        try? FileManager.default.createDirectory(atPath: job.outputDirectory, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
        return try body()
    }

    static func rampSignature(_ job: TileJob) -> String {
        let spec = job.ramp.spec
        return job.rampName + ";" + spec.stops.map { "\($0.value)=\($0.color.hex)" }.joined(separator: ",")
            + spec.classes.map { "\($0.code)=\($0.color.hex)" }.joined(separator: ",")
    }

    static func wrap<T>(_ body: () throws(GeoError) -> T) throws(TilingError) -> T {
        do { return try body() } catch { throw .geo(error) }
    }

    /// Writes under a temporary name and renames: a reader (or an interrupted run) never sees half a tile.
    static func write(_ data: Data, to path: String, made: inout Set<String>) throws(TilingError) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            if !made.contains(folder) {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                made.insert(folder)
            }
            let temporary = path + ".partial"
            try data.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            throw .unwritable(path: path, reason: error.localizedDescription)
        }
    }

    /// Leftovers of an interrupted run (`*.partial`).
    static func removePartialFiles(in directory: String) throws {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return }
        for case let relative as String in walker where relative.hasSuffix(".partial") {
            try FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(relative))
        }
    }

    static func existingTiles(_ tiles: [Tile], job: TileJob) -> [Tile] {
        tiles.filter { FileManager.default.fileExists(atPath: job.tilePath($0)) }.sorted()
    }
}

/// What happened to each tile.
private final class TileResults: Sendable {
    enum Outcome { case written, empty, alreadyThere }
    private struct Counts {
        var written = 0, empty = 0, alreadyThere = 0
        var present: [Tile] = []
    }
    private let counts = Mutex(Counts())

    /// Records the tile's outcome and returns how many tiles are done.
    func record(_ tile: Tile, _ outcome: Outcome) -> Int {
        counts.withLock { counts in
            switch outcome {
            case .written: counts.written += 1; counts.present.append(tile)
            case .empty: counts.empty += 1
            case .alreadyThere: counts.alreadyThere += 1; counts.present.append(tile)
            }
            return counts.written + counts.empty + counts.alreadyThere
        }
    }

    func totals() -> (Int, Int, Int, [Tile]) {
        counts.withLock { ($0.written, $0.empty, $0.alreadyThere, $0.present.sorted()) }
    }
}
