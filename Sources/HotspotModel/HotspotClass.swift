/// The hotspot class raster's codes.
public enum HotspotClass: UInt8, Sendable, CaseIterable {
    case none = 0, sequestration = 1, loss = 2, both = 3

    public static let noData: UInt8 = 255

    /// Classifies a pixel from its two scores (0-100); NaN scores give nodata.
    @inlinable
    public static func code(sequestrationScore: Float, lossScore: Float, threshold: Float) -> UInt8 {
        guard sequestrationScore.isFinite, lossScore.isFinite else { return noData }
        return (sequestrationScore >= threshold ? 1 : 0) | (lossScore >= threshold ? 2 : 0)
    }

    public var label: String {
        switch self {
        case .none: "no hotspot"
        case .sequestration: "sequestration hotspot"
        case .loss: "loss hotspot"
        case .both: "sequestration and loss hotspot"
        }
    }
}
