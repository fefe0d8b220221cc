import Foundation
import HotspotConfig
import HotspotModel

/// `score_reference.json`, written beside every run's `run.json`: the area-weighted distributions its scores ranked
/// against, as quantile tables, so that another run (a regional one) can score on this run's scale.
public struct ScoreReferenceFile: Codable, Sendable {
    public static let fileName = "score_reference.json"
    /// Percentiles 0, 0.01, ..., 100.
    public static let points = 10_001

    public var runID: String
    public var sequestration: QuantileTable?
    public var loss: QuantileTable?

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", sequestration = "sequestration_rate_medium", loss = "loss_expected"
    }

    init(runID: String, rate: PercentileHistogram, loss: PercentileHistogram) {
        self.runID = runID
        sequestration = rate.quantiles(count: Self.points).flatMap(QuantileTable.init(values:))
        self.loss = loss.quantiles(count: Self.points).flatMap(QuantileTable.init(values:))
    }

    /// Reads the reference named by `scores.reference`: a run folder (or `latest`) or the file itself.
    static func load(_ path: String) throws(PipelineError) -> ScoreReferenceFile {
        var isFolder: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            ? (path as NSString).appendingPathComponent(fileName) : path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .scoreReference(path: file, reason: "no such file (a run folder holds one since model v2)")
        }
        let reference: ScoreReferenceFile
        do {
            reference = try JSONDecoder().decode(ScoreReferenceFile.self, from: data)
        } catch {
            throw .scoreReference(path: file, reason: "not a score reference (\(error.localizedDescription))")
        }
        guard reference.sequestration != nil, reference.loss != nil else {
            throw .scoreReference(path: file, reason: "its run had no valid pixel to rank")
        }
        return reference
    }

    func write(to path: String) throws(PipelineError) {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(self).write(to: URL(fileURLWithPath: path))
        } catch {
            throw .output(path: path, reason: error.localizedDescription)
        }
    }
}
