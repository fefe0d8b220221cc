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
    /// The grid rows this pass classifies (the whole grid or a shard's band), and the folder of their intermediates.
    let rows: Range<Int>

    struct Worker {
        let rateBand: Band, lossBand: Band
        let rate: BlockBuffer<Float>, loss: BlockBuffer<Float>
        let rateScore: BlockBuffer<Float>, lossScore: BlockBuffer<Float>, classes: BlockBuffer<UInt8>
        let rateScoreOverviews: AverageOverviews?, lossScoreOverviews: AverageOverviews?
        let classOverviews: ModeOverviews?
    }

    func run(work: WorkFolder, report: (@Sendable (RunProgress) -> Void)?) throws(PipelineError) -> ClassTally {
        let sink = try Sink(work: work, grid: grid, rows: rows, overviews: overviews)
        let strips = Window.strips(width: grid.width, rows: rows, stripRows: stripRows)
        let progress = ProgressCounter(phase: .classifying, total: strips.count, report: report)
        let capacity = stripRows * grid.width
        try forEachStrip(strips, workers: workers, makeState: { () throws(PipelineError) -> Worker in
            do throws(GeoError) {
                return Worker(
                    rateBand: try Dataset(path: Intermediate.path(.sequestrationRateMedium, in: work)).band(1),
                    lossBand: try Dataset(path: Intermediate.path(.lossExpected, in: work)).band(1),
                    rate: BlockBuffer(count: capacity, value: 0), loss: BlockBuffer(count: capacity, value: 0),
                    rateScore: BlockBuffer(count: capacity, value: 0),
                    lossScore: BlockBuffer(count: capacity, value: 0), classes: BlockBuffer(count: capacity, value: 0),
                    rateScoreOverviews: overviews.map { AverageOverviews(plan: $0, gridWidth: grid.width, stripRows: stripRows) },
                    lossScoreOverviews: overviews.map { AverageOverviews(plan: $0, gridWidth: grid.width, stripRows: stripRows) },
                    classOverviews: overviews.map { ModeOverviews(plan: $0, gridWidth: grid.width, stripRows: stripRows) })
            } catch {
                throw .output(path: work.path, reason: error.description)
            }
        }, body: { (worker: inout Worker, window: Window) throws(PipelineError) in
            let n = window.pixelCount
            do throws(GeoError) {
                try worker.rateBand.read(window.relative(toRow: rows.lowerBound), into: worker.rate.pointer)
                try worker.lossBand.read(window.relative(toRow: rows.lowerBound), into: worker.loss.pointer)
            } catch {
                throw .output(path: work.path, reason: error.description)
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
        private var tally = ClassTally()

        private let overviews: OverviewPlan?
        private let gridWidth: Int
        private let firstRow: Int

        init(work: WorkFolder, grid: Grid, rows: Range<Int>, overviews: OverviewPlan?) throws(PipelineError) {
            self.overviews = overviews
            gridWidth = grid.width
            firstRow = rows.lowerBound
            let band = grid.subgrid(Window(column: 0, row: rows.lowerBound, width: grid.width, height: rows.count))
            let noData = Double(OutputLayer.floatNoData)
            files = [
                try work.createIntermediate(OutputLayer.sequestrationScore.fileName, grid: band, type: .float32,
                                            noData: noData, overviews: overviews),
                try work.createIntermediate(OutputLayer.lossScore.fileName, grid: band, type: .float32,
                                            noData: noData, overviews: overviews),
                try work.createIntermediate(OutputLayer.hotspotClass.fileName, grid: band, type: .byte,
                                            noData: Double(HotspotClass.noData), overviews: overviews),
            ]
            do {
                bands = try files.map { (file) throws(GeoError) in try file.band(1) }
            } catch {
                throw .output(path: work.path, reason: error.description)
            }
        }

        func accept(
            _ gridWindow: Window, rateScore: UnsafeBufferPointer<Float>, lossScore: UnsafeBufferPointer<Float>,
            classes: UnsafeBufferPointer<UInt8>, areas: PixelAreas, worker: Worker
        ) throws(PipelineError) {
            let window = gridWindow.relative(toRow: firstRow)
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
                gridWindow.forEachRun(of: areas) { range, area in
                    let units = FixedArea.units(area)
                    for i in range where classes[i] < 4 {
                        tally.pixels[Int(classes[i])] += 1
                        tally.areaUnits[Int(classes[i])] &+= units
                    }
                }
            }
        }

        func finish() throws(PipelineError) -> ClassTally {
            do throws(GeoError) {
                for file in files { try file.close() }
            } catch {
                throw .output(path: files[0].path, reason: error.description)
            }
            return tally
        }
    }
}

/// Pixels and exact areas (`FixedArea` units) of each hotspot class: shards add theirs in any order to the same sums.
struct ClassTally: Codable, Sendable, Equatable {
    var pixels = [Int](repeating: 0, count: 4)
    var areaUnits = [UInt64](repeating: 0, count: 4)

    mutating func add(_ other: ClassTally) {
        for k in 0..<4 {
            pixels[k] += other.pixels[k]
            areaUnits[k] &+= other.areaUnits[k]
        }
    }

    var statistics: ClassStatistics {
        var statistics = ClassStatistics()
        for code in HotspotClass.allCases {
            statistics.pixels[code.label] = pixels[Int(code.rawValue)]
            statistics.areaKm2[code.label] = FixedArea.value(areaUnits[Int(code.rawValue)])
        }
        return statistics
    }

    enum CodingKeys: String, CodingKey { case pixels, areaUnits = "area_units" }
}
