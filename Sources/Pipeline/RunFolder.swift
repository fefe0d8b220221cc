import Foundation
import GeoKit
import HotspotModel

/// The layout of a sharded run's folder (a local path or an object-store prefix):
///
///     plan.json                      hotspot run plan
///     shards/0003/work/*.tif         hotspot run score --shard 3 (uncompressed intermediates), then classify
///     shards/0003/score.bin|json     the shard's exact sums, and its marker (written last)
///     rank.bin, rank.json            hotspot run rank: the merged rank tables, and their marker
///     shards/0003/*.tif              hotspot run classify --shard 3: the shard's COGs; classify.json last
///     *.vrt or *.tif, run.json       hotspot run publish [--assemble]; then `latest` beside the folder
///
/// A marker names the plan (and the rank tables) its files were made under and the digest of what it vouches for,
/// so a later phase can tell a missing or stale shard from a good one and name it.
struct RunFolder {
    let path: String

    var isVirtual: Bool { Storage.isVirtual(path) }
    var runID: String { Storage.split(path).name }
    var parent: String { Storage.split(path).parent }

    func file(_ name: String) -> String { Storage.join(path, name) }
    func shard(_ index: Int) -> String { Storage.join(path, "shards/" + String(format: "%04d", index)) }
    func shardFile(_ index: Int, _ name: String) -> String { Storage.join(shard(index), name) }
    func shardWork(_ index: Int) -> WorkFolder { WorkFolder(path: Storage.join(shard(index), "work")) }

    static let scoreSums = "score.bin", scoreMarker = "score.json", classifyMarker = "classify.json"
    static let rankTable = "rank.bin", rankMarker = "rank.json"

    /// Reads a marker; nil when there is none (a task that has not finished).
    func marker<T: Decodable>(_ type: T.Type, at path: String) throws(PipelineError) -> T? {
        guard let data = Storage.read(path) else { return nil }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw .shards("\(path) is damaged (\(error.localizedDescription)): run its task again")
        }
    }

    func write<T: Encodable>(_ value: T, to path: String) throws(PipelineError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try Storage.write(try encoder.encode(value), to: path)
        } catch let error as GeoError {
            throw .output(path: path, reason: error.description)
        } catch {
            throw .output(path: path, reason: "\(error)")
        }
    }

    /// A local folder for one task's files before they go into the run folder: inside the shard's folder when the
    /// run folder is local (so they are renamed into place), in the temporary folder when it is an object store.
    /// What a killed task left there is removed by the next one.
    func staging(_ label: String, near folder: String) throws(PipelineError) -> Staging {
        let local: String
        if isVirtual {
            local = (NSTemporaryDirectory() as NSString).appendingPathComponent("hotspot-\(runID)-\(label)-\(getpid())")
        } else {
            for name in Storage.list(folder) where name.hasPrefix(".staging-") {
                Storage.removeFolder(Storage.join(folder, name))
            }
            local = Storage.join(folder, ".staging-\(label)-\(getpid())")
        }
        do { try Storage.makeFolder(local) } catch { throw .output(path: local, reason: error.description) }
        return Staging(path: local)
    }
}

/// A task's local folder (see `RunFolder.staging`), removed when the task is done with it.
final class Staging {
    let path: String
    var work: WorkFolder { WorkFolder(path: path) }

    init(path: String) { self.path = path }

    deinit { Storage.removeFolder(path) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Moves a finished file to `target`: a rename on the same disk, an upload to an object store.
    func commit(_ name: String, to target: String) throws(PipelineError) {
        let source = file(name)
        if Storage.isVirtual(target) {
            do { try Storage.copy(source, to: target) } catch { throw .output(path: target, reason: error.description) }
            Storage.remove(source)
            return
        }
        do {
            try Storage.makeFolder((target as NSString).deletingLastPathComponent)
        } catch {
            throw .output(path: target, reason: error.description)
        }
        guard rename(source, target) == 0 else {
            throw .output(path: target, reason: String(cString: strerror(errno)))
        }
    }
}

/// Where a task ran, for `run.json`.
extension RunRecord.ShardTask {
    static func current(started: Date) -> RunRecord.ShardTask {
        let environment = ProcessInfo.processInfo.environment
        var job: String?
        if let id = environment["SLURM_ARRAY_JOB_ID"] ?? environment["SLURM_JOB_ID"] {
            job = "slurm:\(id)" + (environment["SLURM_ARRAY_TASK_ID"].map { "_\($0)" } ?? "")
        } else if let index = environment["JOB_COMPLETION_INDEX"] {
            job = "kubernetes:\(environment["HOSTNAME"] ?? "pod")#\(index)"
        }
        let formatter = ISO8601DateFormatter()
        return RunRecord.ShardTask(host: ProcessInfo.processInfo.hostName, pid: getpid(), job: job,
                                   finishedAt: formatter.string(from: Date()),
                                   seconds: (Date().timeIntervalSince(started) * 1000).rounded() / 1000,
                                   software: "hotspot \(SoftwareVersion.hotspot), GDAL \(GDALRuntime.version)")
    }
}

/// `shards/NNNN/score.json`: the shard's rows are scored and its sums are in `score.bin`.
struct ScoreMarker: Codable {
    var planID: String
    var shard: Int
    var rows: [Int]
    var sumsSHA256: String
    var task: RunRecord.ShardTask

    enum CodingKeys: String, CodingKey {
        case planID = "plan_id", shard, rows, sumsSHA256 = "sums_sha256", task
    }
}

/// `rank.json`: the rank tables in `rank.bin`, merged from the shards' sums named here.
struct RankMarker: Codable {
    var planID: String
    /// The `sums_sha256` of each shard, by index.
    var shardSums: [String]
    var tableSHA256: String
    var statistics: [String: LayerStatistics]
    var task: RunRecord.ShardTask

    enum CodingKeys: String, CodingKey {
        case planID = "plan_id", shardSums = "shard_sums", tableSHA256 = "table_sha256", statistics, task
    }
}

/// `shards/NNNN/classify.json`: the shard's COGs, made with the rank tables named here.
struct ClassifyMarker: Codable {
    var planID: String
    var shard: Int
    var tableSHA256: String
    var classes: ClassTally
    var outputs: [String: RunRecord.Output]
    var task: RunRecord.ShardTask

    enum CodingKeys: String, CodingKey {
        case planID = "plan_id", shard, tableSHA256 = "table_sha256", classes, outputs, task
    }
}

/// The binary files: a shard's exact sums and the merged rank tables.
enum ShardSums {
    static let sumsMagic = "HOTSPOT-SHARD-SUMS/1\n", tableMagic = "HOTSPOT-RANK-TABLE/1\n"

    static func encode(_ result: ScoringPass.Result) -> Data {
        var writer = ByteWriter(magic: sumsMagic)
        result.rate.encode(into: &writer)
        result.loss.encode(into: &writer)
        for layer in ScoringPass.layers {
            let s = result.statistics[layer]!
            writer.put(Int64(s.validPixels))
            writer.put(s.areaUnits)
            writer.put(UInt64(truncatingIfNeeded: s.weightedUnits))
            writer.put(Int64(truncatingIfNeeded: s.weightedUnits >> 64))
            writer.put(s.min)
            writer.put(s.max)
        }
        return writer.data
    }

    static func decodeSums(_ data: Data, path: String) throws(PipelineError) -> ScoringPass.Result {
        do throws(ByteReader.Malformed) {
            var reader = try ByteReader(data, magic: sumsMagic)
            var result = ScoringPass.Result.empty
            result.rate = try PercentileHistogram(from: &reader)
            result.loss = try PercentileHistogram(from: &reader)
            for layer in ScoringPass.layers {
                var s = LayerStatistics()
                s.validPixels = Int(try reader.get(Int64.self))
                s.areaUnits = try reader.get()
                let low = try reader.get(UInt64.self), high = try reader.get(Int64.self)
                s.weightedUnits = Int128(high) << 64 | Int128(low)
                s.min = try reader.getDouble()
                s.max = try reader.getDouble()
                result.statistics[layer] = s
            }
            return result
        } catch {
            throw .shards("\(path) is damaged (\(error.description)): score the shard again")
        }
    }

    static func encodeTables(rate: PercentileHistogram, loss: PercentileHistogram) -> Data {
        var writer = ByteWriter(magic: tableMagic)
        for histogram in [rate, loss] {
            histogram.encode(into: &writer)
            if let refinement = histogram.installedRefinement {
                writer.put(UInt8(1))
                refinement.encode(into: &writer)
            } else {
                writer.put(UInt8(0))
            }
        }
        return writer.data
    }

    /// The rank tables as the plain run holds them after its refinement pass: finalized, refinements installed.
    static func decodeTables(_ data: Data, path: String) throws(PipelineError)
        -> (rate: PercentileHistogram, loss: PercentileHistogram) {
        do throws(ByteReader.Malformed) {
            var reader = try ByteReader(data, magic: tableMagic)
            var tables: [PercentileHistogram] = []
            for _ in 0..<2 {
                var histogram = try PercentileHistogram(from: &reader)
                histogram.finalize()
                if try reader.get(UInt8.self) == 1 { histogram.refine(with: try BinRefinement(from: &reader)) }
                tables.append(histogram)
            }
            return (tables[0], tables[1])
        } catch {
            throw .shards("\(path) is damaged (\(error.description)): run `hotspot run rank` again")
        }
    }
}
