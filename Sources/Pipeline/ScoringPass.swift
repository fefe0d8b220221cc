import Foundation
import GeoKit
import HotspotConfig
import HotspotModel

/// Pass 1: reads every layer strip by strip on the target grid, computes the physical rasters (sequestration rate,
/// expected loss) and the land-cover group, writes them to intermediate files and builds the area-weighted histograms
/// that pass 2 turns into scores.
struct ScoringPass {
    let sources: [LayerRole: LayerSource]
    let grid: Grid
    let areas: PixelAreas
    let scorer: BlockScorer
    let legend: LandCoverClasses
    let stripRows: Int
    let workers: Int
    let overviews: OverviewPlan?

    struct Result {
        var rate: PercentileHistogram
        var loss: PercentileHistogram
        var rateStatistics: LayerStatistics
        var lossStatistics: LayerStatistics
    }

    /// One worker's readers and buffers.
    struct Worker {
        var readers: [LayerRole: LayerReader]
        let buffers: [LayerRole: BlockBuffer<Float>]
        let groups: BlockBuffer<UInt8>
        let codes: BlockBuffer<Int32>
        let rate: BlockBuffer<Float>
        let loss: BlockBuffer<Float>
        let rateOverviews: AverageOverviews?
        let lossOverviews: AverageOverviews?
        /// This worker's share of the histograms and statistics, merged when it is done.
        var partial = Result(rate: PercentileHistogram(), loss: PercentileHistogram(),
                             rateStatistics: LayerStatistics(), lossStatistics: LayerStatistics())
    }

    func run(workspace: RunWorkspace, report: (@Sendable (RunProgress) -> Void)?) throws(PipelineError) -> Result {
        let sink = try Sink(workspace: workspace, grid: grid, overviews: overviews)
        let strips = Window.strips(width: grid.width, height: grid.height, rows: stripRows)
        let progress = ProgressCounter(phase: .scoring, total: strips.count, report: report)
        let capacity = stripRows * grid.width
        try forEachStrip(strips, workers: workers, makeState: { () throws(PipelineError) -> Worker in
            var readers: [LayerRole: LayerReader] = [:]
            var buffers: [LayerRole: BlockBuffer<Float>] = [:]
            for (role, source) in sources {
                readers[role] = try source.open()
                if role != .landcover { buffers[role] = BlockBuffer(count: capacity, value: .nan) }
            }
            return Worker(readers: readers, buffers: buffers, groups: BlockBuffer(count: capacity, value: 0),
                          codes: BlockBuffer(count: capacity, value: 0), rate: BlockBuffer(count: capacity, value: 0),
                          loss: BlockBuffer(count: capacity, value: 0),
                          rateOverviews: overviews.map { AverageOverviews(plan: $0, gridWidth: grid.width, stripRows: stripRows) },
                          lossOverviews: overviews.map { AverageOverviews(plan: $0, gridWidth: grid.width, stripRows: stripRows) })
        }, body: { (worker: inout Worker, window: Window) throws(PipelineError) in
            let n = window.pixelCount
            for (role, buffer) in worker.buffers {
                try worker.readers[role]!.read(window, into: buffer.pointer)
            }
            try worker.readers[.landcover]!.readGroups(window, legend: legend, scratch: worker.codes.pointer,
                                                       into: worker.groups.pointer)
            var inputs = ScoringInputs(
                soc: worker.buffers[.soc]!.prefix(n), clay: worker.buffers[.clay]!.prefix(n),
                silt: worker.buffers[.silt]?.prefix(n), bulkDensity: worker.buffers[.bulkDensity]?.prefix(n),
                tmean: worker.buffers[.tmean]!.prefix(n), precip: worker.buffers[.precip]!.prefix(n),
                group: worker.groups.prefix(n))
            inputs.socUnits = worker.readers[.soc]!.units
            inputs.clayUnits = worker.readers[.clay]!.units
            inputs.siltUnits = worker.readers[.silt]?.units ?? .identity
            inputs.bulkDensityUnits = worker.readers[.bulkDensity]?.units ?? .identity
            inputs.tmeanUnits = worker.readers[.tmean]!.units
            inputs.precipUnits = worker.readers[.precip]!.units
            scorer.score(inputs, range: 0..<n, rate: worker.rate.pointer, loss: worker.loss.pointer)
            let noData = OutputLayer.floatNoData
            worker.rateOverviews?.reduce(worker.rate.prefix(n), width: window.width, height: window.height, noData: noData)
            worker.lossOverviews?.reduce(worker.loss.prefix(n), width: window.width, height: window.height, noData: noData)
            try sink.write(window, rate: worker.rate.prefix(n), loss: worker.loss.prefix(n),
                           groups: worker.groups.prefix(n), rateOverviews: worker.rateOverviews,
                           lossOverviews: worker.lossOverviews)
            Self.accumulate(&worker.partial, window: window, rate: worker.rate.prefix(n), loss: worker.loss.prefix(n),
                            groups: worker.groups.prefix(n), areas: areas)
            progress.step(pixels: n)
        }, finish: { worker in sink.merge(worker.partial) })
        return try sink.finish()
    }

    /// Adds a strip's valid land pixels to the histograms and statistics, each weighted by its true area.
    static func accumulate(
        _ result: inout Result, window: Window, rate: UnsafeBufferPointer<Float>, loss: UnsafeBufferPointer<Float>,
        groups: UnsafeBufferPointer<UInt8>, areas: PixelAreas
    ) {
        let water = LandCoverGroup.water.rawValue, noData = OutputLayer.floatNoData
        window.forEachRun(of: areas) { range, area in
            let runGroups = UnsafeBufferPointer(rebasing: groups[range])
            let runRate = UnsafeBufferPointer(rebasing: rate[range])
            let runLoss = UnsafeBufferPointer(rebasing: loss[range])
            // The score population: valid pixels on land (rate and loss are nodata together).
            let isLand: (Int) -> Bool = { runGroups[$0] != water && runRate[$0] != noData }
            result.rate.add(runRate, include: isLand, pixelArea: area)
            result.loss.add(runLoss, include: isLand, pixelArea: area)
            result.rateStatistics.add(runRate, include: isLand, pixelAreaKm2: area)
            result.lossStatistics.add(runLoss, include: isLand, pixelAreaKm2: area)
        }
    }

    /// What the workers share: the intermediate files (writes are sequential in GDAL anyway) and the merged
    /// histograms, behind one lock.
    final class Sink: @unchecked Sendable {
        private let lock = NSLock()
        private let rateFile: Dataset, lossFile: Dataset, groupFile: Dataset
        private let rateBand: Band, lossBand: Band, groupBand: Band
        /// The merged histograms: the first worker's own, then the others added to it (a histogram is 32 MiB, so
        /// the sink does not start one of its own).
        private var merged: Result?

        private let overviews: OverviewPlan?
        private let gridWidth: Int

        init(workspace: RunWorkspace, grid: Grid, overviews: OverviewPlan?) throws(PipelineError) {
            self.overviews = overviews
            gridWidth = grid.width
            rateFile = try workspace.createIntermediate("rate.tif", grid: grid, type: .float32,
                                                        noData: Double(OutputLayer.floatNoData), overviews: overviews)
            lossFile = try workspace.createIntermediate("loss.tif", grid: grid, type: .float32,
                                                        noData: Double(OutputLayer.floatNoData), overviews: overviews)
            groupFile = try workspace.createIntermediate("group.tif", grid: grid, type: .byte,
                                                         noData: Double(LandCoverGroup.noDataCode))
            do throws(GeoError) {
                (rateBand, lossBand, groupBand) = (try rateFile.band(1), try lossFile.band(1), try groupFile.band(1))
            } catch {
                throw .output(path: workspace.work, reason: error.description)
            }
        }

        func write(
            _ window: Window, rate: UnsafeBufferPointer<Float>, loss: UnsafeBufferPointer<Float>,
            groups: UnsafeBufferPointer<UInt8>, rateOverviews: AverageOverviews?, lossOverviews: AverageOverviews?
        ) throws(PipelineError) {
            lock.lock()
            defer { lock.unlock() }
            do throws(GeoError) {
                try rateBand.write(window, from: rate)
                try lossBand.write(window, from: loss)
                try groupBand.write(window, from: groups)
                if let overviews, let rateOverviews, let lossOverviews {
                    try rateBand.writeOverviews(rateOverviews.levels, plan: overviews, strip: window, gridWidth: gridWidth)
                    try lossBand.writeOverviews(lossOverviews.levels, plan: overviews, strip: window, gridWidth: gridWidth)
                }
            } catch {
                throw .output(path: error.description, reason: "writing intermediate values failed")
            }
        }

        func merge(_ partial: Result) {
            lock.lock()
            defer { lock.unlock() }
            guard var result = merged else {
                merged = partial
                return
            }
            merged = nil  // one reference, so the merge below does not copy the arrays
            result.rate.merge(partial.rate)
            result.loss.merge(partial.loss)
            result.rateStatistics.merge(partial.rateStatistics)
            result.lossStatistics.merge(partial.lossStatistics)
            merged = result
        }

        func finish() throws(PipelineError) -> Result {
            do throws(GeoError) {
                try rateFile.close()
                try lossFile.close()
                try groupFile.close()
            } catch {
                throw .output(path: rateFile.path, reason: error.description)
            }
            var result = merged ?? Result(rate: PercentileHistogram(), loss: PercentileHistogram(),
                                          rateStatistics: LayerStatistics(), lossStatistics: LayerStatistics())
            merged = nil
            result.rate.finalize()
            result.loss.finalize()
            result.rateStatistics.finish()
            result.lossStatistics.finish()
            for (histogram, path) in [(result.rate, \Result.rateStatistics), (result.loss, \Result.lossStatistics)] {
                result[keyPath: path].p10 = histogram.value(atPercentile: 10).map(Double.init)
                result[keyPath: path].p50 = histogram.value(atPercentile: 50).map(Double.init)
                result[keyPath: path].p90 = histogram.value(atPercentile: 90).map(Double.init)
            }
            return result
        }
    }
}
