/// Everything that can go wrong below the model: opening, reading, writing, projecting. Each case says what and where,
/// and carries GDAL's or PROJ's own message when there is one.
public enum GeoError: Error, Equatable, Sendable, CustomStringConvertible {
    case openFailed(path: String, reason: String)
    case createFailed(path: String, reason: String)
    case readFailed(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    /// The file system holding `path` is full (see `DiskSpace`).
    case noSpace(path: String, mount: String, device: String)
    case invalidCRS(definition: String, reason: String)
    case transformFailed(reason: String)
    case warpFailed(path: String, reason: String)
    case noSuchBand(path: String, band: Int, count: Int)
    case notGeoreferenced(path: String)
    case doesNotCover(path: String, reason: String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .openFailed(path, reason): "cannot open \(path): \(reason)"
        case let .createFailed(path, reason): "cannot create \(path): \(reason)"
        case let .readFailed(path, reason): "cannot read \(path): \(reason)"
        case let .writeFailed(path, reason): "cannot write \(path): \(reason)"
        case let .noSpace(path, mount, device): "no space left on \(mount) (\(device)) while writing \(path)"
        case let .invalidCRS(definition, reason): "unknown or invalid CRS '\(definition)': \(reason)"
        case let .transformFailed(reason): "coordinate transformation failed: \(reason)"
        case let .warpFailed(path, reason): "cannot align \(path) to the target grid: \(reason)"
        case let .noSuchBand(path, band, count): "\(path) has no band \(band) (it has \(count))"
        case let .notGeoreferenced(path): "\(path) has no georeferencing (no geotransform or no CRS)"
        case let .doesNotCover(path, reason): "\(path) does not cover the target grid: \(reason)"
        case let .invalidArgument(message): message
        }
    }
}
