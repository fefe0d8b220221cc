import Foundation

/// The exact shape of a partner in an API body, as the OpenAPI document's `PartnerInput` states it: the members it
/// lists and no other, each of its type. Files being imported go through the lenient reader alone (numbers as text,
/// themes joined with ';', `description_fr` columns); a body sent to the API is held to its contract, so that the
/// document and the server agree on what is accepted (schemathesis checks both directions).
public enum PartnerBody {
    /// Members of a flat body; `id` only where the body may name the partner (POST; on PUT the path names it).
    static let flatMembers: Set<String> = ["name", "type", "country", "lon", "lat", "themes", "website", "email", "description"]
    static let featureMembers: Set<String> = ["type", "geometry", "properties", "id"]
    static let propertyMembers: Set<String> = ["name", "type", "country", "themes", "website", "email", "description"]

    /// Throws the first member that is unknown or of the wrong type. `idAllowed`: POST (an `id` member may name the
    /// new partner); on PUT the path names it and an `id` member equal to it is tolerated, another refused.
    public static func check(_ object: [String: Any], id pathID: String? = nil) throws(PartnerError) {
        if object["type"] as? String == "Feature" {
            try members(object, allowed: featureMembers, at: "")
            if let id = object["id"] { try identifier(id, "id", pathID: pathID) }
            guard let geometry = object["geometry"] as? [String: Any], geometry["type"] as? String == "Point",
                  let xy = geometry["coordinates"] as? [Any], xy.count == 2, Set(geometry.keys) == ["type", "coordinates"],
                  isNumber(xy[0]), isNumber(xy[1]) else {
                throw PartnerError("geometry", "must be {\"type\": \"Point\", \"coordinates\": [lon, lat]}")
            }
            guard let properties = object["properties"] as? [String: Any] else {
                throw PartnerError("properties", "must be an object")
            }
            try members(properties, allowed: propertyMembers.union(["id"]), at: "properties.")
            if let id = properties["id"] { try identifier(id, "properties.id", pathID: pathID) }
            try fields(properties, at: "properties.")
        } else {
            try members(object, allowed: flatMembers.union(["id"]), at: "")
            if let id = object["id"] { try identifier(id, "id", pathID: pathID) }
            for key in ["lon", "lat"] where !isNumber(object[key] as Any) {
                throw PartnerError(key, object[key] == nil ? "is required" : "must be a number")
            }
            try fields(object, at: "")
        }
    }

    private static func members(_ object: [String: Any], allowed: Set<String>, at prefix: String) throws(PartnerError) {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let owned = ["created", "updated"].contains(unknown)
            throw PartnerError(prefix + unknown, owned ? "is set by the server, not by the client"
                               : "is not a member of a partner (\(allowed.sorted().joined(separator: ", ")))")
        }
    }

    private static func identifier(_ value: Any, _ field: String, pathID: String?) throws(PartnerError) {
        guard let id = value as? String, Partner.isValidID(id) else {
            throw PartnerError(field, "must be 1-64 characters of a-z, 0-9, '-' or '_'")
        }
        if let pathID, id != pathID { throw PartnerError(field, "the body's id is not \(pathID): the path names the partner") }
    }

    private static func fields(_ object: [String: Any], at prefix: String) throws(PartnerError) {
        for key in ["name", "type", "country", "themes"] where object[key] == nil {
            throw PartnerError(prefix + key, "is required")
        }
        for key in ["name", "type", "country", "website", "email"] where object[key] != nil && !(object[key] is String) {
            throw PartnerError(prefix + key, "must be text")
        }
        // The lenient reader takes an empty cell as "none"; a body leaves the member out instead.
        for key in ["website", "email"] where (object[key] as? String)?.isEmpty == true {
            throw PartnerError(prefix + key, "is empty: leave it out when there is none")
        }
        // The lenient reader would uppercase a country and take other spellings; a body gives the code.
        if let country = object["country"] as? String, !CountryCodes.iso3166Alpha2.contains(country) {
            throw PartnerError(prefix + "country", "'\(country.prefix(8))' is not an ISO 3166-1 alpha-2 code in capitals (FR, SN, BR...)")
        }
        guard let themes = object["themes"] as? [Any], themes.allSatisfy({ $0 is String }) else {
            throw PartnerError(prefix + "themes", "must be a list of theme names")
        }
        if let description = object["description"] {
            guard let byLanguage = description as? [String: Any], byLanguage.values.allSatisfy({ $0 is String }) else {
                throw PartnerError(prefix + "description", "must be {\"en\": ..., \"fr\": ..., \"es\": ...}")
            }
        }
    }

    private static func isNumber(_ value: Any) -> Bool { jsonNumber(value) != nil }
}
