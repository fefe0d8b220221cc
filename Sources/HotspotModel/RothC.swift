#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The four active pools of RothC in t C/ha, in this order: decomposable plant material (DPM), resistant plant
/// material (RPM), microbial biomass (BIO), humified organic matter (HUM). The inert pool (IOM) is kept apart.
public typealias Pools = SIMD4<Double>

/// Twelve monthly values (January first) in the first twelve lanes; the last four lanes are unused and zero.
public typealias Monthly = SIMD16<Double>

/// The equations of the Rothamsted carbon model RothC-26.3 (Coleman & Jenkinson 1999, *RothC-26.3: a model for the
/// turnover of carbon in soil*, model description and user's guide, modified 2008), as the Rothamsted reference code
/// (`RothC_Py`, `RothC.f`) evaluates them month by month.
public enum RothC {
    /// Decomposition rate constants of DPM, RPM, BIO and HUM, per year (Coleman & Jenkinson 1999, section 2).
    public static let decompositionRatesPerYear = Pools(10, 0.3, 0.66, 0.02)

    /// Share of the decomposed carbon that becomes BIO, the rest of what stays in the soil becoming HUM.
    public static let bioShare = 0.46
    public static let humShare = 0.54

    /// Below this monthly mean air temperature the reference code stops decomposition (`RMF_Tmp`).
    public static let temperatureCutOffDegC = -5.0

    /// Plant-cover rate modifier `c`: 0.6 under vegetation, 1.0 on bare soil.
    public static let coveredModifier = 0.6
    public static let bareModifier = 1.0

    /// Temperature rate modifier `a = 47.91 / (1 + exp(106.06 / (T + 18.27)))` on the monthly mean air temperature,
    /// 0 below -5 degC (where the formula would otherwise rise again towards its pole at -18.27 degC).
    @inlinable
    public static func temperatureModifier(_ tDegC: Double) -> Double {
        guard tDegC >= temperatureCutOffDegC else { return 0 }
        return 47.91 / (1 + exp(106.06 / (tDegC + 18.27)))
    }

    /// The largest topsoil moisture deficit (mm, negative) of a covered soil of `depthCentimetres`:
    /// `-(20 + 1.3 clay - 0.01 clay^2) * depth / 23`.
    @inlinable
    public static func maximumDeficit(clayPercent clay: Double, depthCentimetres: Double) -> Double {
        -(20 + 1.3 * clay - 0.01 * clay * clay) * depthCentimetres / 23
    }

    /// Moisture rate modifier `b` for an accumulated deficit `deficit` (mm, <= 0): 1 while the deficit is less than
    /// 44.4 % of the maximum, then falling linearly to 0.2 at the maximum.
    @inlinable
    public static func moistureModifier(deficit: Double, maximumDeficit max: Double) -> Double {
        let onset = 0.444 * max
        if deficit > onset { return 1 }
        return 0.2 + 0.8 * (max - deficit) / (max - onset)
    }

    /// The monthly moisture modifiers of a repeating climatology: the deficit accumulates from 0 at the start of a
    /// January, `acc = clamp(acc + precip - pet, bound, 0)` with `bound` the maximum deficit (divided by 1.8 on bare
    /// soil), year after year until a December repeats the one before; from then on every year is the same, and its
    /// modifiers are returned. Most soils repeat from the second year (the deficit refills to 0 or reaches its bound
    /// every year); a small yearly drift takes as many years as it needs to reach the bound.
    @inlinable
    public static func moistureModifiers(
        precip: Monthly, pet: Monthly, clayPercent: Double, depthCentimetres: Double, bare: Bool
    ) -> Monthly {
        let max = maximumDeficit(clayPercent: clayPercent, depthCentimetres: depthCentimetres)
        let bound = bare ? max / 1.8 : max
        let balance = precip - pet
        func year(from start: Double) -> Double {
            var deficit = start
            for month in 0..<12 { deficit = Swift.min(0, Swift.max(bound, deficit + balance[month])) }
            return deficit
        }
        var december = year(from: 0)
        // Without a clamp the deficit moves by the year's balance; once clamped in some month, it repeats exactly.
        for _ in 0..<100_000 {
            let next = year(from: december)
            if next == december { break }
            december = next
        }
        var deficit = december
        var modifiers = Monthly()
        for month in 0..<12 {
            deficit = Swift.min(0, Swift.max(bound, deficit + balance[month]))
            modifiers[month] = moistureModifier(deficit: deficit, maximumDeficit: max)
        }
        return modifiers
    }

    /// The ratio `x` of CO2 released to BIO + HUM formed, from the clay content: `1.67 (1.85 + 1.60 exp(-0.0786 clay))`.
    @inlinable
    public static func co2Ratio(clayPercent: Double) -> Double {
        1.67 * (1.85 + 1.60 * exp(-0.0786 * clayPercent))
    }

    /// Inert organic matter from the total SOC stock (Falloon et al. 1998): `IOM = 0.049 SOC^1.139`, t C/ha.
    @inlinable
    public static func inertCarbon(socTonnesPerHectare soc: Double) -> Double {
        soc > 0 ? 0.049 * pow(soc, 1.139) : 0
    }

    /// One month of the active pools with the month's rate modifier `a * b * c`: each pool keeps
    /// `exp(-modifier k / 12)` of itself, and what decomposes goes to CO2, BIO and HUM in the clay-given proportions.
    /// Inputs are added by the caller after the decomposition, as in the reference code.
    @inlinable
    public static func decompose(_ pools: Pools, kept: Pools, toBIO: Double, toHUM: Double) -> Pools {
        let decomposed = (pools * (1 - kept)).sum()
        return pools * kept + Pools(0, 0, toBIO * decomposed, toHUM * decomposed)
    }

    /// The share of each pool kept over a month with rate modifier `modifier` (`a * b * c`): `exp(-modifier k / 12)`.
    /// The rate constants are 500, 15, 33 and 1 times HUM's 0.02, so one `exp` and a few products give all four
    /// (within 1e-13 of four `exp` calls, at a quarter of the cost: this is the model's innermost loop).
    @inlinable
    public static func keptShares(modifier: Double) -> Pools {
        let e = exp(-modifier * (decompositionRatesPerYear[3] / 12))
        let e2 = e * e, e4 = e2 * e2, e8 = e4 * e4, e16 = e8 * e8, e32 = e16 * e16
        let e64 = e32 * e32, e128 = e64 * e64, e256 = e128 * e128
        return Pools(e256 * e128 * e64 * e32 * e16 * e4, e8 * e4 * e2 * e, e32 * e, e)
    }
}
