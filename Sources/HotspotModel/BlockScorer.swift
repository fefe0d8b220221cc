/// How stored values become model units: `value * scale + offset`, applied in double precision by the scorer (in
/// float the saturation deficit of a nearly saturated soil would lose most of its digits).
public struct UnitConversion: Sendable, Equatable {
    public var scale: Double
    public var offset: Double

    public init(scale: Double = 1, offset: Double = 0) {
        self.scale = scale
        self.offset = offset
    }

    public static let identity = UnitConversion()

    @inlinable
    public func apply(_ stored: Float) -> Double { Double(stored) * scale + offset }
}

/// The inputs of one block of pixels, aligned on the target grid, as stored (see `conversions`). Nodata is NaN
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
    /// Stored values to model units, per layer.
    public var socUnits = UnitConversion.identity, clayUnits = UnitConversion.identity, siltUnits = UnitConversion.identity
    public var bulkDensityUnits = UnitConversion.identity, tmeanUnits = UnitConversion.identity
    public var precipUnits = UnitConversion.identity

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
    /// Arithmetic is in double precision; results are stored as Float.
    @discardableResult
    public func score(
        _ inputs: ScoringInputs, range: Range<Int>,
        rate: UnsafeMutableBufferPointer<Float>, loss: UnsafeMutableBufferPointer<Float>
    ) -> Int {
        let p = parameters
        let manageable = p.manageable.values
        let vulnerability = p.vulnerability.values
        let depthFactor = p.depthCentimetres * 0.1
        let horizon = p.horizonYears
        let rMax = p.rMaxTonnesPerHectareYear
        let warming = p.warmingDegC, sensitivity = p.sensitivity
        let bulkDensityDefault = p.bulkDensityDefault
        let groupCount = UInt8(LandCoverGroup.allCases.count)
        var valid = 0
        manageable.withUnsafeBufferPointer { manageable in
            vulnerability.withUnsafeBufferPointer { vulnerability in
                for i in range {
                    let soc = inputs.socUnits.apply(inputs.soc[i]), clay = inputs.clayUnits.apply(inputs.clay[i])
                    let t = inputs.tmeanUnits.apply(inputs.tmean[i]), precip = inputs.precipUnits.apply(inputs.precip[i])
                    let g = inputs.group[i]
                    let silt = inputs.silt.map { inputs.siltUnits.apply($0[i]) } ?? 0
                    let bd = inputs.bulkDensity.map { inputs.bulkDensityUnits.apply($0[i]) } ?? bulkDensityDefault
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
                    rate[i] = Float(min(deficit / horizon, rMax * npp / 3000) * manageable[Int(g)])
                    let w = LossModel.warmingResponse(tmeanDegC: t, warmingDegC: warming)
                    loss[i] = Float(soc * min(1, vulnerability[Int(g)] + sensitivity * w))
                    valid += 1
                }
            }
        }
        return valid
    }
}
