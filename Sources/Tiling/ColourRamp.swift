
/// A ramp turned into a lookup table: one RGBA per value bucket (continuous and stepped ramps, 1024 buckets over
/// the stops' range, values beyond clamped) or per class code (categorical). Nodata and unknown classes are
/// transparent.
public struct ColourRamp: Sendable {
    public let spec: RampSpec
    /// 4 bytes per entry.
    let table: [UInt8]
    let low: Double
    let scale: Double
    public static let buckets = 1024

    public init(_ spec: RampSpec) {
        self.spec = spec
        switch spec.kind {
        case .categorical:
            let top = max(0, spec.classes.map(\.code).max() ?? 0)
            var table = [UInt8](repeating: 0, count: (top + 1) * 4)
            for entry in spec.classes where entry.code >= 0 {
                table.replaceSubrange(entry.code * 4..<entry.code * 4 + 4,
                                      with: [entry.color.r, entry.color.g, entry.color.b, entry.color.a])
            }
            self.table = table
            low = 0
            scale = 1
        case .continuous, .stepped:
            let first = spec.stops.first!.value, last = spec.stops.last!.value
            low = first
            scale = Double(Self.buckets - 1) / (last - first)
            var table = [UInt8](repeating: 0, count: Self.buckets * 4)
            for bucket in 0..<Self.buckets {
                let value = first + Double(bucket) / scale
                let c = Self.colour(at: value, spec: spec)
                table.replaceSubrange(bucket * 4..<bucket * 4 + 4, with: [c.r, c.g, c.b, c.a])
            }
            self.table = table
        }
    }

    /// The ramp's colour at a value, computed from the stops (the table samples this).
    static func colour(at value: Double, spec: RampSpec) -> RampSpec.RGBA {
        let stops = spec.stops
        guard let upper = stops.firstIndex(where: { $0.value > value }) else { return stops.last!.color }
        guard upper > 0 else { return stops[0].color }
        let a = stops[upper - 1], b = stops[upper]
        if spec.kind == .stepped { return a.color }
        let t = (value - a.value) / (b.value - a.value)
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) + (Double(y) - Double(x)) * t).rounded()) }
        return RampSpec.RGBA(r: mix(a.color.r, b.color.r), g: mix(a.color.g, b.color.g), b: mix(a.color.b, b.color.b),
                             a: mix(a.color.a, b.color.a))
    }

    /// Writes the colour of `value` at `out[offset..<offset+4]`; NaN writes transparent.
    @inline(__always)
    func paint(_ value: Float, into out: UnsafeMutableBufferPointer<UInt8>, at offset: Int,
               table: UnsafeBufferPointer<UInt8>) {
        let index: Int
        if spec.kind == .categorical {
            guard value.isFinite, value >= 0, Int(value) * 4 < table.count else {
                out[offset] = 0; out[offset + 1] = 0; out[offset + 2] = 0; out[offset + 3] = 0
                return
            }
            index = Int(value) * 4
        } else {
            guard value.isFinite else {
                out[offset] = 0; out[offset + 1] = 0; out[offset + 2] = 0; out[offset + 3] = 0
                return
            }
            index = min(Self.buckets - 1, max(0, Int(((Double(value) - low) * scale).rounded()))) * 4
        }
        out[offset] = table[index]
        out[offset + 1] = table[index + 1]
        out[offset + 2] = table[index + 2]
        out[offset + 3] = table[index + 3]
    }

    /// Colours a block of values into RGBA.
    public func paint(_ values: UnsafeBufferPointer<Float>, into rgba: UnsafeMutableBufferPointer<UInt8>) {
        table.withUnsafeBufferPointer { table in
            for i in values.indices { paint(values[i], into: rgba, at: i * 4, table: table) }
        }
    }
}
