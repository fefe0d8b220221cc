import GeoKit

/// Why tiling stopped, in one sentence.
public enum TilingError: Error, Sendable, CustomStringConvertible {
    case badZoomRange(String)
    case unknownLayer(String, known: [String])
    case noRun(String)
    case unwritable(path: String, reason: String)
    case geo(GeoError)

    public var description: String {
        switch self {
        case let .badZoomRange(text): "bad zoom range '\(text)': give MIN-MAX with 0 <= MIN <= MAX <= \(TileJob.maxZoom)"
        case let .unknownLayer(name, known): "unknown layer '\(name)' (layers: \(known.joined(separator: ", ")))"
        case let .noRun(path): "no published run at \(path): run 'hotspot run' first"
        case let .unwritable(path, reason): "cannot write tiles to \(path): \(reason)"
        case let .geo(error): error.description
        }
    }
}
