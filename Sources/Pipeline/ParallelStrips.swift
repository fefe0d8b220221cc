import Foundation
import GeoKit
import ParallelWork

/// Runs `body` over strips of rows on `workers` threads, each with its own state (see `forEachIndex`).
func forEachStrip<State>(
    _ strips: [Window], workers: Int,
    makeState: () throws(PipelineError) -> State,
    body: (inout State, Window) throws(PipelineError) -> Void,
    finish: (State) -> Void = { _ in }
) throws(PipelineError) {
    try forEachIndex(count: strips.count, workers: workers, makeState: makeState,
                     body: { (state: inout State, index: Int) throws(PipelineError) in try body(&state, strips[index]) },
                     finish: finish)
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
