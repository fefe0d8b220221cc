import HotspotModel
import Testing

/// One pixel's inputs as stored (NaN is nodata); `silt` and `bulkDensity` nil mean the layer is not configured.
struct Pixel: Sendable, CustomTestStringConvertible {
    var soc: Float
    var clay: Float
    var silt: Float? = nil
    var bulkDensity: Float? = nil
    var tmean: Float
    var precip: Float
    var group: UInt8

    init(soc: Float, clay: Float, silt: Float? = nil, bulkDensity: Float? = nil, tmean: Float, precip: Float,
         group: LandCoverGroup) {
        self.init(soc: soc, clay: clay, silt: silt, bulkDensity: bulkDensity, tmean: tmean, precip: precip,
                  groupCode: group.rawValue)
    }

    init(soc: Float, clay: Float, silt: Float? = nil, bulkDensity: Float? = nil, tmean: Float, precip: Float,
         groupCode: UInt8) {
        self.soc = soc
        self.clay = clay
        self.silt = silt
        self.bulkDensity = bulkDensity
        self.tmean = tmean
        self.precip = precip
        self.group = groupCode
    }

    var testDescription: String {
        "soc \(soc) clay \(clay) silt \(silt.map { "\($0)" } ?? "-") bd \(bulkDensity.map { "\($0)" } ?? "-") "
            + "tmean \(tmean) precip \(precip) group \(group)"
    }
}

/// What `BlockScorer` made of a block.
struct ScoredBlock {
    var rate: [Float]
    var loss: [Float]
    var valid: Int
}

/// Scores `pixels` as one block with `BlockScorer`. A silt (bulk-density) layer is configured when any pixel has one;
/// pixels without a value then read NaN there. `units` may set the stored-to-model conversions.
func scoreBlock(
    _ pixels: [Pixel], parameters: ModelParameters = ModelParameters(), noData: Float = -9999,
    range: Range<Int>? = nil, initial: Float = 0, units: (inout ScoringInputs) -> Void = { _ in }
) -> ScoredBlock {
    let soc = pixels.map(\.soc), clay = pixels.map(\.clay), tmean = pixels.map(\.tmean), precip = pixels.map(\.precip)
    let group = pixels.map(\.group)
    let silt = pixels.contains { $0.silt != nil } ? pixels.map { $0.silt ?? .nan } : nil
    let bulkDensity = pixels.contains { $0.bulkDensity != nil } ? pixels.map { $0.bulkDensity ?? .nan } : nil
    var rate = [Float](repeating: initial, count: pixels.count), loss = rate
    var valid = 0
    let scorer = BlockScorer(parameters: parameters, noData: noData)
    soc.withUnsafeBufferPointer { soc in clay.withUnsafeBufferPointer { clay in
    tmean.withUnsafeBufferPointer { tmean in precip.withUnsafeBufferPointer { precip in
    group.withUnsafeBufferPointer { group in
    withOptionalBuffer(silt) { silt in withOptionalBuffer(bulkDensity) { bulkDensity in
    rate.withUnsafeMutableBufferPointer { rate in loss.withUnsafeMutableBufferPointer { loss in
        var inputs = ScoringInputs(soc: soc, clay: clay, silt: silt, bulkDensity: bulkDensity, tmean: tmean,
                                   precip: precip, group: group)
        units(&inputs)
        valid = scorer.score(inputs, range: range ?? 0..<pixels.count, rate: rate, loss: loss)
    } } } } } } } } }
    return ScoredBlock(rate: rate, loss: loss, valid: valid)
}

/// Scores one pixel.
func score(_ pixel: Pixel, parameters: ModelParameters = ModelParameters()) -> (rate: Float, loss: Float) {
    let block = scoreBlock([pixel], parameters: parameters)
    return (block.rate[0], block.loss[0])
}

private func withOptionalBuffer<R>(_ array: [Float]?, _ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0) }
}

/// Random valid pixels over the whole range of the inputs: every group, soils from sand to clay, stocks from bare
/// to peat, climates from polar (below RothC's pole) to tropical, deserts to rain forest.
func randomPixels(_ count: Int, seed: UInt64, silt: Bool = true, bulkDensity: Bool = false) -> [Pixel] {
    var g = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
        Pixel(soc: Float.random(in: 0...250, using: &g), clay: Float.random(in: 0...70, using: &g),
              silt: silt ? Float.random(in: 0...30, using: &g) : nil,
              bulkDensity: bulkDensity ? Float.random(in: 0.2...1.8, using: &g) : nil,
              tmean: Float.random(in: -30...32, using: &g), precip: Float.random(in: 0...4000, using: &g),
              group: LandCoverGroup.allCases.randomElement(using: &g)!)
    }
}
