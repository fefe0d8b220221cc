/// Areas summed as integers, in units of 2^-30 of the weight (km2 in the pipeline), so that a sum does not depend on
/// the order in which parallel workers add and merge: the same inputs give the same scores, bit for bit, whatever
/// strips each worker happened to take. Floating-point sums differ in the last bit between groupings, and that bit
/// shows in a score now and then. Totals up to 1.7e10 (the Earth is 5.1e8 km2) fit; the unit is 1e-9 km2.
public enum FixedArea {
    public static let scale = 1_073_741_824.0

    @inline(__always)
    public static func units(_ area: Double) -> UInt64 { UInt64((area * scale).rounded()) }

    @inline(__always)
    public static func value(_ units: UInt64) -> Double { Double(units) / scale }
}
