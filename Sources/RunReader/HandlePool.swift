import Synchronization

/// Read handles shared across requests. GDAL handles are not thread-safe, so each request borrows a set of its own
/// for the time of a read and gives it back; sets are opened on demand (at most one per concurrent reader) and
/// kept, so no request opens a dataset once the pool is warm.
final class HandlePool<Handles>: Sendable {
    /// A set of handles crosses threads only while idle in the pool; one thread at a time uses it.
    private struct Idle: @unchecked Sendable { let handles: Handles }
    private let idle = Mutex<[Idle]>([])
    private let make: @Sendable () throws -> Handles
    private let limit: Int

    init(limit: Int = 64, make: @escaping @Sendable () throws -> Handles) {
        self.make = make
        self.limit = limit
    }

    /// Opens `count` sets ahead of the first requests, so that none of them waits for datasets to open.
    func prepare(_ count: Int) throws {
        let sets = try (0..<count).map { _ in Idle(handles: try make()) }
        idle.withLock { idle in idle.append(contentsOf: sets.prefix(max(0, limit - idle.count))) }
    }

    func with<R>(_ body: (Handles) throws -> R) throws -> R {
        let handles = try idle.withLock { $0.popLast() }?.handles ?? make()
        let returned = Idle(handles: handles)
        defer { idle.withLock { if $0.count < limit { $0.append(returned) } } }
        return try body(handles)
    }
}
