import Crypto
import Foundation
import Mail
import Partners

/// The relay between a visitor and a partner: takes a message in (limits, honeypot, confirmation of the sender),
/// keeps it in the outbox, and hands due messages to the SMTP server with back-off. The partner's address is read
/// from the directory when the message goes out, and appears in no answer and no log line.
public final class ContactRelay: Sendable {
    public struct Settings: Sendable {
        public var smtp: SMTPSettings
        /// The envelope sender and From of every message (the relay's own address: SPF and DMARC pass for it).
        public var from: MailMessage.Address
        public var limits: ContactLimits
        /// Where the confirmation links point (the public address of the API).
        public var publicURL: String
        public init(smtp: SMTPSettings, from: MailMessage.Address, limits: ContactLimits, publicURL: String) {
            self.smtp = smtp
            self.from = from
            self.limits = limits
            self.publicURL = publicURL
        }
    }

    public enum Outcome: Sendable, Equatable {
        case queued(id: String, awaitingConfirmation: Bool)
        /// The honeypot was filled: answered like the others, kept nowhere.
        case dropped
    }

    public enum Refusal: Error, Sendable, Equatable {
        /// Too many messages from this client or to this partner: try again after that many seconds.
        case rateLimited(retryAfter: Int, reason: String)
    }

    public let outbox: PartnerOutbox
    public let settings: Settings
    private let client: SMTPClient
    /// A message waits this long between its sender's tries at most, and a sender holds it this long.
    static let maxBackOff: Int64 = 3600, lease: Int64 = 120

    public init(outbox: PartnerOutbox, settings: Settings) {
        self.outbox = outbox
        self.settings = settings
        client = SMTPClient(settings: settings.smtp)
    }

    /// Takes a message for `partner` in. `trusted`: the request carried the admin token (no confirmation, no limit).
    public func accept(_ request: ContactRequest, to partner: Partner, clientAddress: String, trusted: Bool,
                       now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> Outcome {
        if request.honeypotFilled { return .dropped }
        let clientHash = Self.hash(clientAddress)
        let limits = settings.limits
        if !trusted {
            let fromClient = try outbox.recent(client: clientHash, since: now - 3600)
            if fromClient.count >= limits.perClientPerHour {
                throw Refusal.rateLimited(retryAfter: Int(max(1, (fromClient.oldest ?? now) + 3600 - now)),
                                          reason: "at most \(limits.perClientPerHour) messages an hour are accepted from one address")
            }
            let toPartner = try outbox.recent(partner: partner.id, since: now - 86400)
            if toPartner.count >= limits.perRecipientPerDay {
                throw Refusal.rateLimited(retryAfter: Int(max(1, (toPartner.oldest ?? now) + 86400 - now)),
                                          reason: "this partner has received \(limits.perRecipientPerDay) messages today; try tomorrow")
            }
        }
        let confirm = limits.confirmSender && !trusted
        let token = confirm ? Self.newToken() : nil
        let expires = now + Int64(limits.confirmationHours) * 3600
        let contact = OutboxMessage(
            id: UUID().uuidString.lowercased(), kind: .contact, partnerID: partner.id, senderName: request.name,
            senderEmail: request.email, senderOrganisation: request.organisation, senderPartner: request.partnerID,
            message: request.message, language: ContactLetters.language(of: partner), client: clientHash,
            state: confirm ? .unconfirmed : .pending, attempts: 0, nextAttempt: now, created: now, sent: nil, lastError: nil,
            token: token.map(Self.hash), expires: confirm ? expires : nil)
        var messages = [contact]
        if let token {
            messages.append(OutboxMessage(
                id: UUID().uuidString.lowercased(), kind: .confirmation, partnerID: partner.id, senderName: request.name,
                senderEmail: request.email, senderOrganisation: nil, senderPartner: nil, message: "", language: request.language,
                client: clientHash, state: .pending, attempts: 0, nextAttempt: now, created: now, sent: nil, lastError: nil,
                token: token, expires: expires))
        }
        try outbox.enqueue(messages)
        return .queued(id: contact.id, awaitingConfirmation: confirm)
    }

    /// The link's token: its message goes to the queue.
    public func confirm(token: String, now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> PartnerOutbox.Confirmation {
        guard token.count == 43, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return .unknown
        }
        return try outbox.confirm(tokenHash: Self.hash(token), now: now)
    }

    public struct Delivery: Sendable, Equatable {
        public var sent = 0, retried = 0, failed = 0
        /// Why the last try failed (the server's answer; no address), for the sender's log.
        public var lastError: String?
    }

    /// Sends what is due now (blocking: SMTP round trips). A message the server did not take is tried again after
    /// 30 s, 1, 2, 4... minutes (an hour at most); one it refused for good (5xx) is failed, for the secretariat.
    public func deliverDue(now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> Delivery {
        var delivery = Delivery()
        // No directory yet (a GeoPackage made by the first edit): no outbox either.
        guard outbox.store.exists else { return delivery }
        for message in try outbox.claimDue(now: now, lease: Self.lease) {
            guard let mail = compose(message) else {
                try outbox.markUnsent(message.id, error: "partner \(message.partnerID) is no longer in the directory or has no e-mail",
                                      next: nil, attempts: message.attempts + 1)
                delivery.failed += 1
                continue
            }
            let failure: SMTPError?
            do throws(SMTPError) {
                try client.send(mail.bytes, from: settings.from.email, to: mail.to.email)
                failure = nil
            } catch {
                failure = error
            }
            guard let error = failure else {
                try outbox.markSent(message.id, now: now)
                delivery.sent += 1
                continue
            }
            let attempts = message.attempts + 1
            let wait = min(Self.maxBackOff, 30 << Int64(min(attempts - 1, 10)))
            // The error names the server, never the recipient (libcurl's messages do not carry the address).
            try outbox.markUnsent(message.id, error: error.description, next: error.permanent ? nil : now + wait,
                                  attempts: attempts)
            if error.permanent { delivery.failed += 1 } else { delivery.retried += 1 }
            delivery.lastError = error.description
        }
        return delivery
    }

    /// The e-mail an outbox row stands for; nil when its partner is gone or has no address.
    func compose(_ message: OutboxMessage) -> MailMessage? {
        guard let partner = outbox.store.snapshot[message.partnerID] else { return nil }
        let messageID = "\(message.id)@\(settings.from.email.split(separator: "@").last ?? "localhost")"
        switch message.kind {
        case .contact:
            guard let email = partner.email, !email.isEmpty else { return nil }
            return MailMessage(from: settings.from, to: .init(name: partner.name, email: email),
                               replyTo: .init(name: message.senderName, email: message.senderEmail),
                               subject: ContactLetters.contactSubject(from: message.senderName, language: message.language),
                               body: ContactLetters.contactBody(message, partnerName: partner.name),
                               language: message.language, messageID: messageID)
        case .confirmation:
            guard let token = message.token else { return nil }
            let link = "\(settings.publicURL)/v1/contact/confirm?lang=\(message.language)&token=\(token)"
            return MailMessage(from: settings.from, to: .init(name: message.senderName, email: message.senderEmail), replyTo: nil,
                               subject: ContactLetters.confirmationSubject(language: message.language),
                               body: ContactLetters.confirmationBody(senderName: message.senderName, partnerName: partner.name,
                                                                     link: link, hours: settings.limits.confirmationHours,
                                                                     language: message.language),
                               language: message.language, messageID: messageID)
        }
    }

    /// 32 random bytes (the system's cryptographic generator), base64url without padding: 43 characters.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
