import Dispatch
import Foundation
import GeoKit

/// Runs `body` over strips of rows on `workers` threads, each with its own state (its own GDAL handles: a dataset
/// handle is not thread-safe). Strips are handed out in order; the first error stops every worker.
///
/// This uses Dispatch threads rather than Swift's cooperative pool because every GDAL call blocks.
func forEachStrip<State>(
    _ strips: [Window], workers: Int,
    makeState: () throws(PipelineError) -> State,
    body: (inout State, Window) throws(PipelineError) -> Void,
    finish: (State) -> Void = { _ in }
) throws(PipelineError) {
    let shared = StripQueue(count: strips.count)
    // The closures run on several threads at once by design: each worker's GDAL handles live in its own `State`,
    // and callers put what the workers share (writers, histograms) behind a lock.
    nonisolated(unsafe) let makeState = makeState
    nonisolated(unsafe) let body = body
    nonisolated(unsafe) let finish = finish
    DispatchQueue.concurrentPerform(iterations: max(1, min(workers, strips.count))) { _ in
        do throws(PipelineError) {
            var state = try makeState()
            while let index = shared.next() {
                try body(&state, strips[index])
            }
            finish(state)
        } catch {
            shared.fail(error)
        }
    }
    if let error = shared.error { throw error }
}

/// The next strip to do and the first failure; shared by the workers under a lock.
private final class StripQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private let count: Int
    private var firstError: PipelineError?

    init(count: Int) { self.count = count }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard firstError == nil, nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func fail(_ error: PipelineError) {
        lock.lock()
        if firstError == nil { firstError = error }
        lock.unlock()
    }

    var error: PipelineError? {
        lock.lock()
        defer { lock.unlock() }
        return firstError
    }
}

/// A buffer of `count` elements owned by one worker, freed with it.
final class BlockBuffer<T> {
    let pointer: UnsafeMutableBufferPointer<T>

    init(count: Int, value: T) {
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: value)
    }

    deinit { pointer.deallocate() }

    /// The first `count` elements, read-only.
    func prefix(_ count: Int) -> UnsafeBufferPointer<T> { UnsafeBufferPointer(rebasing: pointer[0..<count]) }
}
