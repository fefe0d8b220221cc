#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loss urgency: how much organic carbon a soil is expected to lose over the horizon under warming.
///
/// The temperature response of decomposition is RothC's rate modifier (Coleman & Jenkinson, RothC-26.3,
/// 1996): `a(T) = 47.91 / (1 + exp(106.06 / (T + 18.27)))`. The formula has a pole at T = -18.27 degC and
/// would rise again below it, so `a(T)` is taken as 0 (no decomposition) at and below that temperature.
public enum LossModel {
    /// The temperature at and below which RothC's modifier is taken as zero.
    public static let rothCFloorDegC: Double = -18.27

    /// RothC's temperature rate modifier.
    @inlinable
    public static func rothCModifier(_ tDegC: Double) -> Double {
        let shifted = tDegC + 18.27
        guard shifted > 0 else { return 0 }
        return 47.91 / (1 + exp(106.06 / shifted))
    }

    /// Relative increase of the decomposition rate under the warming scenario: `a(T + dT) / a(T) - 1`.
    ///
    /// Where the soil is too cold to decompose now but would decompose after warming the response is
    /// unbounded (`+infinity`), which the loss formula caps at the whole stock; where it is too cold either way,
    /// the response is 0.
    @inlinable
    public static func warmingResponse(tmeanDegC: Double, warmingDegC: Double) -> Double {
        let now = rothCModifier(tmeanDegC)
        let warmed = rothCModifier(tmeanDegC + warmingDegC)
        if now > 0 { return warmed / now - 1 }
        return warmed > 0 ? .infinity : 0
    }
}
