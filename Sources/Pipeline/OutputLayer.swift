import GeoKit

/// The seven rasters of a run, with what a user needs to read them: type, nodata, units and a description.
public enum OutputLayer: String, CaseIterable, Sendable, Codable {
    case sequestrationRateLow = "sequestration_rate_low"
    case sequestrationRateMedium = "sequestration_rate_medium"
    case sequestrationRateHigh = "sequestration_rate_high"
    case sequestrationScore = "sequestration_score"
    case lossExpected = "loss_expected"
    case lossScore = "loss_score"
    case hotspotClass = "hotspot_class"

    /// Nodata of the Float32 outputs; chosen outside every valid range (rates, losses and scores are never negative).
    public static let floatNoData: Float = -9999

    /// The three scenario rates, low to high.
    public static let rates: [OutputLayer] = [.sequestrationRateLow, .sequestrationRateMedium, .sequestrationRateHigh]

    public var fileName: String { "\(rawValue).tif" }

    public var pixelType: PixelType { self == .hotspotClass ? .byte : .float32 }

    public var noData: Double { self == .hotspotClass ? 255 : Double(Self.floatNoData) }

    public var units: String {
        switch self {
        case .sequestrationRateLow, .sequestrationRateMedium, .sequestrationRateHigh: "t C/ha/yr"
        case .lossExpected: "t C/ha"
        case .sequestrationScore, .lossScore: "percentile"
        case .hotspotClass: "class"
        }
    }

    public var description: String {
        switch self {
        case .sequestrationRateLow, .sequestrationRateMedium, .sequestrationRateHigh:
            "SOC sequestration rate, 0-30 cm, of sustainable management raising the carbon inputs by the \(scenario!) "
                + "scenario's share against business as usual over the horizon (RothC-26.3, FAO GSOCseq design); "
                + "nodata outside the managed land-cover groups"
        case .sequestrationScore:
            "Sequestration score: area-weighted percentile rank of the medium-scenario rate over managed land pixels (0-100)"
        case .lossExpected:
            "Expected SOC loss over the horizon under warming against business as usual, 0-30 cm (RothC-26.3 with every month warmed)"
        case .lossScore: "Loss urgency score: area-weighted percentile rank of the expected loss over valid land pixels (0-100)"
        case .hotspotClass: "Hotspot class: 0 none, 1 sequestration hotspot, 2 loss hotspot, 3 both, 255 nodata"
        }
    }

    /// The SSM scenario of a rate layer (`low`, `medium`, `high`).
    public var scenario: String? {
        switch self {
        case .sequestrationRateLow: "low"
        case .sequestrationRateMedium: "medium"
        case .sequestrationRateHigh: "high"
        default: nil
        }
    }

    /// How overviews are made: averages for quantities, the most frequent class for classes.
    public var overviewResampling: Resampling { self == .hotspotClass ? .mode : .average }
}

/// The uncompressed rasters the passes hand each other in the run's `work/` folder.
enum Intermediate {
    /// An output's values before it becomes a COG (same name, in `work/`).
    static func path(_ layer: OutputLayer, in work: WorkFolder) -> String { work.file(layer.fileName) }
}
