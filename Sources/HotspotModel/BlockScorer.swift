/// The inputs of one block of pixels, aligned on the target grid, in model units. Nodata is NaN
/// (or `LandCoverGroup.noDataCode` for the group).
public struct ScoringInputs {
    public var soc: UnsafeBufferPointer<Float>
    public var clay: UnsafeBufferPointer<Float>
    /// Nil when no silt layer is configured: the fine fraction is then clay alone.
    public var silt: UnsafeBufferPointer<Float>?
    /// Nil when no bulk-density layer is configured: `bulkDensityDefault` is used.
    public var bulkDensity: UnsafeBufferPointer<Float>?
    public var tmean: UnsafeBufferPointer<Float>
    public var precip: UnsafeBufferPointer<Float>
    /// Land-cover group raw values (see `LandCoverGroup`).
    public var group: UnsafeBufferPointer<UInt8>

    public init(
        soc: UnsafeBufferPointer<Float>, clay: UnsafeBufferPointer<Float>, silt: UnsafeBufferPointer<Float>?,
        bulkDensity: UnsafeBufferPointer<Float>?, tmean: UnsafeBufferPointer<Float>,
        precip: UnsafeBufferPointer<Float>, group: UnsafeBufferPointer<UInt8>
    ) {
        self.soc = soc
        self.clay = clay
        self.silt = silt
        self.bulkDensity = bulkDensity
        self.tmean = tmean
        self.precip = precip
        self.group = group
    }

    public var count: Int { soc.count }
}

/// Scores whole blocks: the physical sequestration rate and expected loss of every pixel.
///
/// One pass over plain buffers with no allocation and no C call per pixel; callers split a block across cores.
public struct BlockScorer: Sendable {
    public let parameters: ModelParameters
    /// Value written where any required input is nodata.
    public let noData: Float

    public init(parameters: ModelParameters, noData: Float) {
        self.parameters = parameters
        self.noData = noData
    }

    /// Computes `rate` (t C/ha/yr) and `loss` (t C/ha) for `range` of the block; returns the number of valid pixels.
    @discardableResult
    public func score(
        _ inputs: ScoringInputs, range: Range<Int>,
        rate: UnsafeMutableBufferPointer<Float>, loss: UnsafeMutableBufferPointer<Float>
    ) -> Int {
        let p = parameters
        let manageable = p.manageable.values
        let vulnerability = p.vulnerability.values
        let depthFactor = p.depthCentimetres * 0.1
        let inverseHorizon = 1 / p.horizonYears
        let rMaxPerNpp = p.rMaxTonnesPerHectareYear / 3000
        let groupCount = UInt8(LandCoverGroup.allCases.count)
        var valid = 0
        manageable.withUnsafeBufferPointer { manageable in
            vulnerability.withUnsafeBufferPointer { vulnerability in
                for i in range {
                    let soc = inputs.soc[i], clay = inputs.clay[i], t = inputs.tmean[i], precip = inputs.precip[i]
                    let g = inputs.group[i]
                    let silt = inputs.silt?[i] ?? 0
                    let bd = inputs.bulkDensity?[i] ?? p.bulkDensityDefault
                    // NaN fails every comparison, so one test per input catches nodata.
                    guard g < groupCount, soc >= 0, clay >= 0, silt >= 0, bd > 0, precip >= 0, t.isFinite else {
                        rate[i] = noData
                        loss[i] = noData
                        continue
                    }
                    let saturation = SequestrationModel.saturationGramsPerKilogram(finePercent: clay + silt)
                        * bd * depthFactor
                    let deficit = max(0, saturation - soc)
                    let npp = SequestrationModel.npp(precipMillimetres: precip, tmeanDegC: t)
                    rate[i] = min(deficit * inverseHorizon, rMaxPerNpp * npp) * manageable[Int(g)]
                    let w = LossModel.warmingResponse(tmeanDegC: t, warmingDegC: p.warmingDegC)
                    loss[i] = soc * min(1, vulnerability[Int(g)] + p.sensitivity * w)
                    valid += 1
                }
            }
        }
        return valid
    }
}
