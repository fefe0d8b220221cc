import Foundation
import GeoKit
import HotspotModel
import Synchronization

/// Pass 2: turns the physical rasters into 0-100 scores with the histograms of pass 1 and classifies hotspots.
/// Water pixels and nodata get nodata scores and class 255: the scores rank land only.
struct ClassificationPass {
    let grid: Grid
    let areas: PixelAreas
    let rate: ScoreScale
    let loss: ScoreScale
    let threshold: Float
    let stripRows: Int
    let workers: Int
    let overviews: OverviewPlan?

    struct Worker {
        let rateBand: Band, lossBand: Band
        let rate: BlockBuffer<Float>, loss: BlockBuffer<Float>
        let rateScore: BlockBuffer<Float>, lossScore: BlockBuffer<Float>, classes: BlockBuffer<UInt8>
        let rateScoreOverviews: AverageOverviews?, lossScoreOverviews: AverageOverviews?
        let classOverviews: ModeOverviews?
    }

    func run(workspace: RunWorkspace, report: (@Sendable (RunProgress) -> Void)?) throws(PipelineError)
        -> ClassStatistics {
        let sink = try Sink(workspace: workspace, grid: grid, overviews: overviews)
        let strips = Window.strips(width: grid.width, height: grid.height, rows: stripRows)
        let progress = ProgressCounter(phase: .classifying, total: strips.count, report: report)
        let capacity = stripRows * grid.width
        try forEachStrip(strips, workers: workers, makeState: { () throws(PipelineError) -> Worker in
            do throws(GeoError) {
                return Worker(
                    rateBand: try Dataset(path: Intermediate.path(.sequestrationRateMedium, in: workspace)).band(1),
                    lossBand: try Dataset(path: Intermediate.path(.lossExpected, in: workspace)).band(1),
                    rate: BlockBuffer(count: capacity, value: 0), loss: BlockBuffer(count: capacity, value: 0),
                    rateScore: BlockBuffer(count: capacity, value: 0),
                    lossScore: BlockBuffer(count: capacity, value: 0), classes: BlockBuffer(count: capacity, value: 0),
                    rateScoreOverviews: overviews.map { AverageOverviews(plan: $0, gridWidth: grid.width, stripRows: stripRows) },
                    lossScoreOverviews: overviews.map { AverageOverviews(plan: $0, gridWidth: grid.width, stripRows: stripRows) },
                    classOverviews: overviews.map { ModeOverviews(plan: $0, gridWidth: grid.width, stripRows: stripRows) })
            } catch {
                throw .output(path: workspace.work, reason: error.description)
            }
        }, body: { (worker: inout Worker, window: Window) throws(PipelineError) in
            let n = window.pixelCount
            do throws(GeoError) {
                try worker.rateBand.read(window, into: worker.rate.pointer)
                try worker.lossBand.read(window, into: worker.loss.pointer)
            } catch {
                throw .output(path: workspace.work, reason: error.description)
            }
            let rateValues = worker.rate.prefix(n), lossValues = worker.loss.prefix(n)
            let noData = OutputLayer.floatNoData
            rate.scores(rateValues, include: { rateValues[$0] != noData }, into: worker.rateScore.pointer, noData: noData)
            loss.scores(lossValues, include: { lossValues[$0] != noData }, into: worker.lossScore.pointer, noData: noData)
            for i in 0..<n {
                let s = worker.rateScore.pointer[i], l = worker.lossScore.pointer[i]
                // The loss is defined on all valid land; the rate only on managed land, where it can add a class.
                worker.classes.pointer[i] = l == noData
                    ? HotspotClass.noData
                    : HotspotClass.code(sequestrationScore: s == noData ? 0 : s, lossScore: l, threshold: threshold)
            }
            worker.rateScoreOverviews?.reduce(worker.rateScore.prefix(n), width: window.width, height: window.height,
                                              noData: noData)
            worker.lossScoreOverviews?.reduce(worker.lossScore.prefix(n), width: window.width, height: window.height,
                                              noData: noData)
            worker.classOverviews?.reduce(worker.classes.prefix(n), width: window.width, height: window.height,
                                          noData: HotspotClass.noData)
            try sink.accept(window, rateScore: worker.rateScore.prefix(n), lossScore: worker.lossScore.prefix(n),
                            classes: worker.classes.prefix(n), areas: areas, worker: worker)
            progress.step(pixels: n)
        })
        return try sink.finish()
    }

    final class Sink: @unchecked Sendable {
        private let lock = Mutex(())
        private let files: [Dataset]
        private let bands: [Band]
        private var pixels = [Int](repeating: 0, count: 4)
        private var classAreas = [Double](repeating: 0, count: 4)

        private let overviews: OverviewPlan?
        private let gridWidth: Int

        init(workspace: RunWorkspace, grid: Grid, overviews: OverviewPlan?) throws(PipelineError) {
            self.overviews = overviews
            gridWidth = grid.width
            let noData = Double(OutputLayer.floatNoData)
            files = [
                try workspace.createIntermediate(OutputLayer.sequestrationScore.fileName, grid: grid, type: .float32,
                                                 noData: noData, overviews: overviews),
                try workspace.createIntermediate(OutputLayer.lossScore.fileName, grid: grid, type: .float32,
                                                 noData: noData, overviews: overviews),
                try workspace.createIntermediate(OutputLayer.hotspotClass.fileName, grid: grid, type: .byte,
                                                 noData: Double(HotspotClass.noData), overviews: overviews),
            ]
            do {
                bands = try files.map { (file) throws(GeoError) in try file.band(1) }
            } catch {
                throw .output(path: workspace.work, reason: error.description)
            }
        }

        func accept(
            _ window: Window, rateScore: UnsafeBufferPointer<Float>, lossScore: UnsafeBufferPointer<Float>,
            classes: UnsafeBufferPointer<UInt8>, areas: PixelAreas, worker: Worker
        ) throws(PipelineError) {
            try lock.withLock { _ throws(PipelineError) in
                do throws(GeoError) {
                    try bands[0].write(window, from: rateScore)
                    try bands[1].write(window, from: lossScore)
                    try bands[2].write(window, from: classes)
                    if let overviews, let rate = worker.rateScoreOverviews, let loss = worker.lossScoreOverviews,
                       let classes = worker.classOverviews {
                        try bands[0].writeOverviews(rate.levels, plan: overviews, strip: window, gridWidth: gridWidth)
                        try bands[1].writeOverviews(loss.levels, plan: overviews, strip: window, gridWidth: gridWidth)
                        try bands[2].writeOverviews(classes.levels, plan: overviews, strip: window, gridWidth: gridWidth)
                    }
                } catch {
                    // GDAL's message names the file; the path says which run's work folder.
                    throw .output(path: (files[0].path as NSString).deletingLastPathComponent, reason: error.description)
                }
                window.forEachRun(of: areas) { range, area in
                    for i in range where classes[i] < 4 {
                        pixels[Int(classes[i])] += 1
                        classAreas[Int(classes[i])] += area
                    }
                }
            }
        }

        func finish() throws(PipelineError) -> ClassStatistics {
            do throws(GeoError) {
                for file in files { try file.close() }
            } catch {
                throw .output(path: files[0].path, reason: error.description)
            }
            var statistics = ClassStatistics()
            for code in HotspotClass.allCases {
                statistics.pixels[code.label] = pixels[Int(code.rawValue)]
                statistics.areaKm2[code.label] = classAreas[Int(code.rawValue)]
            }
            return statistics
        }
    }
}
