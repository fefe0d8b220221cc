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

extension Window {
    /// The strips of `stripRows` rows of a band of rows of a `width`-wide grid (a shard's, or the whole grid), in
    /// the grid's own row numbers. A band starts on a multiple of `stripRows`, so its strips are the grid's.
    static func strips(width: Int, rows: Range<Int>, stripRows: Int) -> [Window] {
        stride(from: rows.lowerBound, to: rows.upperBound, by: max(1, stripRows)).map {
            Window(column: 0, row: $0, width: width, height: min(stripRows, rows.upperBound - $0))
        }
    }

    /// The same pixels in a raster whose first row is the grid's row `row` (a shard's intermediate files).
    func relative(toRow row: Int) -> Window { Window(column: column, row: self.row - row, width: width, height: height) }
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
