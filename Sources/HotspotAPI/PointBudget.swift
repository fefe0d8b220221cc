import Synchronization

#if canImport(Glibc)
/// glibc's malloc_trim (malloc.h is not in Swift's Glibc module).
@_silgen_name("malloc_trim") private func mallocTrim(_ pad: Int) -> Int32
#endif

/// Points being scored over all batch requests (`server.batch_points_in_flight`): a batch is admitted only if its
/// points fit, else it is answered 503 with Retry-After at once, rather than queued behind the others with its body
/// held in memory. Admission lasts until its answer is written (or the connection is dropped).
final class PointBudget: Sendable {
    let capacity: Int
    private let used = Mutex(0)

    init(capacity: Int) { self.capacity = capacity }

    /// The points taken if they fit now, else nil. They are given back when the admission is released.
    func admit(_ points: Int) -> Admission? {
        let fits = used.withLock { used in
            guard used + points <= capacity else { return false }
            used += points
            return true
        }
        return fits ? Admission(budget: self, points: points) : nil
    }

    /// Whether no batch at all fits now (checked before a body is read and parsed, so that refusing is cheap).
    var isFull: Bool { used.withLock { $0 >= capacity } }

    fileprivate func release(_ points: Int) {
        let idle = used.withLock { used in
            used -= points
            return used == 0
        }
        #if canImport(Glibc)
        // The answers' buffers were freed into malloc's per-thread arenas, which glibc keeps: when no batch is left,
        // hand them back to the system, so a burst of batches does not leave the process at its peak size.
        if idle { _ = mallocTrim(0) }
        #endif
    }

    var inFlight: Int { used.withLock { $0 } }
}

/// One admitted batch's points, given back exactly once, when the admission is released: after its answer is
/// written, or when the answer is dropped unwritten (a client gone before the body, a HEAD), so no path leaks them.
final class Admission: Sendable {
    private let budget: PointBudget
    let points: Int

    fileprivate init(budget: PointBudget, points: Int) {
        self.budget = budget
        self.points = points
    }

    deinit { budget.release(points) }
}
