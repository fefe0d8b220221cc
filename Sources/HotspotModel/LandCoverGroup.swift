/// The land-use groups the model distinguishes (after the IPCC land categories, with wetlands and snow split out).
public enum LandCoverGroup: UInt8, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case cropland = 0, grassland, forest, shrubland, wetland, urban, bare, water, snowIce

    /// Marks a pixel whose land-cover code is nodata or not in the class table.
    public static let noDataCode: UInt8 = 255

    /// The name used in configuration files and API answers.
    public var name: String {
        switch self {
        case .cropland: "cropland"
        case .grassland: "grassland"
        case .forest: "forest"
        case .shrubland: "shrubland"
        case .wetland: "wetland"
        case .urban: "urban"
        case .bare: "bare"
        case .water: "water"
        case .snowIce: "snow_ice"
        }
    }

    public var description: String { name }

    /// Looks a group up by its configuration name (`snow_ice`, `cropland`, ...).
    public init?(name: String) {
        guard let group = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = group
    }

    /// Land in the sense of the score population: everything but open water.
    public var isLand: Bool { self != .water }

    /// Encoded by name (`"snow_ice"`), as configuration files and `run.json` spell groups.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let group = LandCoverGroup(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown land-cover group \(name)"))
        }
        self = group
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// A value for each land-cover group, stored densely so that block loops index it by the group's raw value.
/// Encoded as an object from group name to value.
public struct GroupTable: Sendable, Equatable, Codable {
    public private(set) var values: [Double]

    public init(_ values: [LandCoverGroup: Double], default fallback: Double = 0) {
        self.values = LandCoverGroup.allCases.map { values[$0] ?? fallback }
    }

    public subscript(group: LandCoverGroup) -> Double {
        get { values[Int(group.rawValue)] }
        set { values[Int(group.rawValue)] = newValue }
    }

    public init(from decoder: any Decoder) throws {
        let named = try decoder.singleValueContainer().decode([String: Double].self)
        var values: [LandCoverGroup: Double] = [:]
        for (name, value) in named {
            guard let group = LandCoverGroup(name: name) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "unknown land-cover group \(name)"))
            }
            values[group] = value
        }
        self.init(values)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: LandCoverGroup.allCases.map { ($0.name, self[$0]) }))
    }
}
