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

    init(outputDirectory: String, runID: String) throws(PipelineError) {
        self.outputDirectory = outputDirectory
        self.runID = runID
        directory = (outputDirectory as NSString).appendingPathComponent(".partial-\(runID)")
        work = (directory as NSString).appendingPathComponent("work")
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        } catch {
            throw .output(path: outputDirectory, reason: "cannot create the run folder (\(error.localizedDescription))")
        }
    }

    deinit { if !published { try? FileManager.default.removeItem(atPath: directory) } }

    func workPath(_ name: String) -> String { (work as NSString).appendingPathComponent(name) }
    func finalPath(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// An uncompressed striped GeoTIFF for intermediate values: the fastest to write and to read back.
    /// With `overviews`, it also gets empty overview levels that the passes fill.
    func createIntermediate(_ name: String, grid: Grid, type: PixelType, noData: Double,
                            overviews: OverviewPlan? = nil) throws(PipelineError) -> Dataset {
        let path = workPath(name)
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
        let latest = (outputDirectory as NSString).appendingPathComponent("latest")
        let temporary = latest + ".\(runID).tmp"
        unlink(temporary)
        guard symlink(runID, temporary) == 0, rename(temporary, latest) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .output(path: latest, reason: reason)
        }
        return final
    }
}
