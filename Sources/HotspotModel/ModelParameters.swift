/// Every setting of the scoring model (RothC-26.3 with FAO GSOCseq's scenarios). The defaults are those of DESIGN.md
/// and `docs/MODEL.md`; `Config/hotspot.yaml` overrides any of them under `model:`.
public struct ModelParameters: Sendable, Equatable, Codable {
    /// Years over which the scenarios run (GSOCseq: 20, 2020-2040).
    public var horizonYears: Int = 20
    /// Depth of the topsoil layer the stocks refer to (GSOCseq and SoilGrids' stock layer: 0-30 cm).
    public var depthCentimetres: Double = 30
    /// Warming added to every month's mean temperature in the loss scenario (degC); PET is left unchanged.
    public var warmingDegC: Double = 2.0
    /// Score at or above which a pixel is a hotspot (0-100).
    public var hotspotPercentile: Double = 90
    /// Relative increases of the carbon input under sustainable soil management (GSOCseq's SSM low, medium, high).
    public var scenarios = Scenarios()
    /// Groups where management can raise the inputs; the sequestration rasters are nodata elsewhere.
    public var managedGroups: Set<LandCoverGroup> = [.cropland, .grassland]
    /// DPM/RPM ratio of the plant inputs per group (Coleman & Jenkinson 1999: 1.44 for agricultural crops and
    /// improved grassland, 0.67 for unimproved grassland and scrub, 0.25 for woodland). Groups without a value of
    /// their own in the guide (urban, bare, snow and ice) take the agricultural 1.44.
    public var dpmRpm = GroupTable([
        .cropland: 1.44, .grassland: 1.44, .shrubland: 0.67, .wetland: 0.67, .forest: 0.25,
    ], default: 1.44)
    /// Groups whose soil is bare all year (plant cover modifier 1.0 and the bare-soil moisture limit).
    public var bareGroups: Set<LandCoverGroup> = [.bare]
    /// Hassink's saturation as an upper bound on the scenario gains (off by default: GSOCseq does not cap).
    public var saturationCap = false
    /// Share of the silt fraction (2-50 um) counted as fine silt (< 20 um) in Hassink's fine fraction.
    public var fineSiltShare = 0.5
    /// Fine-earth bulk density used by the saturation cap where no bulk-density layer is configured (g/cm3).
    public var bulkDensityDefault = 1.3

    public struct Scenarios: Sendable, Equatable, Codable {
        public var low = 0.05
        public var medium = 0.10
        public var high = 0.20
        public init() {}
    }

    public init() {}

    /// Hassink's saturation stock of a pixel for the optional cap (t C/ha): nil with the cap off, NaN when an input
    /// the cap reads is out of range (the pixel then has no answer). Layers not configured take their defaults: no
    /// silt, `bulkDensityDefault`, no coarse fragments.
    @inlinable
    public func saturationStock(clayPercent: Double, siltPercent: Double?, bulkDensity: Double?,
                                coarseFragmentsPercent: Double?) -> Double? {
        guard saturationCap else { return nil }
        let silt = siltPercent ?? 0, bd = bulkDensity ?? bulkDensityDefault, cfvo = coarseFragmentsPercent ?? 0
        guard silt >= 0, bd > 0, cfvo >= 0, cfvo <= 100 else { return .nan }
        return Saturation.stockTonnesPerHectare(clayPercent: clayPercent, siltPercent: silt, fineSiltShare: fineSiltShare,
                                                bulkDensity: bd, coarseFragmentsPercent: cfvo,
                                                depthCentimetres: depthCentimetres)
    }

    /// The input split of a group's plant carbon: `DPM/RPM / (DPM/RPM + 1)` goes to DPM.
    @inlinable
    public func dpmShare(_ group: LandCoverGroup) -> Double {
        let ratio = dpmRpm[group]
        return ratio / (ratio + 1)
    }
}

/// How stored values become model units: `value * scale + offset`, applied in double precision by the scorer.
public struct UnitConversion: Sendable, Equatable {
    public var scale: Double
    public var offset: Double

    public init(scale: Double = 1, offset: Double = 0) {
        self.scale = scale
        self.offset = offset
    }

    public static let identity = UnitConversion()

    @inlinable
    public func apply(_ stored: Float) -> Double { Double(stored) * scale + offset }
}

/// `run.json` spells the parameters as `Config/hotspot.yaml` does; sets of groups are written sorted, so that reruns
/// are byte-identical.
extension ModelParameters {
    enum CodingKeys: String, CodingKey {
        case horizonYears = "horizon_years", depthCentimetres = "depth_cm", warmingDegC = "warming_degC"
        case hotspotPercentile = "hotspot_percentile", scenarios, managedGroups = "managed_groups"
        case dpmRpm = "dpm_rpm", bareGroups = "bare_groups", saturationCap = "saturation_cap"
        case fineSiltShare = "fine_silt_share", bulkDensityDefault = "bulk_density_default"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        horizonYears = try c.decode(Int.self, forKey: .horizonYears)
        depthCentimetres = try c.decode(Double.self, forKey: .depthCentimetres)
        warmingDegC = try c.decode(Double.self, forKey: .warmingDegC)
        hotspotPercentile = try c.decode(Double.self, forKey: .hotspotPercentile)
        scenarios = try c.decode(Scenarios.self, forKey: .scenarios)
        managedGroups = Set(try c.decode([LandCoverGroup].self, forKey: .managedGroups))
        dpmRpm = try c.decode(GroupTable.self, forKey: .dpmRpm)
        bareGroups = Set(try c.decode([LandCoverGroup].self, forKey: .bareGroups))
        saturationCap = try c.decode(Bool.self, forKey: .saturationCap)
        fineSiltShare = try c.decode(Double.self, forKey: .fineSiltShare)
        bulkDensityDefault = try c.decode(Double.self, forKey: .bulkDensityDefault)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(horizonYears, forKey: .horizonYears)
        try c.encode(depthCentimetres, forKey: .depthCentimetres)
        try c.encode(warmingDegC, forKey: .warmingDegC)
        try c.encode(hotspotPercentile, forKey: .hotspotPercentile)
        try c.encode(scenarios, forKey: .scenarios)
        try c.encode(managedGroups.sorted { $0.rawValue < $1.rawValue }, forKey: .managedGroups)
        try c.encode(dpmRpm, forKey: .dpmRpm)
        try c.encode(bareGroups.sorted { $0.rawValue < $1.rawValue }, forKey: .bareGroups)
        try c.encode(saturationCap, forKey: .saturationCap)
        try c.encode(fineSiltShare, forKey: .fineSiltShare)
        try c.encode(bulkDensityDefault, forKey: .bulkDensityDefault)
    }
}
