import CCurl
import Foundation

/// Where and how mail is handed over: an SMTP server (the initiative's own relay), STARTTLS or not, and the
/// account when it needs one.
public struct SMTPSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// STARTTLS required (the connection fails rather than send in clear); false for a relay on loopback.
    public var startTLS: Bool
    public var user: String?
    public var password: String?
    public var timeoutSeconds: Int
    /// Certificates (PEM) the server's is checked against instead of the system's: a relay with its own CA.
    public var caFile: String?

    public init(host: String, port: Int, startTLS: Bool, user: String? = nil, password: String? = nil, timeoutSeconds: Int = 30,
                caFile: String? = nil) {
        self.host = host
        self.port = port
        self.startTLS = startTLS
        self.user = user
        self.password = password
        self.timeoutSeconds = timeoutSeconds
        self.caFile = caFile
    }
}

/// Why a message was not accepted: the SMTP server's answer or the connection's failure, in one sentence.
/// `permanent`: a 5xx reply (the address refused): trying again will not help.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public var permanent: Bool
}

/// Hands one message at a time to an SMTP server through libcurl (which speaks EHLO, STARTTLS, AUTH and the
/// envelope; the message's bytes are ours). Blocking: call it off the event loop.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings

    private static let global: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(settings: SMTPSettings) {
        _ = Self.global
        self.settings = settings
    }

    /// Sends `message` (RFC 5322 bytes, CRLF lines) from the envelope sender to one recipient; returns when the
    /// server has accepted it (250 after DATA), throws otherwise.
    public func send(_ message: Data, from: String, to: String) throws(SMTPError) {
        guard let curl = curl_easy_init() else { throw SMTPError(description: "libcurl could not start", permanent: false) }
        defer { curl_easy_cleanup(curl) }
        let recipients: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "<\(to)>")
        defer { curl_slist_free_all(recipients) }
        let box = Payload(message)
        let unmanaged = Unmanaged.passRetained(box)
        defer { unmanaged.release() }
        _ = ccurl_set_string(curl, CURLOPT_URL, "smtp://\(settings.host):\(settings.port)")
        _ = ccurl_set_string(curl, CURLOPT_MAIL_FROM, "<\(from)>")
        _ = ccurl_set_pointer(curl, CURLOPT_MAIL_RCPT, recipients)
        _ = ccurl_set_long(curl, CURLOPT_UPLOAD, 1)
        _ = ccurl_set_read_function(curl) { buffer, size, count, context in
            let payload = Unmanaged<Payload>.fromOpaque(context!).takeUnretainedValue()
            return payload.read(into: buffer!, capacity: size * count)
        }
        _ = ccurl_set_pointer(curl, CURLOPT_READDATA, unmanaged.toOpaque())
        _ = ccurl_set_long(curl, CURLOPT_CONNECTTIMEOUT, 10)
        _ = ccurl_set_long(curl, CURLOPT_TIMEOUT, settings.timeoutSeconds)
        _ = ccurl_set_long(curl, CURLOPT_NOSIGNAL, 1)
        // STARTTLS required: a server that does not offer it gets nothing (no fallback to clear text); its certificate
        // and name are checked.
        if settings.startTLS { _ = ccurl_set_long(curl, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
        if let caFile = settings.caFile { _ = ccurl_set_string(curl, CURLOPT_CAINFO, caFile) }
        if let user = settings.user { _ = ccurl_set_string(curl, CURLOPT_USERNAME, user) }
        if let password = settings.password { _ = ccurl_set_string(curl, CURLOPT_PASSWORD, password) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code = errorBuffer.withUnsafeMutableBufferPointer { errors -> CURLcode in
            _ = ccurl_set_pointer(curl, CURLOPT_ERRORBUFFER, errors.baseAddress)
            return curl_easy_perform(curl)
        }
        guard code != CURLE_OK else { return }
        var reply = 0
        _ = ccurl_get_long(curl, CURLINFO_RESPONSE_CODE, &reply)
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        // 5xx: the server refused for good (a bad address, a policy); anything else may pass later.
        throw SMTPError(description: "SMTP \(settings.host):\(settings.port): \(reason)\(reply > 0 ? " (reply \(reply))" : "")",
                        permanent: (500..<600).contains(reply) && code != CURLE_LOGIN_DENIED)
    }

    /// The message's bytes, read out by libcurl in pieces.
    private final class Payload {
        let bytes: [UInt8]
        var offset = 0
        init(_ data: Data) { bytes = [UInt8](data) }

        func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
            let count = min(capacity, bytes.count - offset)
            guard count > 0 else { return 0 }
            bytes.withUnsafeBufferPointer { source in
                UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
            }
            offset += count
            return count
        }
    }
}
