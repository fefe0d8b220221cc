import Foundation
import HotspotModel
import Testing

/// The Rothamsted reference run shipped with RothC (Rothamsted-Models/RothC_Py: `RothC_input.dat`, clay 13 %, 25 cm,
/// IOM 3.0041, a spin-up year then Rothamsted's 1939-2007 weather; `output_years.csv`, its yearly pools), reproduced
/// with the model's own equations driven month by month as the reference driver does: open-pan evaporation times
/// 0.75, inputs and plant cover as given each month, the bare-soil deficit rule of `RMF_Moist`.
struct RothamstedExampleTests {
    struct Month {
        var year: Int, month: Int, tmean: Double, rain: Double, evaporation: Double, input: Double, covered: Bool
        var dpmRpm: Double
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func rows() throws -> [Month] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("RothC_input.dat"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst(7).compactMap { line in
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
            guard f.count == 10 else { return nil }
            return Month(year: Int(f[0]), month: Int(f[1]), tmean: f[3], rain: f[4], evaporation: f[5], input: f[6],
                         covered: f[8] == 1, dpmRpm: f[9])
        }
    }

    /// The reference driver's month: modifiers, then decomposition, then inputs.
    struct Driver {
        let clay = 13.0, depth = 25.0
        var pools = Pools()
        var deficit = 0.0

        mutating func step(_ m: Month) -> Double {
            let max = RothC.maximumDeficit(clayPercent: clay, depthCentimetres: depth)
            let bare = 0.556 * max, df = m.rain - 0.75 * m.evaporation
            deficit = m.covered ? Swift.max(max, Swift.min(0, deficit + df))
                : Swift.max(Swift.min(bare, deficit), Swift.min(0, deficit + df))
            let modifier = RothC.temperatureModifier(m.tmean)
                * RothC.moistureModifier(deficit: deficit, maximumDeficit: max)
                * (m.covered ? RothC.coveredModifier : RothC.bareModifier)
            let x = RothC.co2Ratio(clayPercent: clay)
            pools = RothC.decompose(pools, kept: RothC.keptShares(modifier: modifier), toBIO: 0.46 / (x + 1),
                                    toHUM: 0.54 / (x + 1))
            pools += Pools(m.dpmRpm / (m.dpmRpm + 1), 1 / (m.dpmRpm + 1), 0, 0) * m.input
            return modifier
        }
    }

    static func expectedYears() throws -> [(year: Int, pools: [Double], soc: Double)] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("RothC_Py_output_years.csv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",").map { Double($0)! }
            return (Int(f[0]), Array(f[2...5]), f[7])
        }
    }

    @Test func theReferenceSpinUpAndSixtyNineYearsAreReproduced() throws {
        let rows = try Self.rows()
        #expect(rows.count == 840)
        let expected = try Self.expectedYears()
        #expect(expected.count == 70)
        var driver = Driver()
        // Spin-up as the reference: cycle the first year until the active total moves by < 1e-6 between Decembers.
        var months = 0, previous = 0.0, change = 100.0
        while change >= 1e-6 {
            _ = driver.step(rows[months % 12])
            months += 1
            if months % 12 == 0 {
                change = abs(driver.pools.sum() - previous)
                previous = driver.pools.sum()
            }
        }
        #expect(months == 19872, "the reference's spin-up length")
        let iom = 3.0041
        #expect(abs(driver.pools.sum() + iom - expected[0].soc) <= 1e-9 * expected[0].soc, "equilibrium SOC")
        for i in 0..<4 { #expect(abs(driver.pools[i] - expected[0].pools[i]) <= 1e-9 * expected[0].pools[i]) }
        var year = 1
        for row in rows.dropFirst(12) {
            _ = driver.step(row)
            guard row.month == 12 else { continue }
            let soc = driver.pools.sum() + iom
            #expect(row.year == expected[year].year)
            #expect(abs(soc - expected[year].soc) <= 1e-9 * expected[year].soc, "SOC in \(row.year)")
            year += 1
        }
        #expect(year == 70)
    }

    @Test func theClosedFormEquilibriumIsWhereTheReferenceSpinUpIsHeading() throws {
        // The same spin-up year as one annual map (input all in August, bare in September): its exact equilibrium
        // lies just above the reference's, which stops once the change is below 1e-6 t C/ha a year.
        let rows = Array(try Self.rows().prefix(12))
        var driver = Driver()
        var modifiers = Monthly(), shares = Monthly()
        let total = rows.map(\.input).reduce(0, +)
        for (m, row) in rows.enumerated() {
            modifiers[m] = driver.step(row)
            shares[m] = row.input / total
        }
        #expect(driver.deficit == 0, "the deficit is 0 every December: the year is periodic from the first")
        let map = AnnualMap(monthlyModifiers: modifiers, clayPercent: 13, dpmShare: 1.44 / 2.44, inputShares: shares)
        let equilibrium = try #require(map.equilibriumPerUnitInput) * total
        let soc = equilibrium.sum() + 3.0041
        let reference = try Self.expectedYears()[0].soc
        #expect(soc > reference && soc - reference < 2e-4, "exact \(soc) vs the reference's spin-up \(reference)")
        // And it is a fixed point of the month-by-month driver.
        var check = Driver()
        check.pools = equilibrium
        for row in rows { _ = check.step(row) }
        for i in 0..<4 { #expect(abs(check.pools[i] - equilibrium[i]) <= 1e-12 * max(1, equilibrium[i])) }
    }
}
