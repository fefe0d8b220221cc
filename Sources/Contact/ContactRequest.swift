import Foundation
import Partners

/// What a visitor sends to a partner through the relay: who they are, how to answer them, and the message. The
/// partner's address is never theirs to see; theirs goes in `Reply-To`.
public struct ContactRequest: Sendable, Equatable {
    public var name: String
    public var email: String
    public var organisation: String?
    /// The sender's own partner id, when they are one.
    public var partnerID: String?
    public var message: String
    /// The language of the page the form was on (en, fr, es): the confirmation e-mail is written in it.
    public var language: String
    /// The hidden field people never see: filled in, the request is a robot's.
    public var honeypotFilled: Bool

    public static let honeypotField = "homepage"
    static let fields: Set<String> = ["name", "email", "organisation", "partner_id", "message", "language", honeypotField]
}

/// How much the relay accepts, per message and per sender or recipient; configurable (`server.contact`).
public struct ContactLimits: Sendable, Equatable {
    public var maxMessageCharacters = 4000
    public var maxLinks = 2
    /// Messages one client (address) may send in an hour, and one partner may receive in a day.
    public var perClientPerHour = 5
    public var perRecipientPerDay = 20
    /// The sender's e-mail is confirmed by a link before the message goes out (the admin token skips it).
    public var confirmSender = true
    public var confirmationHours = 48
    public init() {}
}

/// Why a contact request was refused: the field and the reason, in one sentence (a 400).
public struct ContactError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }
    public var description: String { "\(field): \(reason)" }
}

extension ContactRequest {
    /// Reads and checks a JSON object: unknown fields, missing or over-long ones, line breaks in header fields,
    /// control characters, too many links.
    public init(json object: [String: Any], limits: ContactLimits) throws(ContactError) {
        if let unknown = object.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw ContactError(unknown, "is not a field of a contact message (\(Self.fields.sorted().joined(separator: ", ")))")
        }
        func text(_ key: String, required: Bool, max: Int) throws(ContactError) -> String? {
            guard let value = object[key], !(value is NSNull) else {
                if required { throw ContactError(key, "is required") }
                return nil
            }
            guard let string = value as? String else { throw ContactError(key, "must be a string") }
            let trimmed = string.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty {
                if required { throw ContactError(key, "is required") }
                return nil
            }
            guard trimmed.count <= max else { throw ContactError(key, "is longer than \(max) characters") }
            return trimmed
        }
        func oneLine(_ key: String, _ value: String?) throws(ContactError) -> String? {
            guard let value else { return nil }
            if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
                throw ContactError(key, "must be one line of text")
            }
            return value
        }
        name = try oneLine("name", text("name", required: true, max: 200))!
        let email = try oneLine("email", text("email", required: true, max: 254))!
        guard Self.isPlausibleEmail(email) else { throw ContactError("email", "'\(email)' is not an e-mail address") }
        self.email = email
        organisation = try oneLine("organisation", text("organisation", required: false, max: 200))
        partnerID = try text("partner_id", required: false, max: 64)
        if let partnerID, !Partner.isValidID(partnerID) {
            throw ContactError("partner_id", "a partner id is a-z, 0-9, '-' or '_'")
        }
        let message = try text("message", required: true, max: limits.maxMessageCharacters)!
        if message.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !"\n\r\t".unicodeScalars.contains($0) }) {
            throw ContactError("message", "holds control characters")
        }
        let links = Self.linkCount(message)
        guard links <= limits.maxLinks else {
            throw ContactError("message", "holds \(links) links; at most \(limits.maxLinks) are accepted")
        }
        self.message = message
        let language = try text("language", required: false, max: 8) ?? "en"
        guard Partner.languages.contains(language) else {
            throw ContactError("language", "must be one of \(Partner.languages.joined(separator: ", "))")
        }
        self.language = language
        honeypotFilled = (object[Self.honeypotField] as? String).map { !$0.isEmpty } ?? (object[Self.honeypotField] != nil)
    }

    /// local@domain.tld with no spaces, angle brackets or quotes (what an SMTP envelope takes as it is).
    static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return email.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && !"<>\"(),;:\\[]".unicodeScalars.contains($0) }
    }

    /// Links as spammers write them: URLs with a scheme, and www. addresses.
    static func linkCount(_ text: String) -> Int {
        let lower = text.lowercased()
        return ["http://", "https://", "www."].reduce(0) { count, marker in
            count + lower.components(separatedBy: marker).count - 1
        } - lower.components(separatedBy: "://www.").count + 1
    }
}
