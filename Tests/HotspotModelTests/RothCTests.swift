import Foundation
import HotspotModel
import Testing

/// RothC's equations against values worked out by hand from the published formulas (Coleman & Jenkinson 1999).
struct RothCEquationTests {
    @Test func temperatureModifierFollowsTheFormulaAndStopsBelowMinusFive() {
        #expect(abs(RothC.temperatureModifier(20) - 2.82149253049831) < 1e-12)
        #expect(abs(RothC.temperatureModifier(0) - 0.143872428330698) < 1e-12)
        #expect(abs(RothC.temperatureModifier(35) - 5.756493754286062) < 1e-12)
        #expect(abs(RothC.temperatureModifier(-5) - 0.01618811582303663) < 1e-14, "-5 degC still decomposes")
        #expect(RothC.temperatureModifier(-5.01) == 0)
        #expect(RothC.temperatureModifier(-18.27) == 0 && RothC.temperatureModifier(-40) == 0, "no pole, no rise")
    }

    @Test func moistureDeficitAndModifier() {
        // -(20 + 26 - 4) * 30 / 23
        let max = RothC.maximumDeficit(clayPercent: 20, depthCentimetres: 30)
        #expect(abs(max - -54.78260869565217) < 1e-12)
        #expect(RothC.maximumDeficit(clayPercent: 20, depthCentimetres: 23) == -42)
        #expect(RothC.moistureModifier(deficit: 0, maximumDeficit: max) == 1)
        #expect(RothC.moistureModifier(deficit: 0.444 * max * 0.99, maximumDeficit: max) == 1)
        #expect(abs(RothC.moistureModifier(deficit: -40, maximumDeficit: max) - 0.5882608199154962) < 1e-12)
        #expect(abs(RothC.moistureModifier(deficit: max, maximumDeficit: max) - 0.2) < 1e-12)
    }

    @Test func moistureModifiersAreThePeriodicYear() {
        // Dry summer: deficit builds from May, reaches the bound, refills in autumn.
        var precip = Monthly(), pet = Monthly()
        let p: [Double] = [80, 70, 60, 40, 20, 5, 2, 5, 30, 70, 90, 90]
        let e: [Double] = [10, 15, 30, 50, 80, 110, 130, 110, 70, 40, 15, 10]
        for m in 0..<12 { precip[m] = p[m]; pet[m] = e[m] }
        let b = RothC.moistureModifiers(precip: precip, pet: pet, clayPercent: 20, depthCentimetres: 30, bare: false)
        // By hand: the deficit is 0 until April (-10), then -70 -> bound -54.78 in May ... refilled by November.
        let max = -54.78260869565217
        var acc = 0.0
        var expected = [Double]()
        for m in 0..<12 {
            acc = min(0, Swift.max(max, acc + p[m] - e[m]))
            expected.append(acc > 0.444 * max ? 1 : 0.2 + 0.8 * (max - acc) / (max - 0.444 * max))
        }
        for m in 0..<12 { #expect(abs(b[m] - expected[m]) < 1e-12, "month \(m + 1)") }
        #expect(b[6] == 0.2 + 0.0 * 1 || abs(b[6] - 0.2) < 1e-12, "July at the maximum deficit")
        let bare = RothC.moistureModifiers(precip: precip, pet: pet, clayPercent: 20, depthCentimetres: 30, bare: true)
        #expect(abs(bare[6] - (0.2 + 0.8 * (max - max / 1.8) / (max - 0.444 * max))) < 1e-12,
                "bare soil stops drying at max / 1.8")
    }

    @Test func aSmallYearlyDriftRunsUntilTheDeficitRepeats() {
        // 1 mm/month short all year: Decembers at -12, -24, -36, -48, then the bound (-54.78 mm) for good. The
        // periodic year sits at the bound in every month, so b is 0.2 all year (three years would still give 1 in
        // January).
        let b = RothC.moistureModifiers(precip: Sites.monthly(Array(repeating: 50, count: 12)),
                                        pet: Sites.monthly(Array(repeating: 51, count: 12)), clayPercent: 20,
                                        depthCentimetres: 30, bare: false)
        for m in 0..<12 { #expect(abs(b[m] - 0.2) < 1e-12, "month \(m + 1): \(b[m])") }
    }

    @Test func partitionInertCarbonAndOneMonth() {
        #expect(abs(RothC.co2Ratio(clayPercent: 23.4) - 3.514182798867504) < 1e-12)
        #expect(abs(RothC.inertCarbon(socTonnesPerHectare: 50) - 4.220101679015756) < 1e-12)
        #expect(RothC.inertCarbon(socTonnesPerHectare: 0) == 0)
        // One month at modifier 1 of 1 t in every pool, by hand.
        let kept = RothC.keptShares(modifier: 1)
        let k = [10.0, 0.3, 0.66, 0.02]
        for modifier in [0.0, 1e-6, 0.3, 1, 2.5, 4.8, 6] {
            let shares = RothC.keptShares(modifier: modifier)
            for i in 0..<4 {
                let expected = exp(-modifier * k[i] / 12)
                #expect(abs(shares[i] - expected) <= 1e-13 * expected, "pool \(i) at modifier \(modifier)")
            }
        }
        let x = 1.67 * (1.85 + 1.60 * exp(-0.0786 * 23.4))
        let next = RothC.decompose(Pools(1, 1, 1, 1), kept: kept, toBIO: 0.46 / (x + 1), toHUM: 0.54 / (x + 1))
        let decomposed = k.map { 1 - exp(-$0 / 12) }.reduce(0, +)
        #expect(abs(next[0] - exp(-10.0 / 12)) < 1e-13 && abs(next[1] - exp(-0.3 / 12)) < 1e-13)
        #expect(abs(next[2] - (exp(-0.66 / 12) + decomposed * 0.46 / (x + 1))) < 1e-13)
        #expect(abs(next[3] - (exp(-0.02 / 12) + decomposed * 0.54 / (x + 1))) < 1e-13)
        let co2 = 4 - next.sum()
        #expect(abs(co2 - decomposed * x / (x + 1)) < 1e-14, "carbon is conserved: the rest is CO2")
    }
}

/// An independent month-by-month RothC (scalar, no SIMD, no shared code with the model) to check the closed forms.
struct MonthlyStepper {
    var clay: Double
    var modifiers: [Double]  // a * b * c per month
    var dpmRpm: Double

    func run(_ pools: [Double], input: Double, months: Int) -> [Double] {
        var p = pools
        let k = [10.0, 0.3, 0.66, 0.02]
        let x = 1.67 * (1.85 + 1.60 * exp(-0.0786 * clay))
        for step in 0..<months {
            let rm = modifiers[step % 12]
            var decomposed = 0.0
            for i in 0..<4 {
                let left = p[i] * exp(-rm * k[i] / 12)
                decomposed += p[i] - left
                p[i] = left
            }
            p[2] += decomposed * 0.46 / (x + 1)
            p[3] += decomposed * 0.54 / (x + 1)
            p[0] += input / 12 * dpmRpm / (dpmRpm + 1)
            p[1] += input / 12 / (dpmRpm + 1)
        }
        return p
    }
}

/// A temperate and a tropical site with a dry season, and their monthly modifiers as the model computes them.
enum Sites {
    static func monthly(_ values: [Double]) -> Monthly {
        var m = Monthly()
        for (i, v) in values.enumerated() { m[i] = v }
        return m
    }

    static let temperate = Site(
        soc: 48, clay: 23.4, tmean: monthly([3.4, 3.6, 5.1, 7.3, 11, 13.9, 16, 16, 13.5, 10.2, 6.1, 4.6]),
        precip: monthly([74, 59, 62, 51, 52, 57, 34, 55, 58, 56, 75, 71]),
        pet: monthly([8, 10, 27, 49, 83, 99, 103, 91, 59, 30, 13, 8]), group: .cropland)

    static let tropical = Site(
        soc: 35, clay: 40, tmean: monthly([26, 26.5, 27, 27.5, 27, 26, 25.5, 25.5, 26, 26.5, 26, 26]),
        precip: monthly([250, 230, 260, 200, 120, 40, 20, 30, 80, 180, 230, 260]),
        pet: monthly([120, 115, 125, 120, 120, 115, 120, 130, 135, 130, 120, 120]), group: .grassland)

    static func modifiers(_ site: Site, warming: Double = 0, p: ModelParameters = ModelParameters()) -> [Double] {
        let bare = p.bareGroups.contains(site.group)
        let b = RothC.moistureModifiers(precip: site.precip, pet: site.pet, clayPercent: site.clayPercent,
                                        depthCentimetres: p.depthCentimetres, bare: bare)
        return (0..<12).map { RothC.temperatureModifier(site.tmean[$0] + warming) * b[$0] * (bare ? 1 : 0.6) }
    }
}

struct AnnualMapTests {
    func map(_ site: Site, warming: Double = 0) -> AnnualMap {
        AnnualMap(monthlyModifiers: Sites.monthly(Sites.modifiers(site, warming: warming)),
                  clayPercent: site.clayPercent, dpmShare: 1.44 / 2.44)
    }

    @Test func closedFormYearsEqualSixHundredYearsOfMonthlySteps() {
        for site in [Sites.temperate, Sites.tropical] {
            let stepper = MonthlyStepper(clay: site.clayPercent, modifiers: Sites.modifiers(site), dpmRpm: 1.44)
            let start = [0.3, 4.0, 1.1, 30.0]
            let stepped = stepper.run(start, input: 2.5, months: 600 * 12)
            let closed = map(site).pools(after: 600, from: Pools(start[0], start[1], start[2], start[3]), input: 2.5)
            for i in 0..<4 { #expect(abs(closed[i] - stepped[i]) <= 1e-9 * stepped[i], "pool \(i)") }
        }
    }

    @Test func equilibriumIsTheLimitOfMonthlyStepsAndAFixedPoint() throws {
        // Tropical: HUM turns over in decades, so 600 years from empty pools reach the equilibrium.
        let site = Sites.tropical
        let stepper = MonthlyStepper(clay: site.clayPercent, modifiers: Sites.modifiers(site), dpmRpm: 1.44)
        let unit = try #require(map(site).equilibriumPerUnitInput)
        let fromEmpty = stepper.run([0, 0, 0, 0], input: 1, months: 600 * 12)
        for i in 0..<4 { #expect(abs(unit[i] - fromEmpty[i]) <= 1e-6 * unit[i], "pool \(i) from empty") }
        // Temperate: slower, but the equilibrium stays put under 600 years of monthly steps.
        let temperate = try #require(map(Sites.temperate).equilibriumPerUnitInput)
        let slow = MonthlyStepper(clay: 23.4, modifiers: Sites.modifiers(Sites.temperate), dpmRpm: 1.44)
        let kept = slow.run([temperate[0], temperate[1], temperate[2], temperate[3]], input: 1, months: 600 * 12)
        for i in 0..<4 { #expect(abs(kept[i] - temperate[i]) <= 1e-6 * temperate[i], "pool \(i) stays") }
    }

    @Test func aFrozenSoilHasNoEquilibrium() {
        let frozen = AnnualMap(monthlyModifiers: Monthly(), clayPercent: 20, dpmShare: 0.5)
        #expect(frozen.equilibriumPerUnitInput == nil)
        #expect(frozen.apply(Pools(1, 2, 3, 4)) == Pools(1, 2, 3, 4))
    }
}

struct SiteScenarioTests {
    let p = ModelParameters()

    @Test func initialisationReproducesTheObservedStock() throws {
        for site in [Sites.temperate, Sites.tropical] {
            let s = try #require(SiteScenarios(site, parameters: p))
            #expect(abs(s.pools.sum() + s.inertCarbon - site.socTonnesPerHectare) < 1e-10)
            #expect(abs(s.inertCarbon - 0.049 * pow(site.socTonnesPerHectare, 1.139)) < 1e-12)
            // The input found keeps the stock: 20 years of monthly steps from the pools with it change nothing.
            let stepper = MonthlyStepper(clay: site.clayPercent, modifiers: Sites.modifiers(site), dpmRpm: 1.44)
            let after = stepper.run([s.pools[0], s.pools[1], s.pools[2], s.pools[3]], input: s.equilibriumInput,
                                    months: 240)
            #expect(abs(after.reduce(0, +) - s.pools.sum()) < 1e-9 * s.pools.sum())
            #expect(s.equilibriumInput > 0.5 && s.equilibriumInput < 20, "a plausible input: \(s.equilibriumInput)")
        }
    }

    @Test func scenarioRatesEqualMonthlyStepsOfRaisedInputs() throws {
        for site in [Sites.temperate, Sites.tropical] {
            let s = try #require(SiteScenarios(site, parameters: p))
            let stepper = MonthlyStepper(clay: site.clayPercent, modifiers: Sites.modifiers(site), dpmRpm: 1.44)
            let start = [s.pools[0], s.pools[1], s.pools[2], s.pools[3]]
            let bau = stepper.run(start, input: s.equilibriumInput, months: 240).reduce(0, +)
            for increase in [0.05, 0.10, 0.20] {
                let ssm = stepper.run(start, input: s.equilibriumInput * (1 + increase), months: 240).reduce(0, +)
                let expected = (ssm - bau) / 20
                #expect(abs(s.rate(increase: increase) - expected) <= 1e-9 * expected, "+\(increase)")
            }
        }
    }

    @Test func warmingLossEqualsMonthlyStepsOfTheWarmedClimate() throws {
        for site in [Sites.temperate, Sites.tropical] {
            let s = try #require(SiteScenarios(site, parameters: p))
            let warmed = MonthlyStepper(clay: site.clayPercent, modifiers: Sites.modifiers(site, warming: 2),
                                        dpmRpm: 1.44)
            let after = warmed.run([s.pools[0], s.pools[1], s.pools[2], s.pools[3]], input: s.equilibriumInput,
                                   months: 240).reduce(0, +)
            #expect(abs(s.loss - (s.pools.sum() - after)) <= 1e-9 * s.loss)
            #expect(abs(s.warmedStock - (after + s.inertCarbon)) < 1e-9)
        }
    }

    @Test func lossIsZeroWithoutWarmingAndGrowsWithWarmingAndHorizon() throws {
        var q = p
        q.warmingDegC = 0
        let none = try #require(SiteScenarios(Sites.temperate, parameters: q))
        #expect(abs(none.loss) < 1e-9)
        var previous = 0.0
        for warming in [0.5, 1.0, 2.0, 4.0] {
            q.warmingDegC = warming
            let loss = try #require(SiteScenarios(Sites.temperate, parameters: q)).loss
            #expect(loss > previous && loss < Sites.temperate.socTonnesPerHectare, "\(warming) degC: \(loss)")
            previous = loss
        }
        q.warmingDegC = 2
        previous = 0
        for horizon in [5, 10, 20, 40, 100] {
            q.horizonYears = horizon
            let loss = try #require(SiteScenarios(Sites.temperate, parameters: q)).loss
            #expect(loss > previous, "\(horizon) years: \(loss)")
            previous = loss
        }
    }

    @Test func coldSoilsNoLongerLoseTheirWholeStock() throws {
        // Version 1 gave this site (annual mean about -10 degC) a loss of its whole stock; RothC gives a few percent.
        let cold = Site(soc: 120, clay: 15,
                        tmean: Sites.monthly([-28, -26, -20, -12, -2, 6, 10, 8, 2, -8, -18, -25]),
                        precip: Sites.monthly([15, 12, 12, 15, 20, 35, 50, 55, 35, 25, 20, 15]),
                        pet: Sites.monthly([0, 0, 0, 0, 15, 60, 85, 65, 25, 0, 0, 0]), group: .grassland)
        let s = try #require(SiteScenarios(cold, parameters: p))
        #expect(s.loss > 0 && s.loss < 0.15 * cold.socTonnesPerHectare, "loss \(s.loss) of 120 t/ha")
    }

    @Test func aSoilThatNeverDecomposesKeepsItsStockAndGainsNothing() throws {
        let frozen = Site(soc: 40, clay: 10, tmean: Monthly(repeating: -20), precip: Monthly(repeating: 10),
                          pet: Monthly(), group: .cropland)
        let s = try #require(SiteScenarios(frozen, parameters: p))
        #expect(s.equilibriumInput == 0 && s.rate(increase: 0.1) == 0 && s.loss == 0)
        #expect(abs(s.pools.sum() + s.inertCarbon - 40) < 1e-9)
        // Warmed by 16 degC the months reach -4: it starts to decompose, slowly.
        var q = p
        q.warmingDegC = 16
        let thawing = try #require(SiteScenarios(frozen, parameters: q))
        #expect(thawing.loss > 0 && thawing.loss < 40)
    }

    @Test func ratesAreLinearInTheInputIncreaseAndCappedBySaturationWhenAsked() throws {
        let s = try #require(SiteScenarios(Sites.temperate, parameters: p))
        #expect(abs(s.rate(increase: 0.2) - 4 * s.rate(increase: 0.05)) < 1e-12)
        var capped = Sites.temperate
        capped.saturationStock = 48.5
        let c = try #require(SiteScenarios(capped, parameters: p))
        #expect(abs(c.rate(increase: 0.2) - 0.5 / 20) < 1e-12, "gain at most 0.5 t/ha over 20 years")
        #expect(c.rate(increase: 0.01) < 0.5 / 20)
    }

    @Test func theSaturationCapReadsItsInputsOneWay() {
        var p = ModelParameters()
        #expect(p.saturationStock(clayPercent: 20, siltPercent: 40, bulkDensity: 1.2, coarseFragmentsPercent: 10) == nil,
                "no cap, no stock")
        p.saturationCap = true
        // Hassink by hand: (4.09 + 0.37 (20 + 0.5 * 40)) = 18.89 g/kg * 1.2 g/cm3 * 30 cm * 0.1 * (1 - 0.1) = 61.2036 t/ha.
        let stock = p.saturationStock(clayPercent: 20, siltPercent: 40, bulkDensity: 1.2, coarseFragmentsPercent: 10)
        #expect(abs((stock ?? 0) - 61.2036) < 1e-9)
        #expect(p.saturationStock(clayPercent: 20, siltPercent: nil, bulkDensity: nil, coarseFragmentsPercent: nil)
                == (4.09 + 0.37 * 20) * 1.3 * 3, "missing layers take their defaults")
        var site = Sites.temperate
        site.saturationStock = p.saturationStock(clayPercent: 23.4, siltPercent: 30, bulkDensity: 0,
                                                 coarseFragmentsPercent: nil)
        #expect(SiteScenarios(site, parameters: p) == nil, "a zero bulk density gives no answer, not a cap of 0")
    }

    @Test func invalidInputsAndWaterHaveNoAnswer() {
        var site = Sites.temperate
        site.precip[3] = .nan
        #expect(SiteScenarios(site, parameters: p) == nil)
        site = Sites.temperate
        site.socTonnesPerHectare = -1
        #expect(SiteScenarios(site, parameters: p) == nil)
        site = Sites.temperate
        site.group = .water
        #expect(SiteScenarios(site, parameters: p) == nil)
    }
}

struct BlockScorerTests {
    @Test func blockScorerReadsMonthlyPlanesAndLeavesUnmanagedRatesEmpty() throws {
        // Three pixels: temperate cropland, tropical forest (not managed), and one with a missing month.
        let sites = [Sites.temperate, Sites.tropical, Sites.temperate]
        let groups: [UInt8] = [LandCoverGroup.cropland.rawValue, LandCoverGroup.forest.rawValue,
                               LandCoverGroup.cropland.rawValue]
        let n = 3
        let soc = sites.map { Float($0.socTonnesPerHectare * 10) }  // stored as 0.1 t/ha
        let clay = sites.map { Float($0.clayPercent) }
        var tmean = [Float](repeating: 0, count: 12 * n), precip = tmean, pet = tmean
        for (i, site) in sites.enumerated() {
            for m in 0..<12 {
                tmean[m * n + i] = Float(site.tmean[m])
                precip[m * n + i] = Float(site.precip[m])
                pet[m * n + i] = Float(site.pet[m])
            }
        }
        precip[5 * n + 2] = .nan
        var low = [Float](repeating: 0, count: n), medium = low, high = low, loss = low
        let p = ModelParameters()
        let valid = soc.withUnsafeBufferPointer { soc in clay.withUnsafeBufferPointer { clay in
            tmean.withUnsafeBufferPointer { t in precip.withUnsafeBufferPointer { r in pet.withUnsafeBufferPointer { e in
                groups.withUnsafeBufferPointer { g in
                    low.withUnsafeMutableBufferPointer { low in medium.withUnsafeMutableBufferPointer { medium in
                        high.withUnsafeMutableBufferPointer { high in loss.withUnsafeMutableBufferPointer { loss in
                            var inputs = ScoringInputs(count: n, soc: soc, clay: clay, tmean: t, precip: r, pet: e,
                                                       group: g)
                            inputs.socUnits = UnitConversion(scale: 0.1)
                            return BlockScorer(parameters: p, noData: -9999).score(
                                inputs, range: 0..<n,
                                into: ScenarioBuffers(rateLow: low, rateMedium: medium, rateHigh: high, loss: loss))
                        } }
                    } }
                }
            } } }
        } }
        #expect(valid == 2)
        let outputs = [low, medium, high, loss]
        let temperate = try #require(SiteScenarios(Sites.temperate, parameters: p))
        var forest = Sites.tropical
        forest.group = .forest
        let tropical = try #require(SiteScenarios(forest, parameters: p))
        #expect(outputs[0][0] == Float(temperate.rate(increase: 0.05)))
        #expect(outputs[1][0] == Float(temperate.rate(increase: 0.10)))
        #expect(outputs[2][0] == Float(temperate.rate(increase: 0.20)))
        #expect(abs(outputs[3][0] - Float(temperate.loss)) <= 1e-6 * outputs[3][0], "stored SOC went through scale")
        #expect(outputs[0][1] == -9999 && outputs[1][1] == -9999 && outputs[2][1] == -9999, "forest is not managed")
        #expect(outputs[3][1] == Float(tropical.loss), "but it can lose carbon (with the forest's DPM/RPM)")
        #expect(outputs.allSatisfy { $0[2] == -9999 }, "a missing month is nodata everywhere")
    }
}

struct ThornthwaiteTests {
    @Test func petFollowsThornthwaitesFormulaAndDayLength() {
        // 50 N with a temperate year; worked out with the published formulas (heat index, exponent, FAO-56 day length).
        let pet = Thornthwaite.pet(tmean: Sites.monthly([-2, 0, 4, 8, 12, 16, 20, 19, 15, 10, 5, 1]), latitude: 50)
        let expected = [0, 0, 17.2186504201077, 41.44103971581246, 74.7538110440637, 104.91742565296492,
                        134.82318724011864, 115.54742312593136, 74.84876612296286, 42.089283363599705,
                        16.034113130069336, 2.594572740564414]
        for m in 0..<12 { #expect(abs(pet[m] - expected[m]) <= 1e-9 * max(1, expected[m]), "month \(m + 1)") }
        // At 30 degC on the equator Willmott's polynomial takes over (12 hours of day in January).
        let hot = Thornthwaite.pet(tmean: Monthly(repeating: 30), latitude: 0)
        #expect(abs(hot[0] - 169.82833333333335) < 1e-9)
        #expect(Thornthwaite.pet(tmean: Monthly(repeating: -3), latitude: 70).sum() == 0, "no PET below freezing")
    }
}
