import HotspotModel
import Testing

struct BlockScorerTests {
    let reference = ReferenceModel()

    @Test func croplandRateIsTheDeficitOverTheHorizonWhereTheDeficitLimits() {
        // Sandy soil 2 t/ha short of saturation: (4.09 + 0.37 * 12) * 1.3 * 30 * 0.1 = 33.267 t/ha.
        let pixel = Pixel(soc: 31.267, clay: 5, silt: 7, tmean: 15, precip: 800, group: .cropland)
        let expected = reference.terms(pixel)
        #expect(abs(expected.saturationStock - 33.267) < 1e-9)
        #expect(abs(expected.rate - 0.1) < 1e-6, "2 t/ha over 20 years")
        #expect(expected.deficitRate < expected.productivityRate, "the case is deficit-limited")
        let (rate, loss) = score(pixel)
        #expect(isClose(rate, expected.rate))
        #expect(isClose(loss, expected.loss))
    }

    @Test func croplandRateIsMiamiProductivityWhereNPPLimits() {
        // Clay-rich, carbon-poor soil in a dry climate: NPP = 3000 * (1 - exp(-0.000664 * 300)) = 541.842 g/m2/yr.
        let pixel = Pixel(soc: 20, clay: 30, silt: 40, tmean: 20, precip: 300, group: .cropland)
        let expected = reference.terms(pixel)
        #expect(expected.productivityRate < expected.deficitRate, "the case is productivity-limited")
        #expect(abs(expected.rate - 0.180614000256) < 1e-11, "worked out separately")
        #expect(abs(expected.loss - 4.376747015246) < 1e-11, "worked out separately")
        let (rate, loss) = score(pixel)
        #expect(isClose(rate, expected.rate))
        #expect(isClose(loss, expected.loss))
    }

    @Test func grasslandInTheColdIsLimitedByTemperatureAndScaledByItsLandUseFactor() {
        // Temperature-limited NPP: 3000 / (1 + exp(1.315 + 0.119 * 5)) = 386.943; times 0.7 for grassland.
        let pixel = Pixel(soc: 40, clay: 25, silt: 35, tmean: -5, precip: 2000, group: .grassland)
        let expected = reference.terms(pixel)
        #expect(expected.nppByTemperature < expected.nppByPrecipitation)
        #expect(abs(expected.rate - 0.090286596502) < 1e-11, "worked out separately")
        let (rate, loss) = score(pixel)
        #expect(isClose(rate, expected.rate))
        #expect(isClose(loss, expected.loss))
    }

    @Test func wetlandSequestersNothingAndLosesAtLeastHalfItsStock() {
        let pixel = Pixel(soc: 200, clay: 20, silt: 30, tmean: 10, precip: 900, group: .wetland)
        let expected = reference.terms(pixel)
        let (rate, loss) = score(pixel)
        #expect(rate == 0)
        #expect(isClose(loss, expected.loss))
        #expect(isClose(loss, 200 * (0.5 + 0.5 * expected.warmingResponse)))
        #expect(loss >= 100)
    }

    @Test func withoutASiltLayerTheFineFractionIsClayAlone() {
        // Deficit-limited, so the fine fraction shows in the rate.
        let noSilt = Pixel(soc: 20, clay: 10, tmean: 25, precip: 3000, group: .cropland)
        let expected = reference.terms(noSilt)
        #expect(expected.finePercent == 10 && expected.deficitRate < expected.productivityRate)
        let rate = score(noSilt).rate
        #expect(isClose(rate, expected.rate))
        var zeroSilt = noSilt, someSilt = noSilt
        zeroSilt.silt = 0
        someSilt.silt = 20
        #expect(score(zeroSilt).rate == rate, "no layer counts as silt 0")
        #expect(isClose(score(someSilt).rate, reference.terms(someSilt).rate))
        #expect(score(someSilt).rate > rate)
    }

    @Test func aBulkDensityLayerReplacesTheDefaultOf1_3() {
        // Deficit-limited at every density tried (productivity allows 0.905 t/ha/yr here).
        let withDefault = Pixel(soc: 24, clay: 8, silt: 4, tmean: 30, precip: 4000, group: .cropland)
        let defaultRate = score(withDefault).rate
        #expect(isClose(defaultRate, reference.terms(withDefault).rate))
        for bd: Float in [1.0, 1.3, 1.6] {
            var pixel = withDefault
            pixel.bulkDensity = bd
            let expected = reference.terms(pixel)
            #expect(expected.deficitRate < expected.productivityRate, "bd \(bd): deficit-limited")
            let rate = score(pixel).rate
            #expect(isClose(rate, expected.rate), "bd \(bd)")
            // A layer stores 1.3 as the Float 1.29999995; the default is the Double 1.3.
            if bd == 1.3 { #expect(isClose(rate, Double(defaultRate), relative: 1e-6)) } else { #expect(rate != defaultRate) }
        }
    }

    @Test func aNearlySaturatedSoilKeepsTheDigitsOfItsDeficit() {
        // 0.01 t/ha short of saturation with the default density: (4.09 + 0.37 * 40) * 1.3 * 3 - 0.01 = 73.661 t/ha.
        let pixel = Pixel(soc: 73.661, clay: 25, silt: 15, tmean: 12, precip: 900, group: .cropland)
        let expected = reference.terms(pixel)
        #expect(abs(expected.deficit - 0.01) < 1e-5)
        #expect(isClose(score(pixel).rate, expected.rate, relative: 1e-3))
        #expect(isClose(score(pixel).rate, expected.rate), "\(score(pixel).rate) vs \(expected.rate)")
    }

    struct NoDataCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var pixel: Pixel
    }

    static let valid = Pixel(soc: 30, clay: 20, silt: 30, bulkDensity: 1.2, tmean: 10, precip: 800, group: .cropland)

    static let noDataCases: [NoDataCase] = [
        NoDataCase(testDescription: "soc NaN", pixel: { var p = valid; p.soc = .nan; return p }()),
        NoDataCase(testDescription: "clay NaN", pixel: { var p = valid; p.clay = .nan; return p }()),
        NoDataCase(testDescription: "silt NaN", pixel: { var p = valid; p.silt = .nan; return p }()),
        NoDataCase(testDescription: "bulk density NaN", pixel: { var p = valid; p.bulkDensity = .nan; return p }()),
        NoDataCase(testDescription: "tmean NaN", pixel: { var p = valid; p.tmean = .nan; return p }()),
        NoDataCase(testDescription: "precip NaN", pixel: { var p = valid; p.precip = .nan; return p }()),
        NoDataCase(testDescription: "group 255", pixel: { var p = valid; p.group = LandCoverGroup.noDataCode; return p }()),
        NoDataCase(testDescription: "group 9 (no such group)", pixel: { var p = valid; p.group = 9; return p }()),
    ]

    @Test(arguments: noDataCases)
    func nodataInAnyInputGivesNodataInBothOutputs(_ bad: NoDataCase) {
        let neighbour = Self.valid
        let block = scoreBlock([neighbour, bad.pixel, neighbour], noData: -9999)
        #expect(block.valid == 2)
        #expect(block.rate[1] == -9999 && block.loss[1] == -9999)
        let expected = reference.terms(neighbour)
        for i in [0, 2] {
            #expect(isClose(block.rate[i], expected.rate) && isClose(block.loss[i], expected.loss), "neighbour \(i)")
        }
        let nanBlock = scoreBlock([neighbour, bad.pixel], noData: .nan)
        #expect(nanBlock.rate[1].isNaN && nanBlock.loss[1].isNaN && nanBlock.valid == 1)
    }

    @Test(arguments: [Float(-18.27), -18.5, -19, -20.1])
    func tooColdToDecomposeNowButNotAfterWarmingLosesTheWholeStock(_ tmean: Float) {
        #expect(ReferenceModel.rothC(Double(tmean)) == 0 && ReferenceModel.rothC(Double(tmean) + 2) > 0)
        let pixel = Pixel(soc: 50, clay: 20, silt: 30, tmean: tmean, precip: 300, group: .grassland)
        #expect(reference.terms(pixel).warmingResponse == .infinity)
        let (rate, loss) = score(pixel)
        #expect(loss == 50)
        #expect(isClose(rate, reference.terms(pixel).rate) && rate > 0)
    }

    @Test(arguments: [Float(-20.5), -25, -40])
    func tooColdEvenAfterWarmingLosesOnlyItsVulnerableShare(_ tmean: Float) {
        #expect(ReferenceModel.rothC(Double(tmean) + 2) == 0)
        let pixel = Pixel(soc: 50, clay: 20, silt: 30, tmean: tmean, precip: 300, group: .grassland)
        #expect(reference.terms(pixel).warmingResponse == 0)
        let (rate, loss) = score(pixel)
        #expect(isClose(loss, 5), "grassland vulnerability 0.1 of 50 t/ha")
        #expect(isClose(rate, reference.terms(pixel).rate))
    }

    @Test func rothCModifierIsZeroAtAndBelowItsPole() {
        #expect(LossModel.rothCModifier(-18.27) == 0)
        #expect(LossModel.rothCModifier(-30) == 0)
        #expect(LossModel.rothCModifier(-18) > 0)
        for t in stride(from: -18.0, through: 40, by: 0.5) {
            #expect(abs(LossModel.rothCModifier(t) - ReferenceModel.rothC(t)) <= 1e-12 * ReferenceModel.rothC(t))
        }
    }

    @Test func lossIsCappedAtTheWholeStock() {
        var steep = ReferenceModel()
        steep.sensitivity = 20
        for (model, t) in [(reference, Float(-10)), (reference, -18), (reference, -5), (steep, 25)] {
            // Cropland: 0.15 + sensitivity * w > 1 in each case.
            let pixel = Pixel(soc: 80, clay: 20, silt: 30, tmean: t, precip: 500, group: .cropland)
            let terms = model.terms(pixel)
            #expect(0.15 + model.sensitivity * terms.warmingResponse > 1, "uncapped fraction above 1 at \(t)")
            #expect(score(pixel, parameters: model.parameters).loss == 80, "at \(t) degC")
        }
        for pixel in randomPixels(2000, seed: 11) {
            let loss = score(pixel).loss
            #expect(loss <= pixel.soc && loss >= 0, "\(pixel.testDescription)")
        }
    }

    @Test func randomPixelsMatchTheFormulas() {
        let cases = [(silt: true, bd: false, seed: UInt64(1)), (false, false, 2), (true, true, 3), (false, true, 4)]
        for (silt, bd, seed) in cases {
            let pixels = randomPixels(5000, seed: seed, silt: silt, bulkDensity: bd)
            let block = scoreBlock(pixels)
            #expect(block.valid == pixels.count)
            var mismatches = 0
            for (i, pixel) in pixels.enumerated() {
                let expected = reference.terms(pixel)
                // The parameters are Float (1.3 is stored as 1.29999995), so the saturation stock carries a relative
                // error of about 4e-8, which the deficit of a nearly saturated soil magnifies: allow for that term.
                let conditioning = 1e-7 * expected.saturationStock / 20
                let rateOK = abs(Double(block.rate[i]) - expected.rate) <= 1e-5 * expected.rate + conditioning
                if !rateOK || !isClose(block.loss[i], expected.loss) {
                    mismatches += 1
                    if mismatches <= 5 {
                        let message = "\(pixel.testDescription): rate \(block.rate[i]) vs \(expected.rate), "
                            + "loss \(block.loss[i]) vs \(expected.loss)"
                        Issue.record(Comment(rawValue: message))
                    }
                }
            }
            #expect(mismatches == 0, "silt \(silt), bulk density \(bd)")
        }
    }

    @Test func everyConfiguredConstantIsUsed() {
        var model = ReferenceModel()
        model.horizonYears = 40
        model.depthCentimetres = 20
        model.bulkDensityDefault = 1.1
        model.rMax = 0.5
        model.warmingDegC = 4
        model.sensitivity = 0.25
        model.manageable[.cropland] = 0.5
        model.manageable[.wetland] = 0.3
        model.vulnerability[.cropland] = 0.3
        model.vulnerability[.forest] = 0.02
        let pixels = randomPixels(3000, seed: 5)
        let block = scoreBlock(pixels, parameters: model.parameters)
        for (i, pixel) in pixels.enumerated() {
            let expected = model.terms(pixel)
            #expect(isClose(block.rate[i], expected.rate) && isClose(block.loss[i], expected.loss),
                    "\(pixel.testDescription)")
        }
        let wetland = Pixel(soc: 20, clay: 20, silt: 20, tmean: 15, precip: 1000, group: .wetland)
        #expect(score(wetland, parameters: model.parameters).rate > 0, "wetland factor 0.3 configured")
    }

    @Test func storedValuesAreConvertedToModelUnitsFirst() {
        // SoilGrids-like storage: SOC in 0.1 t/ha, clay and silt in g/kg, temperature in kelvin, precipitation in m.
        let model = Pixel(soc: 42.5, clay: 23.4, silt: 31.2, tmean: 11.5, precip: 640, group: .grassland)
        let stored = Pixel(soc: 425, clay: 234, silt: 312, tmean: 284.65, precip: 0.64, group: .grassland)
        let block = scoreBlock([stored]) { inputs in
            inputs.socUnits = UnitConversion(scale: 0.1)
            inputs.clayUnits = UnitConversion(scale: 0.1)
            inputs.siltUnits = UnitConversion(scale: 0.1)
            inputs.tmeanUnits = UnitConversion(offset: -273.15)
            inputs.precipUnits = UnitConversion(scale: 1000)
        }
        let expected = reference.terms(model)
        #expect(isClose(block.rate[0], expected.rate, relative: 1e-4))
        #expect(isClose(block.loss[0], expected.loss, relative: 1e-4))
    }

    @Test func onlyTheGivenRangeIsWritten() {
        let pixels = randomPixels(6, seed: 9)
        let block = scoreBlock(pixels, range: 2..<4, initial: 123)
        #expect(block.valid == 2)
        #expect(block.rate[0] == 123 && block.rate[1] == 123 && block.rate[4] == 123 && block.loss[5] == 123)
        #expect(isClose(block.rate[2], reference.terms(pixels[2]).rate))
        #expect(isClose(block.loss[3], reference.terms(pixels[3]).loss))
    }
}
