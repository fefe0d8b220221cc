/// The inputs of one block of pixels, aligned on the target grid, as stored (see the unit conversions). Nodata is NaN
/// (or `LandCoverGroup.noDataCode` for the group). Monthly layers hold twelve planes of `count` pixels, January first.
public struct ScoringInputs {
    public var count: Int
    public var soc: UnsafeBufferPointer<Float>
    public var clay: UnsafeBufferPointer<Float>
    public var tmean: UnsafeBufferPointer<Float>
    public var precip: UnsafeBufferPointer<Float>
    public var pet: UnsafeBufferPointer<Float>
    /// Land-cover group raw values (see `LandCoverGroup`).
    public var group: UnsafeBufferPointer<UInt8>
    /// Only read by the saturation cap: nil silt counts as none, nil bulk density is `bulkDensityDefault`, nil
    /// coarse fragments as none.
    public var silt: UnsafeBufferPointer<Float>?
    public var bulkDensity: UnsafeBufferPointer<Float>?
    public var coarseFragments: UnsafeBufferPointer<Float>?
    /// Stored values to model units, per layer.
    public var socUnits = UnitConversion.identity, clayUnits = UnitConversion.identity
    public var tmeanUnits = UnitConversion.identity, precipUnits = UnitConversion.identity
    public var petUnits = UnitConversion.identity, siltUnits = UnitConversion.identity
    public var bulkDensityUnits = UnitConversion.identity, coarseFragmentsUnits = UnitConversion.identity

    public init(
        count: Int, soc: UnsafeBufferPointer<Float>, clay: UnsafeBufferPointer<Float>,
        tmean: UnsafeBufferPointer<Float>, precip: UnsafeBufferPointer<Float>, pet: UnsafeBufferPointer<Float>,
        group: UnsafeBufferPointer<UInt8>
    ) {
        self.count = count
        self.soc = soc
        self.clay = clay
        self.tmean = tmean
        self.precip = precip
        self.pet = pet
        self.group = group
    }

    /// The site at pixel `i` in model units.
    @inlinable
    public func site(_ i: Int, parameters p: ModelParameters) -> Site? {
        let g = group[i]
        guard let group = LandCoverGroup(rawValue: g) else { return nil }
        var t = Monthly(), r = Monthly(), e = Monthly()
        for month in 0..<12 {
            t[month] = tmeanUnits.apply(tmean[month * count + i])
            r[month] = precipUnits.apply(precip[month * count + i])
            e[month] = petUnits.apply(pet[month * count + i])
        }
        let soc = socUnits.apply(self.soc[i]), clay = clayUnits.apply(self.clay[i])
        var site = Site(soc: soc, clay: clay, tmean: t, precip: r, pet: e, group: group)
        if p.saturationCap {
            site.saturationStock = p.saturationStock(
                clayPercent: clay, siltPercent: silt.map { siltUnits.apply($0[i]) },
                bulkDensity: bulkDensity.map { bulkDensityUnits.apply($0[i]) },
                coarseFragmentsPercent: coarseFragments.map { coarseFragmentsUnits.apply($0[i]) })
        }
        return site
    }
}

/// The physical rasters of a block: the three scenario rates (t C/ha/yr) and the expected loss (t C/ha).
public struct ScenarioBuffers {
    public var rateLow: UnsafeMutableBufferPointer<Float>
    public var rateMedium: UnsafeMutableBufferPointer<Float>
    public var rateHigh: UnsafeMutableBufferPointer<Float>
    public var loss: UnsafeMutableBufferPointer<Float>

    public init(rateLow: UnsafeMutableBufferPointer<Float>, rateMedium: UnsafeMutableBufferPointer<Float>,
                rateHigh: UnsafeMutableBufferPointer<Float>, loss: UnsafeMutableBufferPointer<Float>) {
        self.rateLow = rateLow
        self.rateMedium = rateMedium
        self.rateHigh = rateHigh
        self.loss = loss
    }
}

/// Scores whole blocks: RothC's scenario rates and warming loss of every pixel.
///
/// One pass over plain buffers with no allocation and no C call per pixel but libm's; callers split a block across
/// cores. Arithmetic is in double precision; results are stored as Float.
public struct BlockScorer: Sendable {
    public let parameters: ModelParameters
    /// Value written where any required input is nodata (and in the rates of groups that are not managed).
    public let noData: Float

    public init(parameters: ModelParameters, noData: Float) {
        self.parameters = parameters
        self.noData = noData
    }

    /// Computes the outputs for `range` of the block; returns the number of valid pixels.
    @discardableResult
    public func score(_ inputs: ScoringInputs, range: Range<Int>, into out: ScenarioBuffers) -> Int {
        let p = parameters
        let managed = LandCoverGroup.allCases.map { p.managedGroups.contains($0) }
        var valid = 0
        for i in range {
            guard let site = inputs.site(i, parameters: p), let s = SiteScenarios(site, parameters: p) else {
                out.rateLow[i] = noData
                out.rateMedium[i] = noData
                out.rateHigh[i] = noData
                out.loss[i] = noData
                continue
            }
            if managed[Int(site.group.rawValue)] {
                out.rateLow[i] = Float(s.rate(increase: p.scenarios.low))
                out.rateMedium[i] = Float(s.rate(increase: p.scenarios.medium))
                out.rateHigh[i] = Float(s.rate(increase: p.scenarios.high))
            } else {
                out.rateLow[i] = noData
                out.rateMedium[i] = noData
                out.rateHigh[i] = noData
            }
            out.loss[i] = Float(s.loss)
            valid += 1
        }
        return valid
    }
}
