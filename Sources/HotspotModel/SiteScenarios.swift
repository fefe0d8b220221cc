/// One pixel's inputs in model units: the SOC stock over the topsoil, clay, the monthly climatology and the
/// land-cover group; `saturationStock` only when the saturation cap is on.
public struct Site: Sendable, Equatable {
    public var socTonnesPerHectare: Double
    public var clayPercent: Double
    /// Monthly mean air temperature (degC), precipitation and potential evapotranspiration (mm/month).
    public var tmean: Monthly
    public var precip: Monthly
    public var pet: Monthly
    public var group: LandCoverGroup
    /// Hassink's saturation stock (t C/ha) that caps the scenario gains; nil: no cap.
    public var saturationStock: Double?

    public init(soc: Double, clay: Double, tmean: Monthly, precip: Monthly, pet: Monthly, group: LandCoverGroup,
                saturationStock: Double? = nil) {
        socTonnesPerHectare = soc
        clayPercent = clay
        self.tmean = tmean
        self.precip = precip
        self.pet = pet
        self.group = group
        self.saturationStock = saturationStock
    }

    /// Every input is a number in its range (NaN fails every comparison), the group is land, and the saturation
    /// stock, when the cap is on, could be computed.
    @inlinable
    public var isValid: Bool {
        guard socTonnesPerHectare >= 0, socTonnesPerHectare.isFinite, clayPercent >= 0, clayPercent <= 100,
              group != .water, saturationStock?.isFinite ?? true else { return false }
        for month in 0..<12 {
            guard tmean[month].isFinite, precip[month] >= 0, precip[month].isFinite, pet[month] >= 0,
                  pet[month].isFinite else { return false }
        }
        return true
    }
}

/// What RothC says of one pixel under the run's scenarios (FAO GSOCseq's design): initialised at the equilibrium
/// that reproduces the observed stock, then run `horizonYears` with raised inputs (sequestration) and with warming
/// (loss), all in closed form from the annual map.
public struct SiteScenarios: Sendable, Equatable {
    /// Inert organic matter (Falloon 1998), t C/ha.
    public var inertCarbon: Double
    /// The annual carbon input whose equilibrium is the observed stock, t C/ha/yr (0 where the soil never decomposes).
    public var equilibriumInput: Double
    /// The active pools at equilibrium (DPM, RPM, BIO, HUM), t C/ha.
    public var pools: Pools
    /// Means over the year of the monthly rate modifiers a (temperature) and b (moisture), and the cover modifier c.
    public var meanTemperatureModifier: Double
    public var meanMoistureModifier: Double
    public var coverModifier: Double
    /// The mean temperature modifier under warming.
    public var warmedTemperatureModifier: Double
    /// SOC gained over the horizon above business as usual per unit of relative input increase, t C/ha
    /// (a +10 % scenario gains a tenth of it: the gains are linear in the input).
    public var gainPerUnitIncrease: Double
    /// The most the scenarios may gain over the horizon (saturation cap), t C/ha; nil: uncapped.
    public var gainCap: Double?
    /// SOC after the horizon under warming, t C/ha (IOM included).
    public var warmedStock: Double
    /// SOC lost over the horizon under warming against business as usual, t C/ha (never more than the stock).
    public var loss: Double
    public var horizonYears: Int

    /// The sequestration rate (t C/ha/yr) of a scenario raising the inputs by `increase` (0.1 for +10 %).
    @inlinable
    public func rate(increase: Double) -> Double {
        var gain = increase * gainPerUnitIncrease
        if let gainCap { gain = Swift.min(gain, gainCap) }
        return gain / Double(horizonYears)
    }

    /// Evaluates a site; nil when an input is missing or out of range, or the pixel is water.
    @inlinable
    public init?(_ site: Site, parameters p: ModelParameters) {
        guard site.isValid else { return nil }
        let bare = p.bareGroups.contains(site.group)
        let cover = bare ? RothC.bareModifier : RothC.coveredModifier
        let moisture = RothC.moistureModifiers(precip: site.precip, pet: site.pet, clayPercent: site.clayPercent,
                                               depthCentimetres: p.depthCentimetres, bare: bare)
        var temperature = Monthly(), warmed = Monthly()
        for month in 0..<12 {
            temperature[month] = RothC.temperatureModifier(site.tmean[month])
            warmed[month] = RothC.temperatureModifier(site.tmean[month] + p.warmingDegC)
        }
        let share = p.dpmShare(site.group)
        let base = AnnualMap(monthlyModifiers: temperature * moisture * cover, clayPercent: site.clayPercent,
                             dpmShare: share)
        let soc = site.socTonnesPerHectare
        inertCarbon = RothC.inertCarbon(socTonnesPerHectare: soc)
        let active = Swift.max(0, soc - inertCarbon)
        if let unit = base.equilibriumPerUnitInput, unit.sum() > 0 {
            equilibriumInput = active / unit.sum()
            pools = unit * equilibriumInput
        } else {
            // A soil that never decomposes has no equilibrium input: it keeps its stock with none. Its pools are
            // split as those of a soil about to decompose (a tiny uniform modifier), for the warming run.
            let thawing = AnnualMap(monthlyModifiers: Monthly(repeating: 1e-6), clayPercent: site.clayPercent,
                                    dpmShare: share)
            let unit = thawing.equilibriumPerUnitInput ?? Pools(0, 0, 0, 1)
            equilibriumInput = 0
            pools = unit * (active / unit.sum())
        }
        // Lanes 12-15 are zero in all three.
        meanTemperatureModifier = temperature.sum() / 12
        meanMoistureModifier = moisture.sum() / 12
        warmedTemperatureModifier = warmed.sum() / 12
        coverModifier = cover
        horizonYears = p.horizonYears
        gainPerUnitIncrease = equilibriumInput * base.pools(after: p.horizonYears, from: Pools(), input: 1).sum()
        gainCap = site.saturationStock.map { Swift.max(0, $0 - soc) }
        let warmedMap = AnnualMap(monthlyModifiers: warmed * moisture * cover, clayPercent: site.clayPercent,
                                  dpmShare: share)
        let after = warmedMap.pools(after: p.horizonYears, from: pools, input: equilibriumInput)
        warmedStock = after.sum() + inertCarbon
        // Warming only speeds decomposition, so the loss is >= 0 but for rounding, and the pools cannot go below 0,
        // so it is at most the active stock.
        loss = Swift.max(0, pools.sum() - after.sum())
    }
}
