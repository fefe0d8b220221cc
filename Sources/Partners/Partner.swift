import Foundation

/// A partner or member of the initiative: who, what kind, where, working on what. The contact e-mail is private:
/// it is stored, and given out only to holders of the edit token.
public struct Partner: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var type: PartnerType
    /// ISO 3166-1 alpha-2.
    public var country: String
    public var lon: Double
    public var lat: Double
    public var themes: [Theme]
    public var website: String?
    /// Short descriptions by language code (en, fr, es).
    public var description: [String: String]
    public var email: String?
    public var created: String
    public var updated: String

    public init(id: String, name: String, type: PartnerType, country: String, lon: Double, lat: Double, themes: [Theme],
                website: String? = nil, description: [String: String] = [:], email: String? = nil,
                created: String, updated: String) {
        self.id = id
        self.name = name
        self.type = type
        self.country = country
        self.lon = lon
        self.lat = lat
        self.themes = themes
        self.website = website
        self.description = description
        self.email = email
        self.created = created
        self.updated = updated
    }
}

/// Kinds of organisation ("colleges" of the initiative's consortium).
public enum PartnerType: String, Sendable, Codable, CaseIterable {
    case researchInstitute = "research_institute"
    case ngo
    case farmersOrganisation = "farmers_organisation"
    case company
    case publicBody = "public_body"
    case internationalOrganisation = "international_organisation"
}

/// The controlled list of themes.
public enum Theme: String, Sendable, Codable, CaseIterable {
    case soilCarbonMonitoring = "soil_carbon_monitoring"
    case agroforestry
    case conservationAgriculture = "conservation_agriculture"
    case grasslandManagement = "grassland_management"
    case peatlandProtection = "peatland_protection"
    case rangelandRestoration = "rangeland_restoration"
    case riceSystems = "rice_systems"
    case compostAndAmendments = "compost_and_amendments"
    case capacityBuilding = "capacity_building"
    case policy
    case finance
    case mrv
}

/// Why a partner record was refused: the field and the reason, in one sentence.
public struct PartnerError: Error, Sendable, CustomStringConvertible, Equatable {
    public var field: String
    public var reason: String

    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

extension Partner {
    public static let maxNameLength = 200
    public static let maxDescriptionLength = 2000
    public static let languages = ["en", "fr", "es"]

    /// Checks every field; throws the first problem found.
    public func validate() throws(PartnerError) {
        guard Self.isValidID(id) else { throw PartnerError("id", "must be 1-64 characters of a-z, 0-9, '-' or '_'") }
        // Control characters (a NUL cut the GeoPackage's copy short) are refused; descriptions may break lines.
        func control(_ text: String, lines: Bool = false) -> Bool {
            text.unicodeScalars.contains { $0.properties.generalCategory == .control && !(lines && ($0 == "\n" || $0 == "\t")) }
        }
        for (field, value) in [("name", name), ("country", country), ("website", website ?? ""), ("email", email ?? "")]
            where control(value) { throw PartnerError(field, "must not contain control characters") }
        for (language, text) in description where control(text, lines: true) {
            throw PartnerError("description", "\(language) must not contain control characters other than line breaks")
        }
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        // Lengths in Unicode code points, as JSON Schema's maxLength counts them (the API document states them).
        guard !trimmed.isEmpty, name.unicodeScalars.count <= Self.maxNameLength else {
            throw PartnerError("name", "must be 1-\(Self.maxNameLength) characters")
        }
        guard country.count == 2, country.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw PartnerError("country", "must be an ISO 3166-1 alpha-2 code such as FR")
        }
        guard CountryCodes.iso3166Alpha2.contains(country) else {
            throw PartnerError("country", "'\(country)' is not an ISO 3166-1 country code (FR, SN, BR...)")
        }
        guard lon.isFinite, (-180...180).contains(lon) else { throw PartnerError("lon", "must be between -180 and 180") }
        guard lat.isFinite, (-90...90).contains(lat) else { throw PartnerError("lat", "must be between -90 and 90") }
        guard !themes.isEmpty, themes.count <= Theme.allCases.count, Set(themes).count == themes.count else {
            throw PartnerError("themes", "must list 1 or more distinct themes")
        }
        if let website {
            guard website.unicodeScalars.count <= 500, website.wholeMatch(of: Self.websitePattern) != nil else {
                throw PartnerError("website", "must be an http(s) URL")
            }
        }
        for (language, text) in description {
            guard Self.languages.contains(language) else {
                throw PartnerError("description", "languages are en, fr and es (got \(language))")
            }
            guard text.unicodeScalars.count <= Self.maxDescriptionLength else {
                throw PartnerError("description.\(language)", "must be at most \(Self.maxDescriptionLength) characters")
            }
        }
        if let email {
            guard email.unicodeScalars.count <= 254, email.wholeMatch(of: Self.emailPattern) != nil else {
                throw PartnerError("email", "must be an e-mail address")
            }
        }
    }

    /// `http(s)://host[/...]`, no spaces (the API document's pattern for `website`). Matched on Unicode scalars, as
    /// JSON Schema's patterns are, not on Swift's grapheme clusters (a modifier joined to a '/' hid the slash).
    nonisolated(unsafe) static let websitePattern = #/https?://[^\s/?#]+([/?#]\S*)?/#.matchingSemantics(.unicodeScalar)
    /// One `@`, a dot in the domain, no spaces (the document's pattern for `email`), on scalars too.
    nonisolated(unsafe) static let emailPattern = #/[^\s@]+@[^\s@]*\.[^\s@]*/#.matchingSemantics(.unicodeScalar)

    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// The fields anyone may see: everything but the e-mail.
    public var publicView: Partner {
        var copy = self
        copy.email = nil
        return copy
    }
}
