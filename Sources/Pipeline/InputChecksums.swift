import Foundation

/// SHA-256 of input files, remembered by path, size and modification time in `<output>/.input-checksums.json`, so
/// that a rerun on unchanged multi-gigabyte inputs does not hash them again.
struct InputChecksums {
    private struct Entry: Codable {
        var size: Int64
        var modified: Double
        var sha256: String
    }

    private let cachePath: String
    private var entries: [String: Entry]

    init(outputDirectory: String) {
        cachePath = (outputDirectory as NSString).appendingPathComponent(".input-checksums.json")
        entries = (try? JSONDecoder().decode([String: Entry].self,
                                             from: Data(contentsOf: URL(fileURLWithPath: cachePath)))) ?? [:]
    }

    /// The checksum of a local file, from the cache when size and modification time are unchanged; a file that
    /// cannot be read whole is an error (its checksum would describe another file).
    mutating func sha256(of path: String) throws(PipelineError) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int64,
              let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 else {
            throw .checksum(path: path, reason: "its size and date cannot be read")
        }
        let key = URL(fileURLWithPath: path).standardizedFileURL.path
        if let entry = entries[key], entry.size == size, entry.modified == modified { return entry.sha256 }
        let digest = try Checksum.file(path)
        entries[key] = Entry(size: size, modified: modified, sha256: digest)
        return digest
    }

    /// Saves the cache (best effort: a cache that cannot be written only costs time on the next run).
    func save() {
        guard let data = try? JSONEncoder().encode(entries) else { return }
        try? data.write(to: URL(fileURLWithPath: cachePath), options: .atomic)
    }
}
