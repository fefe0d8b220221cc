import CGDAL
import Foundation

/// Files on a local disk or on any store GDAL reaches (`/vsis3/`, `/vsigs/`, `/vsiaz/`, `/vsicurl/` for reading),
/// through GDAL's virtual file system and its own configuration (AWS_*, GS_*, AZURE_* variables). A sharded run's
/// folder may be either: the phases read and write it only through here and through `Dataset`.
///
/// Writes are atomic: a local file is written under a temporary name and renamed; an object is uploaded in one
/// request (or a multipart upload), which the store makes visible only once complete.
public enum Storage {
    /// True for paths GDAL resolves itself (`/vsis3/...`), which `FileManager` cannot reach.
    public static func isVirtual(_ path: String) -> Bool { path.hasPrefix("/vsi") }

    /// `parent/name`, whichever the store.
    public static func join(_ parent: String, _ name: String) -> String {
        parent.hasSuffix("/") ? parent + name : parent + "/" + name
    }

    /// The folder of `path` and its last component, for virtual paths too.
    public static func split(_ path: String) -> (parent: String, name: String) {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", trimmed) }
        let parent = String(trimmed[..<slash])
        return (parent.isEmpty ? "/" : parent, String(trimmed[trimmed.index(after: slash)...]))
    }

    /// The size of a file, or nil when there is none (a folder counts as absent).
    public static func size(_ path: String) -> Int64? {
        GDALRuntime.initialize()
        // VSIStatBufL is the C library's 64-bit `struct stat` (one layout on 64-bit Linux), opaque to Swift.
        var buffer = stat()
        let found = withUnsafeMutablePointer(to: &buffer) {
            VSIStatExL(path, OpaquePointer($0), VSI_STAT_EXISTS_FLAG | VSI_STAT_NATURE_FLAG | VSI_STAT_SIZE_FLAG) == 0
        }
        guard found, (buffer.st_mode & S_IFMT) != S_IFDIR else { return nil }
        return Int64(buffer.st_size)
    }

    public static func exists(_ path: String) -> Bool { size(path) != nil }

    /// The whole file, or nil when it cannot be read.
    public static func read(_ path: String) -> Data? {
        guard !isVirtual(path) else { return readVirtual(path) }
        return FileManager.default.contents(atPath: path)
    }

    private static func readVirtual(_ path: String) -> Data? {
        GDALRuntime.initialize()
        guard let file = VSIFOpenL(path, "rb") else { return nil }
        defer { VSIFCloseL(file) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { VSIFReadL($0.baseAddress, 1, $0.count, file) }
            if n > 0 { data.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count { break }
        }
        return data
    }

    /// Writes `data` to `path` atomically (see the type's note), creating the folders above it.
    public static func write(_ data: Data, to path: String) throws(GeoError) {
        guard isVirtual(path) else {
            let temporary = path + ".tmp-\(getpid())"
            do {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try data.write(to: URL(fileURLWithPath: temporary))
            } catch {
                unlink(temporary)
                throw .writing(path, error.localizedDescription)
            }
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw .writing(path, reason)
            }
            return
        }
        GDALRuntime.resetError()
        guard let file = VSIFOpenL(path, "wb") else {
            throw .writing(path, GDALRuntime.lastError(or: "cannot open for writing"))
        }
        let written = data.withUnsafeBytes { VSIFWriteL($0.baseAddress, 1, $0.count, file) }
        // An object is uploaded when it is closed: a failure shows there.
        let closed = VSIFCloseL(file)
        guard written == data.count, closed == 0 else {
            throw .writing(path, GDALRuntime.lastError(or: "the upload failed"))
        }
    }

    /// Copies a local file to `path` (a local path or an object), atomically, in 8 MiB pieces.
    public static func copy(_ source: String, to path: String) throws(GeoError) {
        GDALRuntime.initialize()
        let temporary = isVirtual(path) ? path : path + ".tmp-\(getpid())"
        if !isVirtual(path) {
            try makeFolder((path as NSString).deletingLastPathComponent)
        }
        GDALRuntime.resetError()
        guard let input = VSIFOpenL(source, "rb") else { throw .openFailed(path: source, reason: "cannot open for reading") }
        defer { VSIFCloseL(input) }
        guard let output = VSIFOpenL(temporary, "wb") else {
            throw .writing(path, GDALRuntime.lastError(or: "cannot open for writing"))
        }
        var chunk = [UInt8](repeating: 0, count: 8 << 20)
        var failed = false
        while true {
            let n = chunk.withUnsafeMutableBytes { VSIFReadL($0.baseAddress, 1, $0.count, input) }
            if n > 0, chunk.withUnsafeBytes({ VSIFWriteL($0.baseAddress, 1, n, output) }) != n {
                failed = true
                break
            }
            if n < chunk.count { break }
        }
        let closed = VSIFCloseL(output)
        guard !failed, closed == 0 else {
            if !isVirtual(path) { unlink(temporary) }
            throw .writing(path, GDALRuntime.lastError(or: "the copy failed"))
        }
        if !isVirtual(path), rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .writing(path, reason)
        }
    }

    /// Creates a folder and its parents (a no-op on object stores, where folders are prefixes).
    public static func makeFolder(_ path: String) throws(GeoError) {
        guard !isVirtual(path) else { return }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .writing(path, "cannot create the folder (\(error.localizedDescription))")
        }
    }

    /// Removes a file (nothing when it is absent).
    public static func remove(_ path: String) {
        GDALRuntime.initialize()
        if isVirtual(path) { VSIUnlink(path) } else { unlink(path) }
    }

    /// Removes a folder and everything in it.
    public static func removeFolder(_ path: String) {
        GDALRuntime.initialize()
        if isVirtual(path) {
            VSIRmdirRecursive(path)
        } else {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// The names in a folder (files and sub-folders; empty when there is none).
    public static func list(_ path: String) -> [String] {
        GDALRuntime.initialize()
        guard let names = VSIReadDir(path) else { return [] }
        defer { CSLDestroy(names) }
        var out: [String] = []
        var i = 0
        while let name = names[i] {
            let s = String(cString: name)
            if s != "." && s != ".." { out.append(s) }
            i += 1
        }
        return out.sorted()
    }
}
