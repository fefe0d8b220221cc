/// A configuration problem, naming the key (dotted path) and the line of the YAML file where it is.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case unknownKey
        case wrongType(expected: String)
        case missingKey
        case invalidValue(String)
        case unreadable(String)
    }

    public var kind: Kind
    /// Dotted path of the key, e.g. `layers.soc.scale`.
    public var key: String
    /// 1-based line in the file, when known.
    public var line: Int?
    public var file: String

    public init(_ kind: Kind, key: String, line: Int?, file: String) {
        self.kind = kind
        self.key = key
        self.line = line
        self.file = file
    }

    public var description: String {
        let at = line.map { "\(file):\($0)" } ?? file
        switch kind {
        case .unknownKey: return "\(at): unknown key '\(key)'"
        case let .wrongType(expected): return "\(at): '\(key)' must be \(expected)"
        case .missingKey: return "\(at): required key '\(key)' is missing"
        case let .invalidValue(reason): return "\(at): '\(key)' \(reason)"
        case let .unreadable(reason): return "\(at): \(reason)"
        }
    }
}
