import HotspotModel
import Testing

struct PointExplanationTests {
    let reference = ReferenceModel()

    func explain(_ pixel: Pixel, parameters: ModelParameters = ModelParameters()) -> PointExplanation? {
        PointExplanation(parameters: parameters, soc: Double(pixel.soc), clay: Double(pixel.clay),
                         silt: pixel.silt.map(Double.init), bulkDensity: pixel.bulkDensity.map(Double.init),
                         tmean: Double(pixel.tmean), precip: Double(pixel.precip),
                         group: LandCoverGroup(rawValue: pixel.group) ?? .cropland)
    }

    /// Every term of the explanation against the reference.
    func expectTermsMatch(_ e: PointExplanation, _ pixel: Pixel, sourceLocation: SourceLocation = #_sourceLocation) {
        let t = reference.terms(pixel)
        let pairs: [(String, Float, Double)] = [
            ("fine", e.finePercent, t.finePercent), ("saturation", e.saturationStockTonnesPerHectare, t.saturationStock),
            ("deficit", e.deficitTonnesPerHectare, t.deficit), ("npp", e.nppGramsPerSquareMetreYear, t.npp),
            ("deficit rate", e.deficitRateTonnesPerHectareYear, t.deficitRate),
            ("productivity rate", e.productivityRateTonnesPerHectareYear, t.productivityRate),
            ("rate", e.rateTonnesPerHectareYear, t.rate), ("w", e.warmingResponse, t.warmingResponse),
            ("loss fraction", e.lossFraction, t.lossFraction), ("loss", e.lossTonnesPerHectare, t.loss),
        ]
        for (name, actual, expected) in pairs {
            #expect(isClose(actual, expected), "\(name): \(actual) vs \(expected)", sourceLocation: sourceLocation)
        }
        let group = LandCoverGroup(rawValue: pixel.group)!
        #expect(Double(e.landUseFactor) == Double(Float(reference.manageable[group]!)), sourceLocation: sourceLocation)
        #expect(Double(e.vulnerability) == Double(Float(reference.vulnerability[group]!)), sourceLocation: sourceLocation)
    }

    @Test func aDeficitLimitedPixelSaysSo() throws {
        let pixel = Pixel(soc: 31.267, clay: 5, silt: 7, tmean: 15, precip: 800, group: .cropland)
        let e = try #require(explain(pixel))
        #expect(e.rateLimit == .saturationDeficit)
        #expect(e.nppLimitedBy == "precipitation", "1237 g/m2/yr by precipitation < 1846 by temperature")
        expectTermsMatch(e, pixel)
        let (rate, loss) = score(pixel)
        #expect(e.rateTonnesPerHectareYear == rate && e.lossTonnesPerHectare == loss)
    }

    @Test func aDryPixelIsLimitedByProductivityThroughPrecipitation() throws {
        let pixel = Pixel(soc: 20, clay: 30, silt: 40, tmean: 20, precip: 300, group: .cropland)
        let e = try #require(explain(pixel))
        #expect(e.rateLimit == .productivity)
        #expect(e.nppLimitedBy == "precipitation")
        expectTermsMatch(e, pixel)
        let (rate, loss) = score(pixel)
        #expect(e.rateTonnesPerHectareYear == rate && e.lossTonnesPerHectare == loss)
    }

    @Test func aColdPixelIsLimitedByProductivityThroughTemperature() throws {
        let pixel = Pixel(soc: 40, clay: 25, silt: 35, tmean: -5, precip: 2000, group: .grassland)
        let e = try #require(explain(pixel))
        #expect(e.rateLimit == .productivity)
        #expect(e.nppLimitedBy == "temperature")
        #expect(e.landUseFactor == 0.7)
        #expect(e.lossFraction == 1, "0.1 + 0.5 * 1.85 is capped at the whole stock")
        expectTermsMatch(e, pixel)
        let (rate, loss) = score(pixel)
        #expect(e.rateTonnesPerHectareYear == rate && e.lossTonnesPerHectare == loss)
    }

    @Test func aPixelTooColdToDecomposeExplainsAnInfiniteWarmingResponse() throws {
        let pixel = Pixel(soc: 50, clay: 20, silt: 30, tmean: -19, precip: 300, group: .forest)
        let e = try #require(explain(pixel))
        #expect(e.warmingResponse == .infinity && e.lossFraction == 1 && e.lossTonnesPerHectare == 50)
    }

    @Test func withoutSiltTheFinePercentIsTheClay() throws {
        let e = try #require(explain(Pixel(soc: 20, clay: 17, tmean: 10, precip: 700, group: .shrubland)))
        #expect(e.finePercent == 17 && e.landUseFactor == 0.4)
    }

    @Test(arguments: [
        Pixel(soc: .nan, clay: 20, tmean: 10, precip: 500, group: .cropland),
        Pixel(soc: 20, clay: .nan, tmean: 10, precip: 500, group: .cropland),
        Pixel(soc: 20, clay: 20, silt: .nan, tmean: 10, precip: 500, group: .cropland),
        Pixel(soc: 20, clay: 20, bulkDensity: .nan, tmean: 10, precip: 500, group: .cropland),
        Pixel(soc: 20, clay: 20, tmean: .nan, precip: 500, group: .cropland),
        Pixel(soc: 20, clay: 20, tmean: 10, precip: .nan, group: .cropland),
    ])
    func nodataInputsHaveNoExplanation(_ pixel: Pixel) {
        #expect(explain(pixel) == nil)
    }

    @Test func explanationsGiveExactlyTheScorersValues() {
        for (seed, silt, bd) in [(UInt64(21), true, false), (22, false, true)] {
            let pixels = randomPixels(5000, seed: seed, silt: silt, bulkDensity: bd)
            let block = scoreBlock(pixels)
            var rateMismatches: [String] = [], lossMismatches: [String] = [], limitMismatches = 0
            for (i, pixel) in pixels.enumerated() {
                guard let e = explain(pixel) else {
                    Issue.record("no explanation for \(pixel.testDescription)")
                    continue
                }
                if e.rateTonnesPerHectareYear != block.rate[i] {
                    rateMismatches.append("\(pixel.testDescription): \(e.rateTonnesPerHectareYear) vs \(block.rate[i])")
                }
                if e.lossTonnesPerHectare != block.loss[i] {
                    lossMismatches.append("\(pixel.testDescription): \(e.lossTonnesPerHectare) vs \(block.loss[i])")
                }
                let t = reference.terms(pixel)
                // Where both terms are within rounding of each other either answer is right.
                if abs(t.deficitRate - t.productivityRate) > 1e-9 * t.productivityRate {
                    let expected: RateLimit = t.deficitRate <= t.productivityRate ? .saturationDeficit : .productivity
                    if e.rateLimit != expected { limitMismatches += 1 }
                }
                let byPrecipitation = t.nppByPrecipitation <= t.nppByTemperature
                if e.nppLimitedBy != (byPrecipitation ? "precipitation" : "temperature") { limitMismatches += 1 }
            }
            #expect(rateMismatches.isEmpty, "\(rateMismatches.count) rates differ, e.g. \(rateMismatches.prefix(3))")
            #expect(lossMismatches.isEmpty, "\(lossMismatches.count) losses differ, e.g. \(lossMismatches.prefix(3))")
            #expect(limitMismatches == 0)
        }
    }
}
