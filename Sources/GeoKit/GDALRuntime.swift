import CGDAL
import CGEOS
import CPROJ
import Foundation
import Synchronization

/// Process-wide GDAL set-up: drivers registered once, and an error handler that keeps failures for typed errors
/// instead of printing them, while warnings still reach stderr (once per distinct message).
public enum GDALRuntime {
    private static let once: Void = {
        GDALAllRegister()
        CPLSetErrorHandler(handleError)
        // GDAL_NUM_THREADS stays at GDAL's default (1): callers run one reader per core, and decoder threads on top
        // of those only contend (measured: the scoring pass takes 25% longer with ALL_CPUS on 2 cores).
        // Do not write .aux.xml side-car files next to inputs we only read.
        CPLSetConfigOption("GDAL_PAM_ENABLED", "NO")
        // A VRT opens its sources shared with the other VRTs opened on the same thread. Our handles are opened on one
        // thread and read on another (pools, workers): unshared, each handle owns its sources as it owns its dataset.
        // (Tile workers reading a handle opened on the calling thread failed at random with "TIFFReadEncodedTile()
        // failed" on a published mosaic; they now open their own, which is what fixed that.)
        if getenv("VRT_SHARED_SOURCE") == nil { CPLSetConfigOption("VRT_SHARED_SOURCE", "NO") }
    }()

    /// Registers the drivers and the error handler; cheap after the first call.
    public static func initialize() { _ = once }

    /// Sets a GDAL configuration option for the whole process.
    public static func setOption(_ key: String, _ value: String?) {
        initialize()
        CPLSetConfigOption(key, value)
    }

    /// Runs `body` with a GDAL configuration option set on this thread only (other threads keep theirs), then puts
    /// back what was there.
    public static func withThreadOption<T>(_ key: String, _ value: String, _ body: () throws -> T) rethrows -> T {
        initialize()
        let previous = CPLGetThreadLocalConfigOption(key, nil).map { String(cString: $0) }
        CPLSetThreadLocalConfigOption(key, value)
        defer { CPLSetThreadLocalConfigOption(key, previous) }
        return try body()
    }

    /// Sets the size of GDAL's block cache (takes effect even after the cache was first used, unlike GDAL_CACHEMAX).
    public static func setCacheMax(megabytes: Int) {
        initialize()
        GDALSetCacheMax64(Int64(megabytes) << 20)
    }

    /// GDAL's release name, e.g. "3.6.2" (no driver registration needed: `hotspot --version` stays instant).
    public static var version: String { String(cString: GDALVersionInfo("RELEASE_NAME")) }

    /// PROJ's release, e.g. "9.1.1".
    public static var projVersion: String { String(cString: proj_info().version) }

    /// GEOS's version, e.g. "3.11.1-CAPI-1.17.1" (its C API's).
    public static var geosVersion: String { String(cString: GEOSversion()) }

    /// Clears this thread's last GDAL error, so that a failure seen afterwards belongs to the next call.
    static func resetError() { CPLErrorReset() }

    /// This thread's last GDAL error message, or `fallback` when GDAL recorded none.
    static func lastError(or fallback: String) -> String {
        guard CPLGetLastErrorType() != CE_None, let message = CPLGetLastErrorMsg(), message.pointee != 0 else {
            return fallback
        }
        return String(cString: message)
    }

    /// True when this thread's last GDAL call recorded a failure.
    static var lastCallFailed: Bool {
        let type = CPLGetLastErrorType()
        return type == CE_Failure || type == CE_Fatal
    }

    private static let warnings = WarningSink()

    private static let handleError: CPLErrorHandler = { level, _, message in
        guard level == CE_Warning, let message else { return }
        GDALRuntime.warnings.emit(String(cString: message))
    }
}

/// Prints each distinct GDAL warning once on stderr.
private final class WarningSink: Sendable {
    // GDAL may call the handler from any thread.
    private let seen = Mutex(Set<String>())

    func emit(_ message: String) {
        let isNew = seen.withLock { $0.insert(message).inserted && $0.count < 100 }
        if isNew { FileHandle.standardError.write(Data("warning (GDAL): \(message)\n".utf8)) }
    }
}
