import GeoKit

/// Why tiling stopped, in one sentence.
public enum TilingError: Error, Sendable, CustomStringConvertible {
    case badZoomRange(String)
    case unknownLayer(String, known: [String])
    case noRun(String)
    case unwritable(path: String, reason: String)
    case geo(GeoError)
    case badShard(String)
    /// A merge before every shard finished: the missing shards of `count` (none finished when `count` is 0).
    case shardsMissing(path: String, missing: [Int], count: Int)

    public var description: String {
        switch self {
        case let .badZoomRange(text): "bad zoom range '\(text)': give MIN-MAX with 0 <= MIN <= MAX <= \(TileJob.maxZoom)"
        case let .unknownLayer(name, known): "unknown layer '\(name)' (layers: \(known.joined(separator: ", ")))"
        case let .noRun(path): "no published run at \(path): run 'hotspot run' first"
        case let .unwritable(path, reason): "cannot write tiles to \(path): \(reason)"
        case let .geo(error): error.description
        case let .badShard(text): "--shard must be I/N with 0 <= I < N (e.g. --shard 3/8), not '\(text)'"
        case let .shardsMissing(path, _, 0):
            "no shard of this pyramid has finished in \(path): run 'hotspot tiles --shard I/N' for every I, then merge"
        case let .shardsMissing(path, missing, count):
            "shard\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", ")) of \(count) "
                + "\(missing.count == 1 ? "has" : "have") not finished in \(path): run 'hotspot tiles --shard "
                + "\(missing[0])/\(count)'\(missing.count == 1 ? "" : " (and the others)"), then merge"
        }
    }
}
