import Foundation

/// A colour ramp as configured in `Config/ramps/<name>.yaml`: continuous (interpolated between stops), stepped
/// (each stop's colour up to the next stop) or categorical (a colour and label per class code). Colours are `#rrggbb`
/// or `#rrggbbaa`.
public struct RampSpec: Sendable, Equatable {
    public enum Kind: String, Sendable { case continuous, stepped, categorical }

    public struct RGBA: Sendable, Equatable {
        public var r, g, b, a: UInt8

        public init(r: UInt8, g: UInt8, b: UInt8, a: UInt8 = 255) {
            self.r = r
            self.g = g
            self.b = b
            self.a = a
        }

        /// Parses `#rrggbb` or `#rrggbbaa`.
        public init?(hex: String) {
            var digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
            if digits.count == 6 { digits += "ff" }
            guard digits.count == 8, let value = UInt32(digits, radix: 16) else { return nil }
            self.init(r: UInt8(value >> 24), g: UInt8((value >> 16) & 0xff), b: UInt8((value >> 8) & 0xff),
                      a: UInt8(value & 0xff))
        }

        public var hex: String { String(format: "#%02x%02x%02x%02x", r, g, b, a) }
    }

    public var name: String
    public var kind: Kind
    public var units: String
    /// Value and colour, ascending (continuous and stepped).
    public var stops: [(value: Double, color: RGBA)]
    /// Code, colour and label (categorical).
    public var classes: [(code: Int, color: RGBA, label: String)]

    public static func == (a: RampSpec, b: RampSpec) -> Bool {
        a.name == b.name && a.kind == b.kind && a.units == b.units
            && a.stops.map(\.value) == b.stops.map(\.value) && a.stops.map(\.color) == b.stops.map(\.color)
            && a.classes.map(\.code) == b.classes.map(\.code) && a.classes.map(\.color) == b.classes.map(\.color)
    }

    /// Loads a ramp by name (`Config/ramps/<name>.yaml` beside `configDirectory`, else in `Config/ramps/` of the working
    /// directory) or by path.
    public static func load(named name: String, configDirectory: String) throws(ConfigError) -> RampSpec {
        let isPath = name.hasSuffix(".yaml") || name.hasSuffix(".yml")
        let candidates = isPath ? [name] : [(configDirectory as NSString).appendingPathComponent("ramps/\(name).yaml"),
                                            "Config/ramps/\(name).yaml"]
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }),
              let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(.unreadable("no colour ramp named '\(name)' (looked for \(candidates.joined(separator: ", ")))"),
                              key: "tiles.ramps", line: nil, file: candidates[0])
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> RampSpec {
        let root = try parseYAML(text, file: file)
        _ = try root.mapping(allowed: ["name", "type", "units", "stops", "classes"])
        let typeNode = try root.required("type")
        guard let kind = Kind(rawValue: try typeNode.string()) else {
            throw typeNode.fail(.invalidValue("must be continuous, stepped or categorical"))
        }
        var spec = RampSpec(name: try root.optional("name")?.string() ?? (file as NSString).lastPathComponent,
                            kind: kind, units: try root.optional("units")?.string() ?? "", stops: [], classes: [])
        func color(_ node: ConfigNode) throws(ConfigError) -> RGBA {
            guard let rgba = RGBA(hex: try node.string()) else {
                throw node.fail(.invalidValue("is not a colour (#rrggbb or #rrggbbaa)"))
            }
            return rgba
        }
        if kind == .categorical {
            for (key, value) in try root.required("classes").mapping() {
                guard let code = Int(key) else { throw value.fail(.invalidValue("is not a class code")) }
                _ = try value.mapping(allowed: ["color", "label"])
                spec.classes.append((code, try color(try value.required("color")),
                                     try value.optional("label")?.string() ?? "class \(code)"))
            }
            spec.classes.sort { $0.code < $1.code }
            guard !spec.classes.isEmpty else { throw root.fail(.invalidValue("needs at least one class")) }
        } else {
            let stopsNode = try root.required("stops")
            for item in try stopsNode.sequence() {
                let pair = try item.sequence()
                guard pair.count == 2 else { throw item.fail(.wrongType(expected: "a [value, colour] pair")) }
                spec.stops.append((try pair[0].double(), try color(pair[1])))
            }
            guard spec.stops.count >= 2, zip(spec.stops, spec.stops.dropFirst()).allSatisfy({ $0.value < $1.value }) else {
                throw stopsNode.fail(.invalidValue("needs two or more stops in ascending order"))
            }
        }
        return spec
    }
}
