/// One entry of a land-cover legend: a raster code, the group it belongs to and its label.
public struct LandCoverClass: Sendable, Equatable {
    public var code: Int
    public var group: LandCoverGroup
    public var label: String

    public init(code: Int, group: LandCoverGroup, label: String) {
        self.code = code
        self.group = group
        self.label = label
    }
}

/// A land-cover legend (ESA CCI, CORINE, Copernicus, ...) turned into a lookup table from raster code to group.
///
/// Codes are looked up in a dense table so that the block loop does one load per pixel; codes outside
/// `0..<65536` or absent from the legend map to `LandCoverGroup.noDataCode`.
public struct LandCoverClasses: Sendable {
    public let name: String
    public let classes: [LandCoverClass]
    /// Group raw value per code; `LandCoverGroup.noDataCode` where the code is not in the legend.
    public let groupByCode: [UInt8]

    public static let maxCode = 65535

    public init(name: String, classes: [LandCoverClass]) {
        self.name = name
        self.classes = classes
        let top = min(Self.maxCode, classes.map(\.code).max() ?? 0)
        var table = [UInt8](repeating: LandCoverGroup.noDataCode, count: top + 1)
        for entry in classes where entry.code >= 0 && entry.code <= top {
            table[entry.code] = entry.group.rawValue
        }
        self.groupByCode = table
    }

    /// The group of a code, or nil when the code is not in the legend.
    public func group(forCode code: Int) -> LandCoverGroup? {
        guard code >= 0, code < groupByCode.count else { return nil }
        return LandCoverGroup(rawValue: groupByCode[code])
    }

    /// The legend entry of a code, or nil when the code is not in the legend.
    public func entry(forCode code: Int) -> LandCoverClass? {
        classes.first { $0.code == code }
    }
}
