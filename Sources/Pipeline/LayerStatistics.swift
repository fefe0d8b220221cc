import HotspotModel

/// Area-weighted statistics of one output over the valid land pixels of a run.
public struct LayerStatistics: Codable, Sendable, Equatable {
    public var validPixels = 0
    public var validAreaKm2 = 0.0
    public var min = Double.infinity
    public var max = -Double.infinity
    /// Area-weighted mean.
    public var mean = 0.0
    /// Area-weighted percentiles (10, 50, 90), from the run's histogram.
    public var p10: Double?
    public var p50: Double?
    public var p90: Double?
    /// Exact sums (`FixedArea` units): shards and workers merge in any order to the same bits.
    var areaUnits: UInt64 = 0
    var weightedUnits: Int128 = 0

    public init() {}

    /// Adds one run of pixels sharing one area: the values are summed in order, then the run's weighted sum joins
    /// the total as an integer, so the result does not depend on which worker or shard added which run.
    mutating func add(_ values: UnsafeBufferPointer<Float>, include: (Int) -> Bool, pixelAreaKm2: Double) {
        var sum = 0.0, n = 0
        for i in values.indices {
            let v = values[i]
            guard v.isFinite, include(i) else { continue }
            n += 1
            sum += Double(v)
            if Double(v) < min { min = Double(v) }
            if Double(v) > max { max = Double(v) }
        }
        guard n > 0 else { return }
        validPixels += n
        areaUnits &+= FixedArea.units(pixelAreaKm2) &* UInt64(n)
        weightedUnits += Int128((sum * pixelAreaKm2 * FixedArea.scale).rounded())
    }

    /// Adds another worker's or shard's statistics (before `finish`).
    mutating func merge(_ other: LayerStatistics) {
        validPixels += other.validPixels
        areaUnits &+= other.areaUnits
        weightedUnits += other.weightedUnits
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }

    mutating func finish() {
        validAreaKm2 = FixedArea.value(areaUnits)
        mean = areaUnits > 0 ? Double(weightedUnits) / Double(areaUnits) : 0
        if validPixels == 0 { min = 0; max = 0 }
    }

    enum CodingKeys: String, CodingKey {
        case validPixels = "valid_pixels", validAreaKm2 = "valid_area_km2", min, max, mean, p10, p50, p90
    }

    /// The statistics of no pixel are null, not 0.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(validPixels, forKey: .validPixels)
        try c.encode(validAreaKm2, forKey: .validAreaKm2)
        let empty = validPixels == 0
        try c.encode(empty ? nil : min, forKey: .min)
        try c.encode(empty ? nil : max, forKey: .max)
        try c.encode(empty ? nil : mean, forKey: .mean)
        try c.encodeIfPresent(p10, forKey: .p10)
        try c.encodeIfPresent(p50, forKey: .p50)
        try c.encodeIfPresent(p90, forKey: .p90)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        validPixels = try c.decode(Int.self, forKey: .validPixels)
        validAreaKm2 = try c.decode(Double.self, forKey: .validAreaKm2)
        min = try c.decodeIfPresent(Double.self, forKey: .min) ?? 0
        max = try c.decodeIfPresent(Double.self, forKey: .max) ?? 0
        mean = try c.decodeIfPresent(Double.self, forKey: .mean) ?? 0
        p10 = try c.decodeIfPresent(Double.self, forKey: .p10)
        p50 = try c.decodeIfPresent(Double.self, forKey: .p50)
        p90 = try c.decodeIfPresent(Double.self, forKey: .p90)
    }
}

/// Pixel counts and areas of the hotspot classes.
public struct ClassStatistics: Codable, Sendable, Equatable {
    public var pixels: [String: Int] = [:]
    public var areaKm2: [String: Double] = [:]

    enum CodingKeys: String, CodingKey { case pixels, areaKm2 = "area_km2" }
}
