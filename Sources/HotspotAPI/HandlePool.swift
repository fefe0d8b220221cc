import Foundation

/// Read handles shared across requests. GDAL handles are not thread-safe, so each request borrows a set of its own
/// for the time of a read and gives it back; sets are opened on demand (at most one per concurrent reader) and
/// kept, so no request opens a dataset once the pool is warm.
final class HandlePool<Handles>: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [Handles] = []
    private let make: () throws -> Handles
    private let limit: Int

    init(limit: Int = 64, make: @escaping () throws -> Handles) {
        self.make = make
        self.limit = limit
    }

    /// Opens `count` sets ahead of the first requests, so that none of them waits for datasets to open.
    func prepare(_ count: Int) throws {
        let sets = try (0..<count).map { _ in try make() }
        lock.lock()
        idle.append(contentsOf: sets.prefix(max(0, limit - idle.count)))
        lock.unlock()
    }

    func with<R>(_ body: (Handles) throws -> R) throws -> R {
        lock.lock()
        let borrowed = idle.popLast()
        lock.unlock()
        let handles = try borrowed ?? make()
        defer {
            lock.lock()
            if idle.count < limit { idle.append(handles) }
            lock.unlock()
        }
        return try body(handles)
    }
}
