#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sequestration potential: how much organic carbon a soil could still gain per year.
///
/// - Saturation: Hassink (1997), *Plant and Soil* 191: 77-87: the fine fraction (clay + silt, %) protects at most
///   `4.09 + 0.37 * fine` g C/kg.
/// - Productivity: the Miami model, Lieth (1975), in *Primary Productivity of the Biosphere*: net primary production
///   limited by precipitation or temperature, g DM/m2/yr, at most 3000.
public enum SequestrationModel {
    /// Hassink's saturation concentration, g C/kg.
    @inlinable
    public static func saturationGramsPerKilogram(finePercent: Double) -> Double {
        4.09 + 0.37 * finePercent
    }

    /// The saturation concentration as a stock over the topsoil depth, t C/ha.
    @inlinable
    public static func saturationStockTonnesPerHectare(
        finePercent: Double, bulkDensity: Double, depthCentimetres: Double
    ) -> Double {
        saturationGramsPerKilogram(finePercent: finePercent) * bulkDensity * depthCentimetres * 0.1
    }

    /// Miami-model NPP limited by precipitation, g DM/m2/yr.
    @inlinable
    public static func nppFromPrecipitation(_ precipMillimetres: Double) -> Double {
        3000 * (1 - exp(-0.000664 * precipMillimetres))
    }

    /// Miami-model NPP limited by temperature, g DM/m2/yr.
    @inlinable
    public static func nppFromTemperature(_ tmeanDegC: Double) -> Double {
        3000 / (1 + exp(1.315 - 0.119 * tmeanDegC))
    }

    /// Miami-model NPP: the lesser of the two limits, g DM/m2/yr.
    @inlinable
    public static func npp(precipMillimetres: Double, tmeanDegC: Double) -> Double {
        min(nppFromPrecipitation(precipMillimetres), nppFromTemperature(tmeanDegC))
    }
}
