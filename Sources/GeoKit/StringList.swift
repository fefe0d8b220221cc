import CGDAL

/// An owned GDAL `char**` string list (CSL), freed with `CSLDestroy`.
final class StringList {
    private(set) var pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

    init(_ strings: [String] = []) {
        for string in strings { pointer = CSLAddString(pointer, string) }
    }

    convenience init(options: [String: String]) {
        self.init(options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
    }

    deinit { CSLDestroy(pointer) }

    /// The list as the `const char* const*` some functions take.
    var constPointer: UnsafePointer<UnsafePointer<CChar>?>? {
        UnsafeRawPointer(pointer)?.assumingMemoryBound(to: UnsafePointer<CChar>?.self)
    }

    /// Reads a borrowed list (not freed here).
    static func strings(from list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
        guard let list else { return [] }
        var out: [String] = []
        var i = 0
        while let item = list[i] {
            out.append(String(cString: item))
            i += 1
        }
        return out
    }
}
