import Foundation
import GeoKit
import HotspotConfig
import Logging
import Pipeline
import RunReader
import Synchronization
import ServiceLifecycle

/// The run being served and its tiles; replaced when a new run is published as `latest`. A request takes the current
/// `Snapshot` once and keeps it, so an answer never mixes two runs and answers that started on the old run finish on
/// it (the old run's handles close when its last request lets go of it).
public final class ServedRun: Sendable {
    public struct Snapshot: Sendable {
        public let run: RunReader
        let tiles: RunTiles
    }

    /// The run served, or why none could be opened.
    private let state = Mutex<(snapshot: Snapshot?, failure: String?)>((nil, nil))
    let latestPath: String
    let configuration: HotspotConfiguration
    let tilesDirectory: String
    /// Tiles rendered on demand and clipped downloads, bounded by `server.tile_cache_mb` and `tile_cache_files`.
    let cache: DiskCache
    let logger: Logger

    public init(configuration: HotspotConfiguration, latestPath: String, tilesDirectory: String, cacheDirectory: String,
                logger: Logger) {
        self.configuration = configuration
        self.latestPath = latestPath
        self.tilesDirectory = tilesDirectory
        cache = DiskCache(root: cacheDirectory, maxBytes: configuration.server.tileCacheMegabytes << 20,
                          maxFiles: configuration.server.tileCacheFiles)
        self.logger = logger
        reloadIfChanged()
    }

    /// The run to answer from, or a 503 problem when there is none yet.
    public func current() throws(ReadError) -> Snapshot {
        let (snapshot, failure) = state.withLock { ($0.snapshot, $0.failure) }
        guard let snapshot else { throw .noRun(failure ?? "no run has been published yet: run `hotspot run`") }
        return snapshot
    }

    /// Opens the run `latest` points to if it is not the one served; keeps the old one when the new one cannot be
    /// opened. Returns whether the run changed.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        let resolved = LatestPointer.resolve(latestPath)
        if state.withLock({ $0.snapshot?.run.directory == resolved }) { return false }
        do {
            let run = try RunReader(directory: resolved)
            let tiles = try RunTiles(run: run, configuration: configuration, tilesDirectory: tilesDirectory,
                                     cache: cache)
            state.withLock { $0 = (Snapshot(run: run, tiles: tiles), nil) }
            sizeBlockCache(for: run)
            // The cache of a run no longer served is never asked for again.
            cache.keepOnly(run: run.runID)
            logger.info("serving run \(run.runID) from \(resolved); pre-rendered tiles: \(tiles.onDisk.sorted())")
            return true
        } catch {
            state.withLock { if $0.snapshot == nil { $0.failure = "\(error)" } }
            logger.warning("cannot open the run at \(latestPath): \(error)")
            return false
        }
    }

    /// GDAL's block cache holds the run's decoded blocks for two sets of read handles (points on the request
    /// threads, batches on their own), between 1 GiB and a quarter of the machine's memory, unless GDAL_CACHEMAX or
    /// `server.block_cache_mb` says. Smaller, every reader evicts the others' blocks and decodes them again: on the
    /// demo run (1.5 GB decoded) one batch beside 128 point connections cut points from 1,600 to 100 req/s.
    private func sizeBlockCache(for run: RunReader) {
        guard ProcessInfo.processInfo.environment["GDAL_CACHEMAX"] == nil else { return }
        let megabytes = configuration.server.blockCacheMegabytes ?? Self.blockCacheMegabytes(
            decodedBytes: run.decodedBytes, physicalMemory: Int(ProcessInfo.processInfo.physicalMemory))
        GDALRuntime.setCacheMax(megabytes: megabytes)
        logger.info("GDAL block cache: \(megabytes) MiB")
    }

    static func blockCacheMegabytes(decodedBytes: Int, physicalMemory: Int) -> Int {
        let wanted = 2 * decodedBytes >> 20, ceiling = max(1024, physicalMemory >> 22)  // a quarter, in MiB
        return min(max(1024, wanted), ceiling)
    }

    /// Watches `latest` (a cheap readlink every `interval`) until the task is cancelled.
    func watch(every interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            reloadIfChanged()
        }
    }
}

/// Runs the `latest` watcher for as long as the application runs.
struct WatchService: Service {
    let served: ServedRun

    func run() async throws {
        // Shutdown (SIGINT, SIGTERM) cancels the loop, so the process exits.
        await cancelWhenGracefulShutdown { await served.watch() }
    }
}
