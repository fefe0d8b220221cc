import Foundation

/// A plain-text e-mail as RFC 5322 bytes: UTF-8 headers encoded as RFC 2047 words, the body in base64 (no line
/// length or dot-stuffing limits to mind, any language).
public struct MailMessage: Sendable, Equatable {
    public struct Address: Sendable, Equatable {
        public var name: String?
        public var email: String
        public init(name: String? = nil, email: String) {
            self.name = name
            self.email = email
        }
    }

    public var from: Address
    public var to: Address
    public var replyTo: Address?
    public var subject: String
    public var body: String
    public var language: String
    public var messageID: String
    public var date: Date

    public init(from: Address, to: Address, replyTo: Address?, subject: String, body: String, language: String,
                messageID: String, date: Date = Date()) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.body = body
        self.language = language
        self.messageID = messageID
        self.date = date
    }

    public var bytes: Data {
        var headers = [
            "From: \(Self.header(from))",
            "To: \(Self.header(to))",
        ]
        if let replyTo { headers.append("Reply-To: \(Self.header(replyTo))") }
        headers += [
            "Subject: \(Self.word(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(messageID)>",
            "Content-Language: \(language)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "Auto-Submitted: auto-generated",
        ]
        let encoded = Data(body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
            .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return Data((headers.joined(separator: "\r\n") + "\r\n\r\n" + encoded + "\r\n").utf8)
    }

    /// `"Name" <email>`, the name as an encoded word when it is not plain ASCII. Callers pass names without line
    /// breaks (checked where they come in); any left are dropped here, so no header can be injected.
    static func header(_ address: Address) -> String {
        guard let name = address.name?.filter({ !$0.isNewline }), !name.isEmpty else { return "<\(address.email)>" }
        return "\(word(name)) <\(address.email)>"
    }

    /// An RFC 2047 encoded word for anything beyond printable ASCII (or with quotes), else the text quoted.
    static func word(_ text: String) -> String {
        let clean = text.filter { !$0.isNewline }
        if clean.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f && $0 != "\"" && $0 != "\\" }) {
            return clean.contains(where: { ",;:<>()@[]".contains($0) }) ? "\"\(clean)\"" : clean
        }
        // Words of at most 45 bytes of UTF-8 (60 of base64), cut between characters.
        var words: [String] = [], piece = ""
        for character in clean {
            if (piece + String(character)).utf8.count > 45 {
                words.append(piece)
                piece = ""
            }
            piece.append(character)
        }
        if !piece.isEmpty { words.append(piece) }
        return words.map { "=?utf-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
