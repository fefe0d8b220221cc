import Foundation
import GeoKit
import HotspotModel
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

    struct Worker {
        let rateBand: Band, lossBand: Band
        let rate: BlockBuffer<Float>, loss: BlockBuffer<Float>
    }

    func run(workspace: RunWorkspace, rate: inout PercentileHistogram, loss: inout PercentileHistogram)
        throws(PipelineError) {
        let emptyRate = BinRefinement(for: rate), emptyLoss = BinRefinement(for: loss)
        guard emptyRate.heavyBinCount + emptyLoss.heavyBinCount > 0 else { return }
        let merged = Merged(rate: emptyRate, loss: emptyLoss)
        let capacity = stripRows * grid.width
        try forEachStrip(Window.strips(width: grid.width, height: grid.height, rows: stripRows), workers: workers,
                         makeState: { () throws(PipelineError) -> Worker in
            do throws(GeoError) {
                return Worker(
                    rateBand: try Dataset(path: Intermediate.path(.sequestrationRateMedium, in: workspace)).band(1),
                    lossBand: try Dataset(path: Intermediate.path(.lossExpected, in: workspace)).band(1),
                    rate: BlockBuffer(count: capacity, value: 0), loss: BlockBuffer(count: capacity, value: 0))
            } catch {
                throw .output(path: workspace.work, reason: error.description)
            }
        }, body: { (worker: inout Worker, window: Window) throws(PipelineError) in
            do throws(GeoError) {
                try worker.rateBand.read(window, into: worker.rate.pointer)
                try worker.lossBand.read(window, into: worker.loss.pointer)
            } catch {
                throw .output(path: workspace.work, reason: error.description)
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
