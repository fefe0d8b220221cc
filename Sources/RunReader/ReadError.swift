import Foundation

/// What can go wrong reading a published run. The server answers each as problem+json with its status (no run: 503,
/// not found: 404, invalid: 400, too large: 413, failed: 500); the CLI prints the sentence.
public enum ReadError: Error, Sendable, CustomStringConvertible {
    /// There is no complete run to read, or its record cannot be read by this version.
    case noRun(String)
    /// An unknown layer or region, or an area outside the run's grid.
    case notFound(String, parameter: String? = nil)
    /// A request the reader cannot answer as asked (a malformed box, an unknown language, a missing argument).
    case invalid(String, parameter: String? = nil)
    /// More pixels or points than one request may ask for.
    case tooLarge(String)
    /// Reading or writing failed (a damaged raster, a full disk).
    case failed(String)

    public var description: String {
        switch self {
        case let .noRun(detail), let .notFound(detail, _), let .invalid(detail, _), let .tooLarge(detail),
             let .failed(detail): detail
        }
    }

    /// The query parameter or argument at fault, when there is one.
    public var parameter: String? {
        switch self {
        case let .notFound(_, parameter), let .invalid(_, parameter): parameter
        default: nil
        }
    }

    static func badParameter(_ name: String, _ detail: String) -> ReadError { .invalid(detail, parameter: name) }
}

/// Parses `text` as a finite number in `range`, naming the parameter `name` in the error.
public func checkedNumber(_ text: String, _ name: String, in range: ClosedRange<Double>) throws(ReadError) -> Double {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    // Decimal notation only: Swift's Double("0x10") is 16 and Double("1e5") is fine, but a hexadecimal or "nan" is
    // not a coordinate anyone means.
    guard trimmed.range(of: #"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil,
          let value = Double(trimmed), value.isFinite else {
        throw .badParameter(name, "\(name) must be a finite number (got '\(text.prefix(40))')")
    }
    guard range.contains(value) else {
        throw .badParameter(name, "\(name) must be between \(range.lowerBound) and \(range.upperBound) (got \(value))")
    }
    return value
}
