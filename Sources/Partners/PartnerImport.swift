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
            let partner = try Partner(json: object, now: now)
            if partners.contains(where: { $0.id == partner.id }) {
                rejected.append(Rejection(row: row, reason: "id \(partner.id) appears twice in the file"))
            } else {
                partners.append(partner)
            }
        } catch {
            rejected.append(Rejection(row: row, reason: error.description))
        }
    }
}
