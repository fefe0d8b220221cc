import Foundation
import HotspotModel

/// Land-cover legends are configuration: a YAML file of `code: { group: ..., label: ... }` (see
/// `Config/landcover/esa_cci.yaml`), named by its base name, given as a path, or written inline under `classes:`.
enum LandCoverLegendFile {
    static func resolve(
        _ node: ConfigNode?, configDirectory: String, key: String
    ) throws(ConfigError) -> LandCoverClasses {
        guard let node else {
            return try load(path: find("esa_cci", configDirectory: configDirectory) ?? "Config/landcover/esa_cci.yaml",
                            key: key)
        }
        if case .mapping = node.node {
            return try parse(node, name: "inline")
        }
        let name = try node.string()
        let isPath = name.hasSuffix(".yaml") || name.hasSuffix(".yml")
        guard let path = isPath ? (FileManager.default.fileExists(atPath: name) ? name : nil)
            : find(name, configDirectory: configDirectory) else {
            throw node.fail(.invalidValue("names the legend '\(name)', but no \(isPath ? name : "landcover/\(name).yaml") "
                + "exists beside the configuration or in Config/"))
        }
        return try load(path: path, key: key)
    }

    /// A named legend: `landcover/<name>.yaml` beside the configuration, else in `Config/` of the working directory.
    static func find(_ name: String, configDirectory: String) -> String? {
        let candidates = [(configDirectory as NSString).appendingPathComponent("landcover/\(name).yaml"),
                          "Config/landcover/\(name).yaml"]
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    static func load(path: String, key: String) throws(ConfigError) -> LandCoverClasses {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(.unreadable("cannot read the land-cover legend"), key: key, line: nil, file: path)
        }
        let root = try parseYAML(text, file: path)
        _ = try root.mapping(allowed: ["name", "classes"])
        let name = try root.optional("name")?.string() ?? (path as NSString).lastPathComponent
        return try parse(try root.required("classes"), name: name)
    }

    static func parse(_ node: ConfigNode, name: String) throws(ConfigError) -> LandCoverClasses {
        var classes: [LandCoverClass] = []
        for (key, value) in try node.mapping() {
            guard let code = Int(key), code >= 0, code <= LandCoverClasses.maxCode else {
                throw value.fail(.invalidValue("is not a land-cover code (a whole number 0-65535)"))
            }
            let groupNode: ConfigNode
            var label = "class \(code)"
            if case .mapping = value.node {
                _ = try value.mapping(allowed: ["group", "label"])
                groupNode = try value.required("group")
                label = try value.optional("label")?.string() ?? label
            } else {
                groupNode = value
            }
            let groupName = try groupNode.string()
            guard let group = LandCoverGroup(name: groupName) else {
                let names = LandCoverGroup.allCases.map(\.name).joined(separator: ", ")
                throw groupNode.fail(.invalidValue("is '\(groupName)', not one of \(names)"))
            }
            classes.append(LandCoverClass(code: code, group: group, label: label))
        }
        return LandCoverClasses(name: name, classes: classes.sorted { $0.code < $1.code })
    }
}
