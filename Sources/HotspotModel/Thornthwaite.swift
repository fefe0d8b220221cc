#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monthly potential evapotranspiration from mean temperature and latitude (Thornthwaite 1948, *Geographical
/// Review* 38: 55-94), the estimate RothC users fall back on when no PET climatology is at hand. Above 26.5 degC the
/// formula is replaced by Willmott et al.'s (1985) polynomial, as is usual; at or below 0 degC PET is 0.
public enum Thornthwaite {
    @usableFromInline static let daysInMonth: [Double] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    @usableFromInline static let midMonthDay: [Double] = [15, 46, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349]

    /// Mean day length (hours) on a month's middle day at `latitude` degrees (FAO-56 declination formula).
    @inlinable
    public static func dayLengthHours(month: Int, latitude: Double) -> Double {
        let declination = 0.409 * sin(2 * Double.pi * midMonthDay[month] / 365 - 1.39)
        let x = -tan(latitude * .pi / 180) * tan(declination)
        return 24 / .pi * acos(Swift.max(-1, Swift.min(1, x)))
    }

    /// PET per month (mm/month) for monthly mean temperatures `tmean` (degC) at `latitude` (degrees).
    @inlinable
    public static func pet(tmean: Monthly, latitude: Double) -> Monthly {
        var heat = 0.0
        for m in 0..<12 where tmean[m] > 0 { heat += pow(tmean[m] / 5, 1.514) }
        var out = Monthly()
        guard heat > 0 else { return out }
        let alpha = 6.75e-7 * heat * heat * heat - 7.71e-5 * heat * heat + 1.792e-2 * heat + 0.49239
        for m in 0..<12 where tmean[m] > 0 {
            let t = tmean[m]
            let unadjusted = t < 26.5 ? 16 * pow(10 * t / heat, alpha) : -415.85 + 32.24 * t - 0.43 * t * t
            out[m] = unadjusted * dayLengthHours(month: m, latitude: latitude) / 12 * daysInMonth[m] / 30
        }
        return out
    }
}
