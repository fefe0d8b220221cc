import Dispatch
import Synchronization

/// Hands out the indices `0..<count` in order to workers, and keeps the first failure (after which no more are
/// handed out). The pipeline's strip passes and the tiler's pyramids share it.
public final class WorkQueue<Failure: Error & Sendable>: Sendable {
    private struct State {
        var next = 0
        var failure: Failure?
    }
    private let state = Mutex(State())
    public let count: Int

    public init(count: Int) { self.count = count }

    /// The next index to work on; nil when all are handed out or a worker failed.
    public func next() -> Int? {
        state.withLock { state in
            guard state.failure == nil, state.next < count else { return nil }
            state.next += 1
            return state.next - 1
        }
    }

    public func fail(_ error: Failure) {
        state.withLock { state in if state.failure == nil { state.failure = error } }
    }

    public var failure: Failure? { state.withLock { $0.failure } }
}

/// Runs `body` for every index of `0..<count` on up to `workers` threads, each with its own state (its own GDAL
/// handles: a dataset handle is not thread-safe). Indices are handed out in order; the first error stops every
/// worker and is thrown.
///
/// Dispatch threads rather than Swift's cooperative pool: every GDAL call blocks.
public func forEachIndex<State, Failure: Error & Sendable>(
    count: Int, workers: Int,
    makeState: () throws(Failure) -> State,
    body: (inout State, Int) throws(Failure) -> Void,
    finish: (State) -> Void = { _ in }
) throws(Failure) {
    let queue = WorkQueue<Failure>(count: count)
    // The closures run on several threads at once by design: each worker's handles live in its own `State`, and
    // callers put what the workers share (writers, histograms, counters) behind a lock.
    nonisolated(unsafe) let makeState = makeState
    nonisolated(unsafe) let body = body
    nonisolated(unsafe) let finish = finish
    DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
        do throws(Failure) {
            var state = try makeState()
            while let index = queue.next() {
                try body(&state, index)
            }
            finish(state)
        } catch {
            queue.fail(error)
        }
    }
    if let failure = queue.failure { throw failure }
}
