import Foundation
import HotspotModel

/// The scoring model of DESIGN.md ("The scoring model") written out again in Double, with the defaults as literals,
/// independently of the model's own helpers: the expected values of the tests come from here.
struct ReferenceModel {
    var horizonYears = 20.0
    var depthCentimetres = 30.0
    var bulkDensityDefault = 1.3
    var rMax = 1.0
    var warmingDegC = 2.0
    var sensitivity = 0.5
    var manageable: [LandCoverGroup: Double] = [
        .cropland: 1.0, .grassland: 0.7, .shrubland: 0.4, .forest: 0.2, .wetland: 0.0,
        .urban: 0.0, .bare: 0.0, .water: 0.0, .snowIce: 0.0,
    ]
    var vulnerability: [LandCoverGroup: Double] = [
        .wetland: 0.5, .cropland: 0.15, .grassland: 0.1, .forest: 0.1, .shrubland: 0.1, .bare: 0.05,
        .urban: 0.0, .water: 0.0, .snowIce: 0.0,
    ]

    /// Every intermediate term for one pixel (inputs in model units).
    struct Terms {
        var finePercent: Double
        var saturationStock: Double
        var deficit: Double
        var nppByPrecipitation: Double
        var nppByTemperature: Double
        var npp: Double { min(nppByPrecipitation, nppByTemperature) }
        var deficitRate: Double
        var productivityRate: Double
        var rate: Double
        var warmingResponse: Double
        var lossFraction: Double
        var loss: Double
    }

    /// RothC's temperature rate modifier, taken as 0 at and below its pole (T + 18.27 <= 0).
    static func rothC(_ t: Double) -> Double {
        t + 18.27 > 0 ? 47.91 / (1 + exp(106.06 / (t + 18.27))) : 0
    }

    func terms(soc: Double, clay: Double, silt: Double?, bulkDensity: Double?, tmean t: Double, precip p: Double,
               group: LandCoverGroup) -> Terms {
        // Sequestration potential, steps 1-5.
        let fine = clay + (silt ?? 0)
        let cSat = 4.09 + 0.37 * fine
        let sSat = cSat * (bulkDensity ?? bulkDensityDefault) * depthCentimetres * 0.1
        let deficit = max(0, sSat - soc)
        let byPrecip = 3000 * (1 - exp(-0.000664 * p))
        let byTemp = 3000 / (1 + exp(1.315 - 0.119 * t))
        let deficitRate = deficit / horizonYears
        let productivityRate = rMax * (min(byPrecip, byTemp) / 3000)
        let rate = min(deficitRate, productivityRate) * manageable[group]!
        // Loss urgency, steps 1-3.
        let now = Self.rothC(t), warmed = Self.rothC(t + warmingDegC)
        let w = now > 0 ? warmed / now - 1 : (warmed > 0 ? Double.infinity : 0)
        let fraction = min(1, vulnerability[group]! + sensitivity * w)
        return Terms(finePercent: fine, saturationStock: sSat, deficit: deficit, nppByPrecipitation: byPrecip,
                     nppByTemperature: byTemp, deficitRate: deficitRate, productivityRate: productivityRate,
                     rate: rate, warmingResponse: w, lossFraction: fraction, loss: soc * fraction)
    }

    func terms(_ pixel: Pixel) -> Terms {
        terms(soc: Double(pixel.soc), clay: Double(pixel.clay), silt: pixel.silt.map(Double.init),
              bulkDensity: pixel.bulkDensity.map(Double.init), tmean: Double(pixel.tmean), precip: Double(pixel.precip),
              group: LandCoverGroup(rawValue: pixel.group)!)
    }

    /// The same constants as `ModelParameters` (for runs with other settings).
    var parameters: ModelParameters {
        var p = ModelParameters()
        p.horizonYears = horizonYears
        p.depthCentimetres = depthCentimetres
        p.bulkDensityDefault = bulkDensityDefault
        p.rMaxTonnesPerHectareYear = rMax
        p.warmingDegC = warmingDegC
        p.sensitivity = sensitivity
        for group in LandCoverGroup.allCases {
            p.manageable[group] = manageable[group]!
            p.vulnerability[group] = vulnerability[group]!
        }
        return p
    }
}

/// True when a Float result equals a Double expectation to `relative` (1e-5), or both are below 1e-9 in size
/// (a deficit that is 0 in one rounding and 1e-15 in another).
func isClose(_ actual: Float, _ expected: Double, relative: Double = 1e-5) -> Bool {
    if expected.isInfinite || actual.isInfinite { return Double(actual) == expected }
    return abs(Double(actual) - expected) <= max(relative * abs(expected), 1e-9)
}

/// A reproducible generator (SplitMix64), so that a failing random case fails again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
