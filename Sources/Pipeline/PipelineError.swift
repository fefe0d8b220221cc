import GeoKit
import HotspotConfig

/// Why a run stopped. Every case reads as one sentence for the CLI.
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    case config(ConfigError)
    case layer(role: String, path: String, GeoError)
    case grid(GeoError)
    /// A layer whose content does not fit its role (a single band where twelve months are needed...).
    case unsuitableLayer(role: String, path: String, reason: String)
    case output(path: String, reason: String)
    case cancelled
    /// An input or output could not be read whole for its checksum.
    case checksum(path: String, reason: String)
    /// `scores.reference` names no usable reference distribution.
    case scoreReference(path: String, reason: String)
    /// The target grid is larger than a run can hold (its rows must fit the strip buffers).
    case gridTooLarge(String)
    /// No pixel has valid values in every input: there is nothing to publish.
    case noValidPixels(String)
    /// Another run is writing into the same output folder.
    case busy(path: String, reason: String)
    /// A phase of a sharded run cannot go on: a shard missing or stale, a phase not run yet, a plan out of date.
    case shards(String)

    public var description: String {
        switch self {
        case let .config(error): "configuration error: \(error)"
        case let .layer(role, path, error):
            if case let .openFailed(_, reason) = error { "layer '\(role)' (\(path)): cannot open: \(reason)" }
            else { "layer '\(role)' (\(path)): \(error)" }
        case let .grid(error): "target grid: \(error)"
        case let .unsuitableLayer(role, path, reason): "layer '\(role)' (\(path)): \(reason)"
        // A reason that already says what could not be written (GeoKit's errors, a full disk) is not wrapped again.
        case let .output(path, reason):
            reason.hasPrefix("cannot write ") || reason.hasPrefix("no space left") ? reason : "cannot write \(path): \(reason)"
        case .cancelled: "the run was cancelled"
        case let .checksum(path, reason): "cannot compute the SHA-256 of \(path): \(reason)"
        case let .scoreReference(path, reason): "scores.reference \(path): \(reason)"
        case let .gridTooLarge(reason): "target grid: \(reason)"
        case let .noValidPixels(reason): reason
        case let .busy(path, reason): "\(path): \(reason)"
        case let .shards(reason): reason
        }
    }
}
