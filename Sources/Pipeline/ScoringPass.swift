import Foundation
import GeoKit
import HotspotConfig
import HotspotModel
import Synchronization

/// Pass 1: reads every layer strip by strip on the target grid, runs RothC's scenarios on every pixel (the three
/// sequestration rates and the warming loss), writes them to intermediate files and builds the area-weighted
/// histograms that pass 2 turns into scores.
struct ScoringPass {
    let sources: [LayerRole: LayerSource]
    let grid: Grid
    let areas: PixelAreas
    let scorer: BlockScorer
    let legend: LandCoverClasses
    let stripRows: Int
    let workers: Int
    let overviews: OverviewPlan?
    /// The grid rows this pass scores: the whole grid, or one shard's band (its files hold those rows only).
    let rows: Range<Int>

    /// The physical rasters this pass writes, in the order of `ScenarioBuffers`.
    static let layers: [OutputLayer] = OutputLayer.rates + [.lossExpected]

    struct Result {
        /// Histograms of the ranked layers: the medium-scenario rate and the loss.
        var rate: PercentileHistogram
        var loss: PercentileHistogram
        var statistics: [OutputLayer: LayerStatistics]

        static var empty: Result {
            Result(rate: PercentileHistogram(), loss: PercentileHistogram(),
                   statistics: Dictionary(uniqueKeysWithValues: ScoringPass.layers.map { ($0, LayerStatistics()) }))
        }

        /// Adds another worker's or shard's sums.
        mutating func merge(_ other: Result) {
            rate.merge(other.rate)
            loss.merge(other.loss)
            for (layer, statistics) in other.statistics { self.statistics[layer]!.merge(statistics) }
        }

        /// Prepares ranks and statistics once every strip is in: cumulative areas, means, percentiles.
        mutating func finish() {
            rate.finalize()
            loss.finalize()
            for layer in ScoringPass.layers { statistics[layer]!.finish() }
            for (histogram, layer) in [(rate, OutputLayer.sequestrationRateMedium), (loss, .lossExpected)] {
                statistics[layer]!.p10 = histogram.value(atPercentile: 10).map(Double.init)
                statistics[layer]!.p50 = histogram.value(atPercentile: 50).map(Double.init)
                statistics[layer]!.p90 = histogram.value(atPercentile: 90).map(Double.init)
            }
        }
    }

    /// Columns read at once inside a strip: twelve months of three climate layers make a strip of inputs twelve
    /// times the size of its outputs, so a strip is read in blocks of columns of at most 2^17 pixels, each the whole
    /// strip high. Column blocks (not chunks of rows) keep each source tile decoded once per strip: a chunk of a few
    /// rows across the whole width would need a tile row of every band of every monthly layer in GDAL's block cache
    /// (130 MB a worker on the demo grid), and decoded them all again for every chunk when it does not fit.
    var chunkColumns: Int {
        max(1, min(grid.width, (1 << 17) / max(1, stripRows)))
    }

    /// One worker's readers and buffers.
    struct Worker {
        var readers: [LayerRole: LayerReader]
        /// Chunk-sized inputs (twelve planes for monthly layers).
        let inputs: [LayerRole: BlockBuffer<Float>]
        let codes: BlockBuffer<Int32>
        let groups: BlockBuffer<UInt8>
        /// Chunk-sized outputs, copied row by row into the strip's.
        let scores: [BlockBuffer<Float>]
        /// Without a PET layer: Thornthwaite's PET (twelve planes) and the grid's pixel centres to latitude.
        let thornthwaite: BlockBuffer<Float>?
        let toLonLat: CoordinateTransform?
        /// Strip-sized outputs, in the order of `ScoringPass.layers`.
        let outputs: [BlockBuffer<Float>]
        let overviews: [AverageOverviews]?
    }

    func run(work: WorkFolder, report: (@Sendable (RunProgress) -> Void)?) throws(PipelineError) -> Result {
        let sink = try Sink(work: work, grid: grid, rows: rows, overviews: overviews)
        let strips = Window.strips(width: grid.width, rows: rows, stripRows: stripRows)
        let progress = ProgressCounter(phase: .scoring, total: strips.count, report: report)
        let stripCapacity = stripRows * grid.width, chunkColumns = self.chunkColumns
        let chunkCapacity = chunkColumns * stripRows
        try forEachStrip(strips, workers: workers, makeState: { () throws(PipelineError) -> Worker in
            var readers: [LayerRole: LayerReader] = [:]
            var inputs: [LayerRole: BlockBuffer<Float>] = [:]
            for (role, source) in sources where role.isModelInput {
                readers[role] = try source.open(blockRows: stripRows)
                if role != .landcover {
                    inputs[role] = BlockBuffer(count: role.bandCount * chunkCapacity, value: .nan)
                }
            }
            let estimatePET = sources[.pet] == nil
            var toLonLat: CoordinateTransform?
            if estimatePET {
                do throws(GeoError) {
                    let crs = try CRS(grid.crsDefinition)
                    if !crs.isGeographic { toLonLat = try CoordinateTransform(from: crs, to: CRS.wgs84()) }
                } catch {
                    throw .grid(error)
                }
            }
            return Worker(
                readers: readers, inputs: inputs, codes: BlockBuffer(count: chunkCapacity, value: 0),
                groups: BlockBuffer(count: chunkCapacity, value: 0),
                scores: ScoringPass.layers.map { _ in BlockBuffer(count: chunkCapacity, value: 0) },
                thornthwaite: estimatePET ? BlockBuffer(count: 12 * chunkCapacity, value: .nan) : nil,
                toLonLat: toLonLat,
                outputs: Self.layers.map { _ in BlockBuffer(count: stripCapacity, value: 0) },
                overviews: overviews.map { plan in
                    Self.layers.map { _ in AverageOverviews(plan: plan, gridWidth: grid.width, stripRows: stripRows) }
                })
        }, body: { (worker: inout Worker, window: Window) throws(PipelineError) in
            let n = window.pixelCount
            for column in stride(from: 0, to: window.width, by: chunkColumns) {
                let part = Window(column: window.column + column, row: window.row,
                                  width: min(chunkColumns, window.width - column), height: window.height)
                try score(part, stripWidth: window.width, worker: &worker)
            }
            let outputs = worker.outputs.map { $0.prefix(n) }
            let noData = OutputLayer.floatNoData
            if let overviews = worker.overviews {
                for (k, reduction) in overviews.enumerated() {
                    reduction.reduce(outputs[k], width: window.width, height: window.height, noData: noData)
                }
            }
            try sink.write(window, outputs: outputs, overviews: worker.overviews)
            sink.accumulate(window, outputs: outputs, areas: areas)
            progress.step(pixels: n)
        })
        return try sink.finish()
    }

    /// Reads one block of columns of a strip and scores it into the strip's outputs.
    private func score(_ chunk: Window, stripWidth: Int, worker: inout Worker) throws(PipelineError) {
        let n = chunk.pixelCount
        for (role, buffer) in worker.inputs {
            try worker.readers[role]!.read(chunk, into: buffer.pointer)
        }
        try worker.readers[.landcover]!.readGroups(chunk, legend: legend, scratch: worker.codes.pointer,
                                                   into: worker.groups.pointer)
        func plane(_ role: LayerRole) -> UnsafeBufferPointer<Float> { worker.inputs[role]!.prefix(role.bandCount * n) }
        func optional(_ role: LayerRole) -> UnsafeBufferPointer<Float>? { worker.inputs[role]?.prefix(n) }
        if let estimate = worker.thornthwaite {
            try estimatePET(chunk, tmean: plane(.tmean), units: worker.readers[.tmean]!.units, into: estimate.pointer,
                            toLonLat: worker.toLonLat)
        }
        let pet = worker.thornthwaite?.prefix(12 * n) ?? plane(.pet)
        var inputs = ScoringInputs(count: n, soc: plane(.soc), clay: plane(.clay), tmean: plane(.tmean),
                                   precip: plane(.precip), pet: pet, group: worker.groups.prefix(n))
        inputs.silt = optional(.silt)
        inputs.bulkDensity = optional(.bulkDensity)
        inputs.coarseFragments = optional(.coarseFragments)
        func units(_ role: LayerRole) -> UnitConversion { worker.readers[role]?.units ?? .identity }
        inputs.socUnits = units(.soc)
        inputs.clayUnits = units(.clay)
        inputs.tmeanUnits = units(.tmean)
        inputs.precipUnits = units(.precip)
        inputs.petUnits = units(.pet)
        inputs.siltUnits = units(.silt)
        inputs.bulkDensityUnits = units(.bulkDensity)
        inputs.coarseFragmentsUnits = units(.coarseFragments)
        let out = worker.scores.map(\.pointer)
        scorer.score(inputs, range: 0..<n,
                     into: ScenarioBuffers(rateLow: out[0], rateMedium: out[1], rateHigh: out[2], loss: out[3]))
        let left = chunk.column  // strips start at column 0 and span the whole grid width
        for (k, strip) in worker.outputs.enumerated() {
            for r in 0..<chunk.height {
                let target = strip.pointer.baseAddress! + r * stripWidth + left
                target.update(from: out[k].baseAddress! + r * chunk.width, count: chunk.width)
            }
        }
    }

    /// Thornthwaite's PET (mm/month) for a chunk from its temperatures and the latitude of each pixel centre.
    private func estimatePET(
        _ chunk: Window, tmean: UnsafeBufferPointer<Float>, units: UnitConversion,
        into pet: UnsafeMutableBufferPointer<Float>, toLonLat: CoordinateTransform?
    ) throws(PipelineError) {
        let n = chunk.pixelCount
        var latitudes = [Double](repeating: 0, count: n)
        var xs = [Double](repeating: 0, count: n)
        for r in 0..<chunk.height {
            for c in 0..<chunk.width {
                let p = grid.centre(column: chunk.column + c, row: chunk.row + r)
                xs[r * chunk.width + c] = p.x
                latitudes[r * chunk.width + c] = p.y
            }
        }
        if let toLonLat {
            let ok = toLonLat.transform(x: &xs, y: &latitudes)
            for i in 0..<n where !ok[i] { latitudes[i] = .nan }
        }
        for i in 0..<n {
            var t = Monthly()
            for m in 0..<12 { t[m] = units.apply(tmean[m * n + i]) }
            let estimate = Thornthwaite.pet(tmean: t, latitude: latitudes[i])
            // NaN temperatures or latitudes give NaN PET, so the pixel is nodata as with a PET layer.
            let missing = !latitudes[i].isFinite || (0..<12).contains { !t[$0].isFinite }
            for m in 0..<12 { pet[m * n + i] = missing ? .nan : Float(estimate[m]) }
        }
    }

    /// Adds a strip's valid pixels to the histograms and statistics, each weighted by its true area. Water and
    /// missing inputs are nodata in every output; the rates are also nodata outside the managed groups, so each
    /// layer's population is its valid pixels.
    static func accumulate(
        _ result: inout Result, window: Window, outputs: [UnsafeBufferPointer<Float>], areas: PixelAreas
    ) {
        let noData = OutputLayer.floatNoData
        window.forEachRun(of: areas) { range, area in
            for (k, layer) in layers.enumerated() {
                let run = UnsafeBufferPointer(rebasing: outputs[k][range])
                let valid: (Int) -> Bool = { run[$0] != noData }
                result.statistics[layer]!.add(run, include: valid, pixelAreaKm2: area)
                if layer == .sequestrationRateMedium { result.rate.add(run, include: valid, pixelArea: area) }
                if layer == .lossExpected { result.loss.add(run, include: valid, pixelArea: area) }
            }
        }
    }

    /// What the workers share: the intermediate files (writes are sequential in GDAL anyway) behind one lock, and
    /// the histograms and statistics behind another. One set of sums for all workers, not one each: a histogram is
    /// 32 MiB, so per-worker sums made a task's memory grow with its node's cores (64 MiB a core). Adding a strip
    /// takes milliseconds against seconds of RothC, and every sum is an integer or a min/max (ties are counted
    /// within one `add`), so the order in which strips arrive cannot show.
    final class Sink: @unchecked Sendable {
        private let lock = Mutex(())
        private let files: [Dataset]
        private let bands: [Band]
        private let sums = Mutex<Result?>(.empty)
        private let overviews: OverviewPlan?
        private let gridWidth: Int

        /// The band's first row: files hold the band's rows only.
        private let firstRow: Int

        init(work: WorkFolder, grid: Grid, rows: Range<Int>, overviews: OverviewPlan?) throws(PipelineError) {
            self.overviews = overviews
            gridWidth = grid.width
            firstRow = rows.lowerBound
            let band = grid.subgrid(Window(column: 0, row: rows.lowerBound, width: grid.width, height: rows.count))
            var files: [Dataset] = []
            for layer in ScoringPass.layers {
                files.append(try work.createIntermediate(layer.fileName, grid: band, type: .float32,
                                                         noData: layer.noData, overviews: overviews))
            }
            self.files = files
            do {
                bands = try files.map { (file) throws(GeoError) in try file.band(1) }
            } catch {
                throw .output(path: work.path, reason: error.description)
            }
        }

        func write(_ gridWindow: Window, outputs: [UnsafeBufferPointer<Float>], overviews levels: [AverageOverviews]?)
            throws(PipelineError) {
            let window = gridWindow.relative(toRow: firstRow)
            try lock.withLock { _ throws(PipelineError) in
                for (k, band) in bands.enumerated() {
                    do throws(GeoError) {
                        try band.write(window, from: outputs[k])
                        if let overviews, let levels {
                            try band.writeOverviews(levels[k].levels, plan: overviews, strip: window, gridWidth: gridWidth)
                        }
                    } catch {
                        throw .output(path: files[k].path, reason: error.description)
                    }
                }
            }
        }

        func accumulate(_ window: Window, outputs: [UnsafeBufferPointer<Float>], areas: PixelAreas) {
            sums.withLock { sums in ScoringPass.accumulate(&sums!, window: window, outputs: outputs, areas: areas) }
        }

        func finish() throws(PipelineError) -> Result {
            do throws(GeoError) {
                for file in files { try file.close() }
            } catch {
                throw .output(path: files[0].path, reason: error.description)
            }
            return sums.withLock { sums in
                defer { sums = nil }
                return sums!
            }
        }
    }
}
