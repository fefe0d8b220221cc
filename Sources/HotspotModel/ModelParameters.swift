/// Every constant of the scoring model. The defaults are those of DESIGN.md; `Config/hotspot.yaml` overrides any of them.
public struct ModelParameters: Sendable, Equatable {
    /// Years over which the saturation deficit may be filled and over which loss is expected.
    public var horizonYears: Double = 20
    /// Depth of the topsoil layer the stocks refer to.
    public var depthCentimetres: Double = 30
    /// Fine-earth bulk density used where no bulk-density layer is configured (g/cm3).
    public var bulkDensityDefault: Double = 1.3
    /// Highest attainable sequestration rate at full productivity (t C/ha/yr).
    public var rMaxTonnesPerHectareYear: Double = 1.0
    /// Warming scenario applied to the mean annual temperature (degC).
    public var warmingDegC: Double = 2.0
    /// Share of the warming response of decomposition that turns into stock loss.
    public var sensitivity: Double = 0.5
    /// Score at or above which a pixel is a hotspot (0-100).
    public var hotspotPercentile: Double = 90
    /// Share of the attainable rate that management can realise, by land-use group.
    public var manageable = GroupTable([.cropland: 1.0, .grassland: 0.7, .shrubland: 0.4, .forest: 0.2])
    /// Baseline share of the stock at risk over the horizon, by land-use group.
    public var vulnerability = GroupTable([
        .wetland: 0.5, .cropland: 0.15, .grassland: 0.1, .forest: 0.1, .shrubland: 0.1, .bare: 0.05,
    ])

    public init() {}
}
