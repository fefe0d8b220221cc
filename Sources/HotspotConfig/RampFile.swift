import Foundation
import Tiling

/// Colour ramps are a Tiling type; `Config/ramps/*.yaml` maps onto it here, with the configuration's errors.
extension RampSpec {
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
