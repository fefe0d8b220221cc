import CSVFormat
import Foundation

/// Reading a directory file (GeoJSON FeatureCollection or CSV) into records, row by row: the good rows, and for each
/// bad one its number and why. A file that cannot be read at all is an error: nothing is imported from it.
public struct PartnerImport: Sendable {
    public struct Rejection: Sendable, CustomStringConvertible {
        public var row: Int
        public var reason: String
        public var description: String { "row \(row): \(reason)" }
    }

    public var partners: [Partner] = []
    public var rejected: [Rejection] = []
    /// Rows with no id that were given one made from their name (spreadsheets often have none).
    public var derivedIDs: [(row: Int, id: String)] = []
    /// The ids of `partners`, and those made from names: a file of 100,000 rows is checked in linear time.
    private var accepted: Set<String> = []
    private var derived: Set<String> = []

    public init(path: String, now: String) throws(PartnerError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PartnerError("file", "cannot read \(path)")
        }
        if path.lowercased().hasSuffix(".csv") {
            try self.init(csv: data, now: now)
        } else {
            try self.init(geojson: data, now: now)
        }
    }

    public init(geojson data: Data, now: String) throws(PartnerError) {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              root["type"] as? String == "FeatureCollection", let features = root["features"] as? [Any] else {
            throw PartnerError("file", "not a GeoJSON FeatureCollection")
        }
        for (i, feature) in features.enumerated() {
            guard let object = feature as? [String: Any] else {
                rejected.append(Rejection(row: i + 1, reason: "not a GeoJSON Feature"))
                continue
            }
            add(object, row: i + 1, now: now)
        }
    }

    public init(csv data: Data, now: String) throws(PartnerError) {
        guard let text = String(data: data, encoding: .utf8) else { throw PartnerError("file", "the CSV is not UTF-8") }
        let rows = CSV.parse(text)
        guard let header = rows.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
              header.contains("lon"), header.contains("lat"), header.contains("name") else {
            throw PartnerError("file", "the CSV header must name at least id, name, type, country, lon, lat, themes")
        }
        for (i, row) in rows.dropFirst().enumerated() {
            guard row.count == header.count else {
                rejected.append(Rejection(row: i + 2, reason: "\(row.count) cells where the header has \(header.count)"))
                continue
            }
            var object: [String: Any] = [:]
            for (name, cell) in zip(header, row) where !cell.isEmpty { object[name] = cell }
            add(object, row: i + 2, now: now)
        }
    }

    private mutating func add(_ object: [String: Any], row: Int, now: String) {
        do throws(PartnerError) {
            let properties = object["type"] as? String == "Feature" ? object["properties"] as? [String: Any] ?? [:] : object
            var derived: String?
            if properties["id"] == nil, Partner.featureID(object) == nil, let name = properties["name"] as? String {
                derived = uniqueSlug(name)
            }
            let partner = try Partner(json: object, defaultID: derived, now: now)
            if let derived {
                derivedIDs.append((row, derived))
                self.derived.insert(derived)
            }
            if accepted.insert(partner.id).inserted {
                partners.append(partner)
            } else {
                rejected.append(Rejection(row: row, reason: "id \(partner.id) appears twice in the file"))
            }
        } catch {
            rejected.append(Rejection(row: row, reason: error.description))
        }
    }

    /// A stable id from a name: ASCII lower case, words joined by '-', at most 64 characters, made unique in the file
    /// with -2, -3... (the same file gives the same ids every time).
    func uniqueSlug(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        var slug = ""
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) { slug.unicodeScalars.append(scalar) }
            else if !slug.isEmpty, !slug.hasSuffix("-") { slug += "-" }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        slug = String(slug.lowercased().prefix(60))
        if slug.isEmpty { slug = "partner" }
        var candidate = slug, n = 1
        while accepted.contains(candidate) || derived.contains(candidate) {
            n += 1
            candidate = "\(slug)-\(n)"
        }
        return candidate
    }

    /// The rejections grouped by reason, most frequent first, each with a few of its row numbers as ranges:
    /// "305 rows: type: must be one of ... (got research): rows 1-305".
    public var rejectionSummary: [String] {
        var rows: [String: [Int]] = [:]
        for rejection in rejected { rows[rejection.reason, default: []].append(rejection.row) }
        return rows.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }
            .map { reason, numbers in
                let ranges = Self.ranges(numbers.sorted())
                let shown = ranges.prefix(5).joined(separator: ", ") + (ranges.count > 5 ? " and \(ranges.count - 5) more" : "")
                let count = numbers.count == 1 ? "1 row" : "\(numbers.count) rows"
                return "\(count): \(reason): row\(numbers.count == 1 ? "" : "s") \(shown)"
            }
    }

    /// Sorted row numbers as runs: [1, 2, 3, 7] -> ["1-3", "7"].
    static func ranges(_ numbers: [Int]) -> [String] {
        var out: [String] = []
        var start = numbers.first ?? 0, last = start
        for n in numbers.dropFirst() {
            if n == last + 1 { last = n; continue }
            out.append(start == last ? "\(start)" : "\(start)-\(last)")
            (start, last) = (n, n)
        }
        if !numbers.isEmpty { out.append(start == last ? "\(start)" : "\(start)-\(last)") }
        return out
    }
}
