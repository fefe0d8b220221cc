import Foundation
import GeoKit

/// `latest` beside the runs: the newest complete run. On a disk it is a symbolic link, replaced atomically by a
/// rename; on an object store (no links, no renames) it is a small object holding the run's name, written last.
public enum LatestPointer {
    public static let name = "latest"

    /// Points `<outputDirectory>/latest` at the run folder `runID` beside it.
    public static func point(_ outputDirectory: String, at runID: String) throws(PipelineError) {
        let latest = Storage.join(outputDirectory, name)
        if Storage.isVirtual(outputDirectory) {
            do { try Storage.write(Data((runID + "\n").utf8), to: latest) } catch {
                throw .output(path: latest, reason: error.description)
            }
            return
        }
        let temporary = latest + ".\(runID).tmp"
        unlink(temporary)
        guard symlink(runID, temporary) == 0, rename(temporary, latest) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .output(path: latest, reason: reason)
        }
    }

    /// The run folder a path names: a run folder itself, a `latest` link (resolved), or a `latest` pointer object
    /// (or file) holding a run's name.
    public static func resolve(_ path: String) -> String {
        if Storage.isVirtual(path) {
            // A run folder holds run.json; a pointer is a small object of one line.
            guard !Storage.exists(Storage.join(path, "run.json")), let size = Storage.size(path), size < 4096,
                  let data = Storage.read(path),
                  let id = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
                  !id.isEmpty, !id.contains("/") else { return path }
            return Storage.join(Storage.split(path).parent, id)
        }
        var isFolder: ObjCBool = false
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        if FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder), !isFolder.boolValue,
           let data = FileManager.default.contents(atPath: resolved), data.count < 4096,
           let id = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
           !id.isEmpty, !id.contains("/") {
            return ((resolved as NSString).deletingLastPathComponent as NSString).appendingPathComponent(id)
        }
        return resolved
    }
}
