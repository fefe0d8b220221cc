import GeoKit

/// The five rasters of a run, with what a user needs to read them: type, nodata, units and a description.
public enum OutputLayer: String, CaseIterable, Sendable, Codable {
    case sequestrationRate = "sequestration_rate"
    case sequestrationScore = "sequestration_score"
    case lossExpected = "loss_expected"
    case lossScore = "loss_score"
    case hotspotClass = "hotspot_class"

    /// Nodata of the Float32 outputs; chosen outside every valid range (rates, losses and scores are never negative).
    public static let floatNoData: Float = -9999

    public var fileName: String { "\(rawValue).tif" }

    public var pixelType: PixelType { self == .hotspotClass ? .byte : .float32 }

    public var noData: Double { self == .hotspotClass ? 255 : Double(Self.floatNoData) }

    public var units: String {
        switch self {
        case .sequestrationRate: "t C/ha/yr"
        case .lossExpected: "t C/ha"
        case .sequestrationScore, .lossScore: "percentile"
        case .hotspotClass: "class"
        }
    }

    public var description: String {
        switch self {
        case .sequestrationRate:
            "Attainable SOC sequestration rate, 0-30 cm (Hassink saturation deficit over the horizon, capped by Miami NPP, times the land-use factor)"
        case .sequestrationScore: "Sequestration score: area-weighted percentile rank of the rate over valid land pixels (0-100)"
        case .lossExpected: "Expected SOC loss over the horizon under warming, 0-30 cm (RothC temperature response and land-use vulnerability)"
        case .lossScore: "Loss urgency score: area-weighted percentile rank of the expected loss over valid land pixels (0-100)"
        case .hotspotClass: "Hotspot class: 0 none, 1 sequestration hotspot, 2 loss hotspot, 3 both, 255 nodata"
        }
    }

    /// How overviews are made: averages for quantities, the most frequent class for classes.
    public var overviewResampling: Resampling { self == .hotspotClass ? .mode : .average }
}
