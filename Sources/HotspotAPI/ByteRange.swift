import Foundation

/// A `Range` header checked against the file size before Hummingbird's file middleware sees it (its 2.28 parser
/// reads `bytes=-N` as the first N bytes and answers 206 with a negative length past the end).
enum ByteRange: Equatable {
    /// Serve the whole file (no Range, a multi-range or a malformed one: ignoring a Range is always allowed).
    case whole
    /// Serve `first...last`, both within the file.
    case part(first: Int, last: Int)
    /// Nothing of the file is in the range: 416 with `Content-Range: bytes */size`.
    case unsatisfiable

    init(header: String?, size: Int) {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else {
            self = .whole
            return
        }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard bounds.count == 2 else {
            self = .whole
            return
        }
        switch (Int(bounds[0]), Int(bounds[1])) {
        case let (nil, suffix?) where bounds[0].isEmpty && suffix > 0:
            self = size == 0 ? .unsatisfiable : .part(first: max(0, size - suffix), last: size - 1)
        case let (first?, nil) where bounds[1].isEmpty && first >= 0:
            self = first < size ? .part(first: first, last: size - 1) : .unsatisfiable
        case let (first?, last?) where first >= 0 && first <= last:
            self = first < size ? .part(first: first, last: min(last, size - 1)) : .unsatisfiable
        default:
            self = .whole
        }
    }

    /// The header to pass on, or nil to drop it.
    var normalised: String? {
        if case let .part(first, last) = self { return "bytes=\(first)-\(last)" }
        return nil
    }
}
