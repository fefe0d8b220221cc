import Foundation
import GeoKit
import Partners
import Synchronization

/// One message of the outbox: a contact message for a partner, or the confirmation asked of its sender.
public struct OutboxMessage: Sendable, Equatable {
    public enum Kind: String, Sendable { case contact, confirmation }
    /// unconfirmed: waits for its sender's click; pending: to send (now or at `nextAttempt`); sending: taken by a
    /// sender until `nextAttempt` (a lease: a sender that died gives it back); sent; failed: refused for good.
    public enum State: String, Sendable, CaseIterable { case unconfirmed, pending, sending, sent, failed }

    public var id: String
    public var kind: Kind
    public var partnerID: String
    public var senderName: String
    public var senderEmail: String
    public var senderOrganisation: String?
    public var senderPartner: String?
    public var message: String
    public var language: String
    /// A hash of the client's address (rate limits), never the address.
    public var client: String
    public var state: State
    public var attempts: Int
    public var nextAttempt: Int64
    public var created: Int64
    public var sent: Int64?
    public var lastError: String?
    /// For a contact waiting for confirmation: the SHA-256 of the token in the link, and when the link expires.
    /// A confirmation's row holds the token itself (it is written in the e-mail) until it is sent.
    public var token: String?
    public var expires: Int64?
}

/// The outbox: a table `partner_outbox` beside the partners, in the same GeoPackage or PostgreSQL database, on the
/// store's connection. Messages stay until an SMTP server has accepted them; every replica's sender takes due
/// messages under a lease, so a message is sent by one of them, and one that died mid-send is taken again.
public final class PartnerOutbox: Sendable {
    public let store: PartnerStore
    static let table = "partner_outbox"
    private let ready = Mutex(false)

    public init(store: PartnerStore) {
        self.store = store
    }

    static let columns = ["id", "kind", "partner_id", "sender_name", "sender_email", "sender_organisation", "sender_partner",
                          "message", "language", "client", "state", "attempts", "next_attempt", "created", "sent",
                          "last_error", "token", "expires"]

    /// Adds messages in one transaction (a contact and its confirmation together, or neither).
    public func enqueue(_ messages: [OutboxMessage]) throws {
        try write { dataset in
            for m in messages {
                let values: [String] = [
                    Self.literal(m.id), Self.literal(m.kind.rawValue), Self.literal(m.partnerID), Self.literal(m.senderName),
                    Self.literal(m.senderEmail), Self.literal(m.senderOrganisation), Self.literal(m.senderPartner),
                    Self.literal(m.message), Self.literal(m.language), Self.literal(m.client), Self.literal(m.state.rawValue),
                    "\(m.attempts)", "\(m.nextAttempt)", "\(m.created)", m.sent.map { "\($0)" } ?? "NULL",
                    Self.literal(m.lastError), Self.literal(m.token), m.expires.map { "\($0)" } ?? "NULL",
                ]
                try dataset.execute(sql: "INSERT INTO \(Self.table) (\(Self.columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))")
            }
        }
    }

    /// Contact messages from one client since a time, and the oldest of them (for Retry-After).
    public func recent(client: String, since: Int64) throws -> (count: Int, oldest: Int64?) {
        try counted("client = \(Self.literal(client)) AND created > \(since)")
    }

    /// Contact messages to one partner since a time, and the oldest of them.
    public func recent(partner: String, since: Int64) throws -> (count: Int, oldest: Int64?) {
        try counted("partner_id = \(Self.literal(partner)) AND created > \(since)")
    }

    private func counted(_ condition: String) throws -> (count: Int, oldest: Int64?) {
        let row = try read(empty: []) { dataset in
            try dataset.query(sql: "SELECT COUNT(*), MIN(created) FROM \(Self.table) WHERE kind = 'contact' AND \(condition)")
        }.first ?? []
        return (Int(row.first.flatMap { $0 } ?? "0") ?? 0, row.count > 1 ? row[1].flatMap { Int64($0) } : nil)
    }

    public enum Confirmation: Sendable, Equatable { case confirmed, alreadyConfirmed, expired, unknown }

    /// The sender clicked the link: the message with that token (its SHA-256) goes to the queue, unless the link expired.
    public func confirm(tokenHash: String, now: Int64) throws -> Confirmation {
        try write { dataset in
            let rows = try dataset.query(sql: "SELECT state, expires FROM \(Self.table) WHERE kind = 'contact' AND token = \(Self.literal(tokenHash))")
            guard let row = rows.first, let state = row[0].flatMap(OutboxMessage.State.init(rawValue:)) else { return .unknown }
            guard state == .unconfirmed else { return .alreadyConfirmed }
            if let expires = row[1].flatMap({ Int64($0) }), expires < now { return .expired }
            try dataset.execute(sql: "UPDATE \(Self.table) SET state = 'pending', next_attempt = \(now) WHERE token = \(Self.literal(tokenHash)) AND state = 'unconfirmed'")
            return .confirmed
        }
    }

    /// Takes up to `limit` due messages for this sender: pending ones whose time has come, and sending ones whose
    /// lease ran out. They are leased until `now + lease`.
    public func claimDue(now: Int64, lease: Int64, limit: Int = 20) throws -> [OutboxMessage] {
        // No table yet, nothing to send: the senders never make it (the first message does).
        guard try read(empty: false, { _ in true }) else { return [] }
        return try write { dataset in
            if store.location.isDatabase {
                // Other replicas' senders wait here: each message is taken by one.
                try dataset.execute(sql: "LOCK TABLE \(Self.table) IN SHARE ROW EXCLUSIVE MODE")
            }
            let due = try select(dataset, where: "state IN ('pending', 'sending') AND next_attempt <= \(now) ORDER BY created LIMIT \(limit)")
            for message in due {
                try dataset.execute(sql: "UPDATE \(Self.table) SET state = 'sending', next_attempt = \(now + lease) WHERE id = \(Self.literal(message.id))")
            }
            return due
        }
    }

    /// The SMTP server accepted it. A confirmation forgets the token it carried.
    public func markSent(_ id: String, now: Int64) throws {
        try write { dataset in
            try dataset.execute(sql: "UPDATE \(Self.table) SET state = 'sent', sent = \(now), last_error = NULL, "
                + "token = CASE WHEN kind = 'confirmation' THEN NULL ELSE token END WHERE id = \(Self.literal(id))")
        }
    }

    /// Not accepted: tried again at `next`, or given up (`failed`) when the server refused for good.
    public func markUnsent(_ id: String, error: String, next: Int64?, attempts: Int) throws {
        try write { dataset in
            let state = next == nil ? "failed" : "pending"
            try dataset.execute(sql: "UPDATE \(Self.table) SET state = '\(state)', attempts = \(attempts), "
                + "next_attempt = \(next ?? 0), last_error = \(Self.literal(String(error.prefix(500)))) WHERE id = \(Self.literal(id))")
        }
    }

    /// Messages in the given states, oldest first (the secretariat's view: `hotspot partners outbox`).
    public func list(states: [OutboxMessage.State]) throws -> [OutboxMessage] {
        try read(empty: []) { dataset in
            try select(dataset, where: "state IN (\(states.map { Self.literal($0.rawValue) }.joined(separator: ", "))) ORDER BY created")
        }
    }

    // MARK: underneath

    private func select(_ dataset: Dataset, where condition: String) throws -> [OutboxMessage] {
        try dataset.query(sql: "SELECT \(Self.columns.joined(separator: ", ")) FROM \(Self.table) WHERE \(condition)").compactMap { row in
            guard row.count == Self.columns.count, let id = row[0], let kind = row[1].flatMap(OutboxMessage.Kind.init(rawValue:)),
                  let state = row[10].flatMap(OutboxMessage.State.init(rawValue:)) else { return nil }
            return OutboxMessage(id: id, kind: kind, partnerID: row[2] ?? "", senderName: row[3] ?? "", senderEmail: row[4] ?? "",
                                 senderOrganisation: row[5], senderPartner: row[6], message: row[7] ?? "", language: row[8] ?? "en",
                                 client: row[9] ?? "", state: state, attempts: Int(row[11] ?? "0") ?? 0,
                                 nextAttempt: Int64(row[12] ?? "0") ?? 0, created: Int64(row[13] ?? "0") ?? 0,
                                 sent: row[14].flatMap { Int64($0) }, lastError: row[15], token: row[16],
                                 expires: row[17].flatMap { Int64($0) })
        }
    }

    /// Reads leave the store as it is: without the table (no message yet), `empty` is the answer.
    private func read<T>(empty: T, _ body: (Dataset) throws -> T) throws -> T {
        try store.withConnection { dataset in
            guard try ready.withLock({ $0 }) || tableExists(dataset) else { return empty }
            return try body(dataset)
        }
    }

    private func tableExists(_ dataset: Dataset) throws -> Bool {
        let sql = store.location.isDatabase
            ? "SELECT to_regclass('\(Self.table)')::text"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '\(Self.table)'"
        return try dataset.query(sql: sql).first?.first ?? nil != nil
    }

    private func write<T>(_ body: (Dataset) throws -> T) throws -> T {
        try store.withConnection { dataset in
            try prepare(dataset)
            return try dataset.transaction { try body(dataset) }
        }
    }

    /// The table, made on first use (plain SQL both SQLite and PostgreSQL take).
    private func prepare(_ dataset: Dataset) throws {
        if ready.withLock({ $0 }) { return }
        let integer = store.location.isDatabase ? "BIGINT" : "INTEGER"
        try dataset.execute(sql: """
            CREATE TABLE IF NOT EXISTS \(Self.table) (id TEXT PRIMARY KEY, kind TEXT NOT NULL, partner_id TEXT NOT NULL, \
            sender_name TEXT NOT NULL, sender_email TEXT NOT NULL, sender_organisation TEXT, sender_partner TEXT, \
            message TEXT NOT NULL, language TEXT NOT NULL, client TEXT NOT NULL, state TEXT NOT NULL, \
            attempts \(integer) NOT NULL, next_attempt \(integer) NOT NULL, created \(integer) NOT NULL, sent \(integer), \
            last_error TEXT, token TEXT, expires \(integer))
            """)
        try dataset.execute(sql: "CREATE INDEX IF NOT EXISTS \(Self.table)_due ON \(Self.table) (state, next_attempt)")
        ready.withLock { $0 = true }
    }

    /// A SQL string literal ('' for a quote; both databases take standard strings), or NULL.
    static func literal(_ text: String?) -> String {
        guard let text else { return "NULL" }
        return "'" + text.replacingOccurrences(of: "\0", with: "").replacingOccurrences(of: "'", with: "''") + "'"
    }
}
