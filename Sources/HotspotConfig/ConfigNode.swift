import Yams

/// A YAML node with its dotted key path, read with type checks that report the key and line on failure.
struct ConfigNode {
    let node: Node
    let path: String
    let file: String

    var line: Int? { node.mark?.line }

    func fail(_ kind: ConfigError.Kind, key: String? = nil, at node: Node? = nil) -> ConfigError {
        ConfigError(kind, key: key ?? path, line: (node ?? self.node).mark?.line ?? line, file: file)
    }

    private func child(_ key: String, _ node: Node) -> ConfigNode {
        ConfigNode(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    /// The entries of a mapping, rejecting keys not in `allowed` (nil allows any).
    func mapping(allowed: Set<String>? = nil) throws(ConfigError) -> [(key: String, value: ConfigNode)] {
        guard case let .mapping(mapping) = node else { throw fail(.wrongType(expected: "a mapping")) }
        var out: [(String, ConfigNode)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else { throw fail(.wrongType(expected: "a mapping with text keys")) }
            let entry = child(key, valueNode)
            if let allowed, !allowed.contains(key) {
                throw ConfigError(.unknownKey, key: entry.path, line: keyNode.mark?.line, file: file)
            }
            out.append((key, entry))
        }
        return out
    }

    /// The value under `key`, if present.
    func optional(_ key: String) throws(ConfigError) -> ConfigNode? {
        guard case let .mapping(mapping) = node else { throw fail(.wrongType(expected: "a mapping")) }
        return mapping[key].map { child(key, $0) }
    }

    func required(_ key: String) throws(ConfigError) -> ConfigNode {
        guard let value = try optional(key) else {
            throw ConfigError(.missingKey, key: path.isEmpty ? key : "\(path).\(key)", line: line, file: file)
        }
        return value
    }

    var isNull: Bool {
        if case let .scalar(s) = node { return s.string == "~" || s.string == "null" || s.string.isEmpty }
        return false
    }

    func string() throws(ConfigError) -> String {
        guard case let .scalar(scalar) = node else { throw fail(.wrongType(expected: "text")) }
        return scalar.string
    }

    func double() throws(ConfigError) -> Double {
        guard case let .scalar(scalar) = node, let value = Double(scalar.string.replacingOccurrences(of: "_", with: "")),
              value.isFinite else {
            throw fail(.wrongType(expected: "a number"))
        }
        return value
    }

    func float() throws(ConfigError) -> Float { Float(try double()) }

    func int() throws(ConfigError) -> Int {
        guard case let .scalar(scalar) = node, let value = Int(scalar.string) else {
            throw fail(.wrongType(expected: "a whole number"))
        }
        return value
    }

    func bool() throws(ConfigError) -> Bool {
        guard case let .scalar(scalar) = node else { throw fail(.wrongType(expected: "true or false")) }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail(.wrongType(expected: "true or false"))
        }
    }

    func sequence() throws(ConfigError) -> [ConfigNode] {
        guard case let .sequence(sequence) = node else { throw fail(.wrongType(expected: "a list")) }
        return sequence.enumerated().map { child("\($0.offset)", $0.element) }
    }

    func doubles(count: Int? = nil) throws(ConfigError) -> [Double] {
        let items = try sequence()
        if let count, items.count != count {
            throw fail(.wrongType(expected: "a list of \(count) numbers"))
        }
        var out: [Double] = []
        for item in items { out.append(try item.double()) }
        return out
    }

    func strings() throws(ConfigError) -> [String] {
        var out: [String] = []
        for item in try sequence() { out.append(try item.string()) }
        return out
    }
}

/// Parses YAML text into a root node, turning parser errors into a `ConfigError` with the line.
/// More nodes than any configuration has (the demo's has about 300), far fewer than an alias bomb expands to.
let maxExpandedNodes = 100_000

private func checkExpansion(_ node: Yams.Node, budget: inout Int, file: String) throws(ConfigError) {
    budget -= 1
    guard budget > 0 else {
        throw ConfigError(.unreadable("the YAML expands to more than \(maxExpandedNodes) values (nested aliases?): "
                                      + "write the configuration out"), key: "", line: nil, file: file)
    }
    switch node {
    case let .mapping(mapping):
        for (key, value) in mapping {
            try checkExpansion(key, budget: &budget, file: file)
            try checkExpansion(value, budget: &budget, file: file)
        }
    case let .sequence(sequence):
        for item in sequence { try checkExpansion(item, budget: &budget, file: file) }
    default: break
    }
}

func parseYAML(_ text: String, file: String) throws(ConfigError) -> ConfigNode {
    do {
        guard let node = try Yams.compose(yaml: text) else {
            throw ConfigError(.unreadable("the file is empty"), key: "", line: nil, file: file)
        }
        // Aliases share their anchor's nodes: a 1.4 KB file of nested aliases ("billion laughs") expands to billions
        // of nodes. The walk is bounded before anything else visits the tree.
        var budget = maxExpandedNodes
        try checkExpansion(node, budget: &budget, file: file)
        try rejectDuplicateKeys(node, path: "", file: file)
        return ConfigNode(node: node, path: "", file: file)
    } catch let error as ConfigError {
        throw error
    } catch let error as YamlError {
        // Yams describes a syntax error over several lines ("2:1: error: parser: ...", then the source and a caret):
        // keep its first line, which starts with line:column.
        let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
        let parts = first.split(separator: ":", maxSplits: 2)
        let line = parts.count == 3 ? Int(parts[0]) : nil
        let reason = parts.count == 3 ? String(parts[2]).trimmingCharacters(in: .whitespaces) : first
        throw ConfigError(.unreadable("not valid YAML: \(reason)"), key: "", line: line, file: file)
    } catch {
        throw ConfigError(.unreadable("not valid YAML: \(error)"), key: "", line: nil, file: file)
    }
}

/// YAML says keys are unique, but the parser keeps both entries of a repeated key and a lookup would silently take
/// one of them: a repeated key is a mistake in the file, so say so with its line.
private func rejectDuplicateKeys(_ node: Node, path: String, file: String) throws(ConfigError) {
    switch node {
    case let .mapping(mapping):
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? "\(keyNode)"
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if !seen.insert(key).inserted {
                throw ConfigError(.invalidValue("is given twice"), key: childPath, line: keyNode.mark.map { $0.line },
                                  file: file)
            }
            try rejectDuplicateKeys(value, path: childPath, file: file)
        }
    case let .sequence(sequence):
        for (index, item) in sequence.enumerated() {
            try rejectDuplicateKeys(item, path: "\(path)[\(index)]", file: file)
        }
    default:
        break
    }
}
