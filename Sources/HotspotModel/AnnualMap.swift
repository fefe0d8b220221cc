/// One year of RothC under a repeating monthly climatology, as the affine map it is: the pools at the end of a
/// December are `A x + C b` of the pools `x` at the end of the previous December, for an annual carbon input `C`
/// spread evenly over the twelve months. Equilibrium and year n are then closed forms instead of long loops.
public struct AnnualMap: Sendable, Equatable {
    /// The columns of `A`: where one t C/ha in each pool at the start of the year ends up.
    public var columns: (Pools, Pools, Pools, Pools)
    /// `b`: the pools at the end of a year that started empty, per t C/ha/yr of input.
    public var unitInput: Pools

    /// Builds the map by stepping the four unit pools and an empty soil with unit input through the twelve months.
    /// `monthlyModifiers` are the months' `a * b * c`; `dpmShare` is `DPM/RPM / (DPM/RPM + 1)`; `inputShares` the
    /// share of the annual input each month receives (evenly spread unless given).
    @inlinable
    public init(monthlyModifiers: Monthly, clayPercent: Double, dpmShare: Double, inputShares: Monthly? = nil) {
        let x = RothC.co2Ratio(clayPercent: clayPercent)
        let toBIO = RothC.bioShare / (x + 1), toHUM = RothC.humShare / (x + 1)
        let split = Pools(dpmShare, 1 - dpmShare, 0, 0)
        let shares = inputShares ?? Monthly(repeating: 1.0 / 12)
        var c0 = Pools(1, 0, 0, 0), c1 = Pools(0, 1, 0, 0), c2 = Pools(0, 0, 1, 0), c3 = Pools(0, 0, 0, 1)
        var b = Pools()
        for month in 0..<12 {
            let kept = RothC.keptShares(modifier: monthlyModifiers[month])
            c0 = RothC.decompose(c0, kept: kept, toBIO: toBIO, toHUM: toHUM)
            c1 = RothC.decompose(c1, kept: kept, toBIO: toBIO, toHUM: toHUM)
            c2 = RothC.decompose(c2, kept: kept, toBIO: toBIO, toHUM: toHUM)
            c3 = RothC.decompose(c3, kept: kept, toBIO: toBIO, toHUM: toHUM)
            b = RothC.decompose(b, kept: kept, toBIO: toBIO, toHUM: toHUM) + split * shares[month]
        }
        columns = (c0, c1, c2, c3)
        unitInput = b
    }

    public static func == (l: AnnualMap, r: AnnualMap) -> Bool {
        l.columns.0 == r.columns.0 && l.columns.1 == r.columns.1 && l.columns.2 == r.columns.2
            && l.columns.3 == r.columns.3 && l.unitInput == r.unitInput
    }

    /// `A x`.
    @inlinable
    public func apply(_ x: Pools) -> Pools {
        columns.0 * x[0] + columns.1 * x[1] + columns.2 * x[2] + columns.3 * x[3]
    }

    /// The pools after one year from `x` with annual input `input`: `A x + input b`.
    @inlinable
    public func year(from x: Pools, input: Double) -> Pools { apply(x) + unitInput * input }

    /// The equilibrium pools per t C/ha/yr of input, `(I - A)^-1 b`; nil when the soil does not decompose at all
    /// (A = I). DPM and RPM receive nothing from the other pools, so `I - A` is block-triangular: two divisions and
    /// a 2x2 solve for BIO and HUM.
    @inlinable
    public var equilibriumPerUnitInput: Pools? {
        let (a0, a1, a2, a3) = columns
        let d0 = 1 - a0[0], d1 = 1 - a1[1]
        guard d0 > 0, d1 > 0 else { return nil }
        let dpm = unitInput[0] / d0, rpm = unitInput[1] / d1
        // Rows BIO and HUM of (I - A) z = b, with DPM and RPM known.
        let r2 = unitInput[2] + a0[2] * dpm + a1[2] * rpm
        let r3 = unitInput[3] + a0[3] * dpm + a1[3] * rpm
        let m22 = 1 - a2[2], m23 = -a3[2], m32 = -a2[3], m33 = 1 - a3[3]
        let determinant = m22 * m33 - m23 * m32
        guard determinant > 0 else { return nil }
        return Pools(dpm, rpm, (r2 * m33 - m23 * r3) / determinant, (m22 * r3 - m32 * r2) / determinant)
    }

    /// The pools after `years` years from `x` with annual input `input`, by applying the map year by year (the
    /// horizon is a few decades: exact, and cheaper than powers of a 4x4 matrix).
    @inlinable
    public func pools(after years: Int, from x: Pools, input: Double) -> Pools {
        var pools = x
        for _ in 0..<years { pools = year(from: pools, input: input) }
        return pools
    }
}
