/// Hassink's (1997, *Plant and Soil* 191: 77-87) protective capacity of the fine fraction, kept as an optional cap on
/// the scenario gains (`model.saturation_cap`). Hassink's fraction is < 20 um: clay (< 2 um) plus the fine part of the
/// silt (SoilGrids' silt is 2-50 um, so only `fineSiltShare` of it counts).
public enum Saturation {
    /// Hassink's saturation concentration, g C/kg, for a fine fraction in % mass.
    @inlinable
    public static func concentrationGramsPerKilogram(finePercent: Double) -> Double { 4.09 + 0.37 * finePercent }

    /// The saturation concentration as a stock over the topsoil, t C/ha, with the coarse fragments (`cfvo`, % volume)
    /// holding no carbon.
    @inlinable
    public static func stockTonnesPerHectare(
        clayPercent: Double, siltPercent: Double, fineSiltShare: Double, bulkDensity: Double,
        coarseFragmentsPercent: Double, depthCentimetres: Double
    ) -> Double {
        let fine = clayPercent + fineSiltShare * siltPercent
        return concentrationGramsPerKilogram(finePercent: fine) * bulkDensity * depthCentimetres * 0.1
            * (1 - coarseFragmentsPercent / 100)
    }
}
