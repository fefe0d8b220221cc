import Foundation

/// Free space on the file system that holds a path: GDAL reports a full disk in libtiff's words ("TIFFAppendToStrip:
/// Write error", "Error fetching directory count"), which say nothing of the disk. A write that fails where no space
/// is left is reported as what it is.
public enum DiskSpace {
    /// The mount point and device of the file system holding `path` when it has (almost) no space left, else nil.
    /// Checked when the write fails: the run's clean-up frees the space before the error is printed.
    public static func exhausted(at path: String, below bytes: UInt64 = 1 << 20) -> (mount: String, device: String)? {
        // /vsimem/, /vsis3/...: not a local file system.
        guard path.hasPrefix("/"), !path.hasPrefix("/vsi") else { return nil }
        var directory = (path as NSString).deletingLastPathComponent
        while !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            directory = (directory as NSString).deletingLastPathComponent
        }
        var stats = statvfs()
        guard statvfs(directory.isEmpty ? "/" : directory, &stats) == 0 else { return nil }
        guard UInt64(stats.f_bavail) * UInt64(stats.f_frsize) < bytes else { return nil }
        return mount(of: directory)
    }

    /// The longest mount point of /proc/self/mounts that holds `directory`, and its device ("tmpfs", "/dev/sda1").
    static func mount(of directory: String) -> (mount: String, device: String) {
        let resolved = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        let table = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        var best = (mount: "/", device: "the root file system")
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2 else { continue }
            // Spaces in mount points are written as \040.
            let point = fields[1].replacingOccurrences(of: "\\040", with: " ")
            let holds = point == "/" || resolved == point || resolved.hasPrefix(point + "/")
            if holds, point.count >= best.mount.count { best = (point, String(fields[0])) }
        }
        return best
    }
}

extension GeoError {
    /// A failed write of `path`: `noSpace` when its file system is full, else `writeFailed` with GDAL's reason.
    public static func writing(_ path: String, _ reason: String) -> GeoError {
        if let full = DiskSpace.exhausted(at: path) { return .noSpace(path: path, mount: full.mount, device: full.device) }
        return .writeFailed(path: path, reason: reason)
    }

    /// The same for a file being created (GDAL's translate, warp and create).
    public static func creating(_ path: String, _ reason: String) -> GeoError {
        if let full = DiskSpace.exhausted(at: path) { return .noSpace(path: path, mount: full.mount, device: full.device) }
        return .createFailed(path: path, reason: reason)
    }
}
