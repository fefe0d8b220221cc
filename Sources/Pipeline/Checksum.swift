import Crypto
import Foundation

/// SHA-256 digests as lowercase hex (swift-crypto's, which uses the CPU's SHA extensions where there are any): of
/// files for provenance, of text for the configuration hash.
public enum Checksum {
    /// The digest of a whole file, read in 4 MiB chunks. A read that fails part way is an error, never the digest of
    /// the part that was read.
    public static func file(_ path: String) throws(PipelineError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .checksum(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be opened" : "no such file")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        do {
            while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty { hash.update(data: chunk) }
        } catch {
            throw .checksum(path: path, reason: error.localizedDescription)
        }
        return hex(hash.finalize())
    }

    public static func hex(of data: Data) -> String { hex(SHA256.hash(data: data)) }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
