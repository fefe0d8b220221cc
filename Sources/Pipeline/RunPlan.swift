import Foundation
import GeoKit
import HotspotConfig

/// `plan.json`, the first file of a sharded run's folder: the configuration as it was (its text), the grid, the
/// shards (block-aligned bands of rows) and the inputs with their checksums and stamps. Every later phase works from
/// it alone, never from today's configuration file, so a configuration edited while the tasks run changes nothing.
public struct RunPlan: Codable, Sendable {
    public static let format = "hotspot-run-plan/1"
    public static let fileName = "plan.json"

    public var format: String
    /// A digest of everything below: shards made under another plan are stale.
    public var planID: String
    public var runID: String
    public var plannedAt: String
    public var configFile: String
    public var configText: String
    public var configSHA256: String
    /// Relative layer paths are read from here, whichever folder a task starts in.
    public var workingDirectory: String
    public var width: Int
    public var height: Int
    public var stripRows: Int
    public var shards: [Band]
    public var inputs: [RunRecord.Input]
    /// Size and modification time of each input: a task that finds another is refused (the plan is out of date).
    public var stamps: [Stamp]
    /// `scores.reference`, copied into the run folder at plan time (nil when the run ranks against itself).
    public var referenceCopy: String?
    public var software: String

    /// One shard: the grid rows `[first, end)`, a whole number of strips (the last may end short).
    public struct Band: Codable, Sendable, Equatable {
        public var index: Int
        public var rows: [Int]
        public var range: Range<Int> { rows[0]..<rows[1] }
        public var isEmpty: Bool { rows[0] >= rows[1] }
    }

    public struct Stamp: Codable, Sendable, Equatable {
        public var path: String
        public var size: Int64?
        public var modified: Double?
    }

    enum CodingKeys: String, CodingKey {
        case format, planID = "plan_id", runID = "run_id", plannedAt = "planned_at", configFile = "config_file",
             configText = "config_text", configSHA256 = "config_sha256", workingDirectory = "working_directory", width,
             height, stripRows = "strip_rows", shards, inputs, stamps, referenceCopy = "reference_copy", software
    }

    /// `count` bands of whole strips, as even as strips allow: shard `i` takes strips `i*S/N ..< (i+1)*S/N`.
    static func bands(height: Int, stripRows: Int, count: Int) -> [Band] {
        let strips = (height + stripRows - 1) / stripRows
        return (0..<count).map { i in
            let first = i * strips / count, end = (i + 1) * strips / count
            return Band(index: i, rows: [min(height, first * stripRows), min(height, end * stripRows)])
        }
    }

    /// The stamp of an input now (size and time through GDAL's file system, so remote inputs have one too).
    static func stamp(_ path: String) -> Stamp {
        if Storage.isVirtual(path) { return Stamp(path: path, size: Storage.size(path), modified: nil) }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return Stamp(path: path, size: attributes?[.size] as? Int64,
                     modified: (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970)
    }

    public static func load(runDirectory: String) throws(PipelineError) -> RunPlan {
        let path = Storage.join(runDirectory, fileName)
        guard let data = Storage.read(path) else {
            throw .shards("\(runDirectory) has no plan (\(fileName)): run `hotspot run plan --config F --run-dir "
                          + "\(runDirectory) --shards N` first")
        }
        do {
            let plan = try JSONDecoder().decode(RunPlan.self, from: data)
            guard plan.format == format else { throw PipelineError.shards("") }
            return plan
        } catch {
            throw .shards("\(path) is not a plan this version of hotspot reads (\(format)): plan the run again")
        }
    }

    func encoded() throws(PipelineError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(self) } catch { throw .output(path: Self.fileName, reason: "\(error)") }
    }

    /// The configuration the run was planned with, its relative paths read from the plan's working directory.
    func configuration() throws(PipelineError) -> HotspotConfiguration {
        if FileManager.default.currentDirectoryPath != workingDirectory {
            guard FileManager.default.changeCurrentDirectoryPath(workingDirectory) else {
                throw .shards("the run was planned in \(workingDirectory), which this task cannot enter: relative "
                              + "layer paths are read from there (use absolute paths or a shared folder)")
            }
        }
        do { return try HotspotConfiguration.parse(configText, file: configFile) } catch { throw .config(error) }
    }

    /// Inputs whose size or time changed since the plan.
    func changedInputs() -> [String] {
        stamps.filter { Self.stamp($0.path) != $0 }.map(\.path)
    }
}
