import Foundation
import Synchronization

/// The server's cache folder (`<cache>/<run>/...`: tiles rendered on demand, clipped downloads), bounded in bytes
/// and files, least recently used out first. Anonymous requests fill it, so without a bound any client could fill
/// the disk. Files found there at start (from an earlier process) are counted, oldest first out.
public final class DiskCache: Sendable {
    public let root: String
    public let maxBytes: Int
    public let maxFiles: Int

    private struct Entry {
        var bytes: Int
        var lastUse: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())

    public init(root: String, maxBytes: Int, maxFiles: Int) {
        self.root = root
        self.maxBytes = maxBytes
        self.maxFiles = maxFiles
        let found = Self.scan(root)
        state.withLock { state in
            for (index, file) in found.enumerated() {
                state.entries[file.relative] = Entry(bytes: file.bytes, lastUse: UInt64(index))
                state.bytes += file.bytes
            }
            state.clock = UInt64(found.count)
        }
        trim()
    }

    /// Files and bytes held now.
    public var usage: (files: Int, bytes: Int) { state.withLock { ($0.entries.count, $0.bytes) } }

    public func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    /// The cached bytes at `relative`, marked as just used.
    public func read(_ relative: String) -> Data? {
        guard state.withLock({ $0.entries[relative] != nil }), let data = FileManager.default.contents(atPath: path(relative))
        else { return nil }
        touch(relative)
        return data
    }

    /// Stores `data` at `relative` (atomically); a failure to cache (read-only disk) only costs a render next time.
    public func store(_ data: Data, at relative: String) {
        let file = path(relative)
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        guard (try? data.write(to: URL(fileURLWithPath: file), options: .atomic)) != nil else { return }
        admit(relative, bytes: data.count)
    }

    /// Counts a file someone else wrote at `relative` (a download GDAL made), then trims.
    public func admit(_ relative: String, bytes: Int? = nil) {
        let size = bytes ?? ((try? FileManager.default.attributesOfItem(atPath: path(relative))[.size] as? Int) ?? 0)
        state.withLock { state in
            state.clock += 1
            state.bytes += size - (state.entries[relative]?.bytes ?? 0)
            state.entries[relative] = Entry(bytes: size, lastUse: state.clock)
        }
        trim()
    }

    /// Whether `relative` is held; marks it as just used.
    @discardableResult
    public func touch(_ relative: String) -> Bool {
        state.withLock { state in
            guard state.entries[relative] != nil else { return false }
            state.clock += 1
            state.entries[relative]?.lastUse = state.clock
            return true
        }
    }

    /// Removes the folders of runs other than `runID` (a run no longer served is never asked for again).
    public func keepOnly(run runID: String) {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for folder in folders where folder != runID {
            try? FileManager.default.removeItem(atPath: path(folder))
        }
        state.withLock { state in
            for (relative, entry) in state.entries where !relative.hasPrefix(runID + "/") {
                state.entries[relative] = nil
                state.bytes -= entry.bytes
            }
        }
    }

    /// Evicts least recently used files until within both bounds, and a tenth below them, so that the sort is paid
    /// once per many insertions rather than on each.
    private func trim() {
        let victims: [String] = state.withLock { state in
            guard state.bytes > maxBytes || state.entries.count > maxFiles else { return [] }
            let (byteTarget, fileTarget) = (maxBytes - maxBytes / 10, maxFiles - maxFiles / 10)
            var out: [String] = []
            for (relative, entry) in state.entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }) {
                guard state.bytes > byteTarget || state.entries.count > fileTarget else { break }
                state.entries[relative] = nil
                state.bytes -= entry.bytes
                out.append(relative)
            }
            return out
        }
        // An evicted file a request is sending stays readable to it (the open descriptor keeps it).
        for relative in victims { try? FileManager.default.removeItem(atPath: path(relative)) }
    }

    private static func scan(_ root: String) -> [(relative: String, bytes: Int)] {
        guard let walker = FileManager.default.enumerator(at: URL(fileURLWithPath: root),
                                                          includingPropertiesForKeys: [.fileSizeKey, .contentModificationDateKey, .isRegularFileKey])
        else { return [] }
        var found: [(relative: String, bytes: Int, modified: Date)] = []
        let prefix = URL(fileURLWithPath: root).standardizedFileURL.path + "/"
        for case let url as URL in walker {
            guard let values = try? url.resourceValues(forKeys: [.fileSizeKey, .contentModificationDateKey, .isRegularFileKey]),
                  values.isRegularFile == true else { continue }
            let full = url.standardizedFileURL.path
            guard full.hasPrefix(prefix) else { continue }
            let relative = String(full.dropFirst(prefix.count))
            // A partial file is no cache entry; one an hour old is a dead process's (another replica sharing the
            // folder may be writing a younger one).
            if relative.contains(".partial-") {
                if (values.contentModificationDate ?? .distantPast) < Date(timeIntervalSinceNow: -3600) {
                    try? FileManager.default.removeItem(at: url)
                }
                continue
            }
            found.append((relative, values.fileSize ?? 0, values.contentModificationDate ?? .distantPast))
        }
        return found.sorted { $0.modified < $1.modified }.map { ($0.relative, $0.bytes) }
    }
}
