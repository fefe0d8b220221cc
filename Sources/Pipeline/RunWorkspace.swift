import Foundation
import GeoKit

/// The folder a run writes into before it is published: `<output>/.partial-<run-id>/`, holding the final COGs and a
/// `work/` folder of uncompressed intermediate rasters. Removed on failure, so nothing half-written is ever visible.
final class RunWorkspace {
    let outputDirectory: String
    let runID: String
    let directory: String
    let work: String
    private var published = false

    /// The output folder's lock (`.run.lock`, flock'ed while the run lives; the kernel drops it if the process dies).
    private let lockDescriptor: Int32

    init(outputDirectory: String, runID: String) throws(PipelineError) {
        self.outputDirectory = outputDirectory
        self.runID = runID
        directory = (outputDirectory as NSString).appendingPathComponent(".partial-\(runID)")
        work = (directory as NSString).appendingPathComponent("work")
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw .output(path: outputDirectory, reason: "cannot create the output folder (\(error.localizedDescription))")
        }
        lockDescriptor = try Self.lock(outputDirectory)
        // Holding the lock, every `.partial-*` folder left here is a dead run's (killed, or the machine stopped).
        Self.removeStalePartials(in: outputDirectory)
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        } catch {
            close(lockDescriptor)
            throw .output(path: outputDirectory, reason: "cannot create the run folder (\(error.localizedDescription))")
        }
    }

    deinit {
        if !published { try? FileManager.default.removeItem(atPath: directory) }
        close(lockDescriptor)
    }

    /// One run at a time per output folder: a second one is refused, naming the first one's process.
    private static func lock(_ outputDirectory: String) throws(PipelineError) -> Int32 {
        let path = (outputDirectory as NSString).appendingPathComponent(".run.lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .output(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw .busy(path: outputDirectory, reason: "another hotspot run (pid \(holder.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown")) "
                        + "is writing into this folder: wait for it to finish")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return fd
    }

    private static func removeStalePartials(in outputDirectory: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outputDirectory)) ?? []
        for name in names where name.hasPrefix(".partial-") {
            try? FileManager.default.removeItem(atPath: (outputDirectory as NSString).appendingPathComponent(name))
        }
    }

    /// Removes published runs beyond the newest `keep` (run ids sort by time); never the one `latest` names.
    func prune(keeping keep: Int) {
        let fm = FileManager.default
        let latest = (try? fm.destinationOfSymbolicLink(atPath: (outputDirectory as NSString).appendingPathComponent("latest")))
        let runs = ((try? fm.contentsOfDirectory(atPath: outputDirectory)) ?? []).filter { name in
            !name.hasPrefix(".") && name != "latest"
                && fm.fileExists(atPath: (outputDirectory as NSString).appendingPathComponent(name + "/run.json"))
        }.sorted(by: >)
        for name in runs.dropFirst(keep) where name != latest {
            try? fm.removeItem(atPath: (outputDirectory as NSString).appendingPathComponent(name))
        }
    }

    var workFolder: WorkFolder { WorkFolder(path: work) }
    func finalPath(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Renames the finished folder to `<output>/<run-id>` and points `<output>/latest` at it, each step atomic.
    func publish() throws(PipelineError) -> String {
        let fm = FileManager.default
        do {
            try fm.removeItem(atPath: work)
        } catch {
            throw .output(path: work, reason: error.localizedDescription)
        }
        let final = (outputDirectory as NSString).appendingPathComponent(runID)
        guard rename(directory, final) == 0 else {
            throw .output(path: final, reason: String(cString: strerror(errno)))
        }
        published = true
        try LatestPointer.point(outputDirectory, at: runID)
        return final
    }
}

/// A folder of uncompressed intermediate rasters that the passes hand each other: a run's `work/`, or a shard's.
struct WorkFolder: Sendable {
    let path: String

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// An uncompressed striped GeoTIFF for intermediate values: the fastest to write and to read back.
    /// With `overviews`, it also gets empty overview levels that the passes fill.
    func createIntermediate(_ name: String, grid: Grid, type: PixelType, noData: Double,
                            overviews: OverviewPlan? = nil) throws(PipelineError) -> Dataset {
        let path = file(name)
        do {
            let dataset = try Dataset(creating: path, grid: grid, bands: 1, type: type,
                                      options: ["BLOCKYSIZE": "128", "BIGTIFF": "IF_SAFER", "INTERLEAVE": "BAND"])
            try dataset.band(1).setNoDataValue(noData)
            if let overviews, !overviews.factors.isEmpty { try dataset.createEmptyOverviews(factors: overviews.factors) }
            return dataset
        } catch {
            throw .output(path: path, reason: error.description)
        }
    }
}
