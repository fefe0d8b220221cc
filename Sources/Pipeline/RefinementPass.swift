import Foundation
import GeoKit
import HotspotModel
import ParallelWork
import Synchronization

/// Between the passes: reads the intermediate rate and loss again and fills the exact slots of their histograms
/// tie-prone bins (see `BinRefinement`), so that pass 2 ranks tie clusters exactly. Reading the uncompressed
/// intermediates back costs a tenth of a second on the demo grid; the slots are shared (under a lock) rather than
/// per worker, to keep their memory to one copy.
struct RefinementPass {
    let grid: Grid
    let areas: PixelAreas
    let stripRows: Int
    let workers: Int
    /// The intermediate files to read and the grid rows each holds: the run's own, or every shard's.
    let pieces: [(work: WorkFolder, rows: Range<Int>)]

    struct Worker {
        /// The bands of the piece last read (a worker moves from piece to piece as the strips go).
        var piece = -1
        var rateBand: Band?, lossBand: Band?
        let rate: BlockBuffer<Float>, loss: BlockBuffer<Float>
    }

    func run(rate: inout PercentileHistogram, loss: inout PercentileHistogram) throws(PipelineError) {
        let emptyRate = BinRefinement(for: rate), emptyLoss = BinRefinement(for: loss)
        guard emptyRate.heavyBinCount + emptyLoss.heavyBinCount > 0 else { return }
        let merged = Merged(rate: emptyRate, loss: emptyLoss)
        let capacity = stripRows * grid.width
        let strips = pieces.indices.flatMap { k in
            Window.strips(width: grid.width, rows: pieces[k].rows, stripRows: stripRows).map { (piece: k, window: $0) }
        }
        try forEachIndex(count: strips.count, workers: workers, makeState: { () throws(PipelineError) -> Worker in
            Worker(rate: BlockBuffer(count: capacity, value: 0), loss: BlockBuffer(count: capacity, value: 0))
        }, body: { (worker: inout Worker, index: Int) throws(PipelineError) in
            let (k, window) = strips[index]
            let work = pieces[k].work
            do throws(GeoError) {
                if worker.piece != k {
                    worker.rateBand = try Dataset(path: Intermediate.path(.sequestrationRateMedium, in: work)).band(1)
                    worker.lossBand = try Dataset(path: Intermediate.path(.lossExpected, in: work)).band(1)
                    worker.piece = k
                }
                let local = window.relative(toRow: pieces[k].rows.lowerBound)
                try worker.rateBand!.read(local, into: worker.rate.pointer)
                try worker.lossBand!.read(local, into: worker.loss.pointer)
            } catch {
                throw .output(path: work.path, reason: error.description)
            }
            merged.add(window, rate: worker.rate.prefix(window.pixelCount), loss: worker.loss.prefix(window.pixelCount),
                       areas: areas)
        })
        rate.refine(with: merged.rate)
        loss.refine(with: merged.loss)
    }

    /// The refinements the workers fill, under a lock.
    final class Merged: @unchecked Sendable {
        private let lock = Mutex(())
        private(set) var rate: BinRefinement
        private(set) var loss: BinRefinement

        init(rate: BinRefinement, loss: BinRefinement) {
            self.rate = rate
            self.loss = loss
        }

        func add(
            _ window: Window, rate: UnsafeBufferPointer<Float>, loss: UnsafeBufferPointer<Float>, areas: PixelAreas
        ) {
            lock.withLock { _ in
                let noData = OutputLayer.floatNoData
                // The same populations as the scoring pass: each layer's valid pixels.
                window.forEachRun(of: areas) { range, area in
                    let runRate = UnsafeBufferPointer(rebasing: rate[range])
                    let runLoss = UnsafeBufferPointer(rebasing: loss[range])
                    self.rate.add(runRate, include: { runRate[$0] != noData }, pixelArea: area)
                    self.loss.add(runLoss, include: { runLoss[$0] != noData }, pixelArea: area)
                }
            }
        }
    }
}
