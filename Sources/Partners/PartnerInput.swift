import CSVFormat
import Foundation

/// The value of a JSON number from JSONSerialization, nil for anything else: JSON true and false arrive as
/// NSNumber too (their type code is "c") and are not numbers.
public func jsonNumber(_ value: Any?) -> Double? {
    guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
    return number.doubleValue
}

/// Partner records from outside: GeoJSON features, flat JSON objects (the API's bodies) and CSV rows.
extension Partner {
    /// From a GeoJSON Feature with a Point geometry, or a flat object with `lon` and `lat`. `id` may be missing when
    /// `defaultID` is given; `created` and `updated` default to `now`.
    /// A Feature's `id` member as text: a string, or a whole number.
    static func featureID(_ feature: [String: Any]) -> String? {
        switch feature["id"] {
        case let text as String: text
        case let value? where jsonNumber(value).map { $0 == $0.rounded() && abs($0) < 9e18 } == true:
            String(Int64(jsonNumber(value)!))
        default: nil
        }
    }

    public init(json object: [String: Any], defaultID: String? = nil, now: String) throws(PartnerError) {
        var fields = object
        if object["type"] as? String == "Feature" {
            fields = object["properties"] as? [String: Any] ?? [:]
            guard let geometry = object["geometry"] as? [String: Any], geometry["type"] as? String == "Point",
                  let xy = geometry["coordinates"] as? [Any], xy.count >= 2 else {
                throw PartnerError("geometry", "must be a Point")
            }
            fields["lon"] = xy[0]
            fields["lat"] = xy[1]
            // RFC 7946's own `id` member (a string or a number) when the properties have none.
            if fields["id"] == nil, let id = Self.featureID(object) { fields["id"] = id }
        }
        func text(_ key: String, required: Bool = true) throws(PartnerError) -> String? {
            guard let value = fields[key], !(value is NSNull) else {
                if required { throw PartnerError(key, "is required") }
                return nil
            }
            guard let string = value as? String else { throw PartnerError(key, "must be text") }
            return string
        }
        func number(_ key: String) throws(PartnerError) -> Double {
            guard let value = fields[key] else { throw PartnerError(key, "is required") }
            if let n = jsonNumber(value) { return n }
            if let s = value as? String, let d = Double(s) { return d }
            throw PartnerError(key, "must be a number")
        }
        let typeName = try text("type")!
        guard let type = PartnerType(rawValue: typeName) else {
            throw PartnerError("type", "must be one of \(PartnerType.allCases.map(\.rawValue).joined(separator: ", ")) (got \(typeName.prefix(40)))")
        }
        let themeNames: [String]
        switch fields["themes"] {
        case let list as [Any]:
            var names: [String] = []
            for item in list {
                guard let name = item as? String else { throw PartnerError("themes", "must be a list of theme names") }
                names.append(name)
            }
            themeNames = names
        case let joined as String: themeNames = joined.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == "|" }).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        default: throw PartnerError("themes", "is required (a list of theme names)")
        }
        var themes: [Theme] = []
        for name in themeNames {
            guard let theme = Theme(rawValue: name) else {
                throw PartnerError("themes", "unknown theme \(name.prefix(40)); known: \(Theme.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            themes.append(theme)
        }
        var description: [String: String] = [:]
        switch fields["description"] {
        case let byLanguage as [String: Any]:
            for (language, value) in byLanguage {
                guard let string = value as? String else { throw PartnerError("description.\(language)", "must be text") }
                description[language] = string
            }
        case let single as String: description["en"] = single
        case nil, is NSNull: break
        default: throw PartnerError("description", "must be text or {\"en\": ..., \"fr\": ..., \"es\": ...}")
        }
        for language in Self.languages {
            if let value = fields["description_\(language)"] as? String, !value.isEmpty { description[language] = value }
        }
        guard let id = try text("id", required: defaultID == nil) ?? defaultID else { throw PartnerError("id", "is required") }
        self.init(id: id, name: try text("name")!, type: type, country: try text("country")!.uppercased(),
                  lon: try number("lon"), lat: try number("lat"), themes: themes,
                  website: try text("website", required: false).flatMap { $0.isEmpty ? nil : $0 },
                  description: description, email: try text("email", required: false).flatMap { $0.isEmpty ? nil : $0 },
                  created: try text("created", required: false) ?? now, updated: try text("updated", required: false) ?? now)
        try validate()
    }

    /// The record as a GeoJSON Feature (public fields unless `includePrivate`).
    public func feature(includePrivate: Bool) -> PartnerFeature {
        PartnerFeature(id: id, geometry: .init(coordinates: [lon, lat]), properties: .init(
            id: id, name: name, type: type.rawValue, country: country, themes: themes.map(\.rawValue), website: website,
            description: description, email: includePrivate ? email : nil, created: created, updated: updated))
    }

    public static let csvColumns = ["id", "name", "type", "country", "lon", "lat", "themes", "website", "description_en",
                                    "description_fr", "description_es", "email", "created", "updated"]

    /// One CSV row in `csvColumns` order (themes joined with ';'); the e-mail only if `includePrivate`.
    public func csvRow(includePrivate: Bool) -> String {
        // Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading quote (OWASP's advice for CSV
        // exports); the coordinates are numbers and stay as they are.
        func text(_ cell: String) -> String { cell.first.map { "=+-@\t\r".contains($0) } == true ? "'" + cell : cell }
        let cells: [String] = [id, text(name), type.rawValue, country, "\(lon)", "\(lat)", themes.map(\.rawValue).joined(separator: ";"),
                               text(website ?? ""), text(description["en"] ?? ""), text(description["fr"] ?? ""),
                               text(description["es"] ?? ""), includePrivate ? text(email ?? "") : "", created, updated]
        return cells.map(CSV.quote).joined(separator: ",")
    }
}
