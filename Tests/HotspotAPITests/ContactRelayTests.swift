import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Partners
import Testing
import TestSupport

/// aiosmtpd (PyPI, installed by `make test`) on a loopback port: every accepted message is a JSON file in `folder`.
/// Stopped and started again on the same port to play an SMTP server that is down for a while.
final class SMTPSink: @unchecked Sendable {
    let port: Int
    let folder = TemporaryFolder("hotspot-smtp")
    private var process: Process?
    /// A self-signed certificate for 127.0.0.1 when the sink requires STARTTLS.
    let certificate: String?

    init(tls: Bool = false) async throws {
        port = try freePort()
        if tls {
            let made = try runTool("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                                               "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder.file("key.pem"),
                                               "-out", folder.file("cert.pem")])
            guard made.status == 0 else { throw TestFailure("openssl: \(made.err)") }
            certificate = folder.file("cert.pem")
        } else {
            certificate = nil
        }
        try await start()
    }

    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: repositoryRoot + "/.build/venv/bin/python")
        process.arguments = [repositoryRoot + "/Tests/HotspotAPITests/smtp_sink.py", "\(port)", folder.file("mail")]
            + (certificate.map { [$0, folder.file("key.pem")] } ?? [])
        FileManager.default.createFile(atPath: folder.file("sink.log"), contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: folder.file("sink.log"))
        process.standardError = FileHandle(forWritingAtPath: folder.file("sink.log"))
        try process.run()
        self.process = process
        for _ in 0..<100 {
            if ((try? String(contentsOfFile: folder.file("sink.log"), encoding: .utf8)) ?? "").contains("ready") { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("aiosmtpd did not start: \((try? String(contentsOfFile: folder.file("sink.log"), encoding: .utf8)) ?? "")")
    }

    func stop() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    struct Mail {
        var from: String
        var to: [String]
        var headers: [String: String]
        var body: String
    }

    /// The messages received so far, in arrival order, headers unfolded and bodies decoded (base64).
    var received: [Mail] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.file("mail"))) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return names.compactMap { name in
            guard let data = FileManager.default.contents(atPath: folder.file("mail/" + name)),
                  let record = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let raw = record["data"] as? String else { return nil }
            let parts = raw.components(separatedBy: "\r\n\r\n")
            var headers: [String: String] = [:]
            for line in parts[0].replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let encoded = parts.dropFirst().joined(separator: "\r\n\r\n").replacingOccurrences(of: "\r\n", with: "")
            let body = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return Mail(from: record["mail_from"] as? String ?? "", to: record["rcpt_tos"] as? [String] ?? [],
                        headers: headers, body: body)
        }
    }

    func waitFor(count: Int, seconds: Double) async throws -> [Mail] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let mails = received
            if mails.count >= count { return mails }
            try await Task.sleep(for: .milliseconds(200))
        }
        return received
    }

    deinit { stop() }
}

/// The contact relay end to end: `hotspot serve` (its own process) hands messages to a real SMTP server.
@Suite(.serialized) struct ContactRelayTests {
    static let token = "contact-token-\(UUID().uuidString)"

    static let partners: [Partner] = [
        Partner(id: "inrae-fr", name: "Sols de France", type: .researchInstitute, country: "FR", lon: 2.35, lat: 48.85,
                themes: [.soilCarbonMonitoring], email: "director@private-fr.example.org",
                created: "2025-06-01T00:00:00Z", updated: "2025-06-01T00:00:00Z"),
        Partner(id: "suelos-ar", name: "Suelos Vivos", type: .ngo, country: "AR", lon: -58.4, lat: -34.6,
                themes: [.agroforestry], email: "coordinacion@private-ar.example.org",
                created: "2025-06-01T00:00:00Z", updated: "2025-06-01T00:00:00Z"),
        Partner(id: "kari-ke", name: "Kenya Soils", type: .publicBody, country: "KE", lon: 36.8, lat: -1.3,
                themes: [.policy], email: "head@private-ke.example.org",
                created: "2025-06-01T00:00:00Z", updated: "2025-06-01T00:00:00Z"),
        Partner(id: "no-mail", name: "No address", type: .ngo, country: "DE", lon: 13.4, lat: 52.5, themes: [.policy],
                created: "2025-06-01T00:00:00Z", updated: "2025-06-01T00:00:00Z"),
    ]

    static func server(_ sink: SMTPSink, perClient: Int = 50, tls: String = "starttls: false") async throws -> ServeProcess {
        try await ServeProcess(environment: ["HOTSPOT_ADMIN_TOKEN": token], partners: partners) {
            $0.replacingOccurrences(of: "  admin_token_env: HOTSPOT_ADMIN_TOKEN\n", with: """
                  admin_token_env: HOTSPOT_ADMIN_TOKEN
                  smtp:
                    host: 127.0.0.1
                    port: \(sink.port)
                    \(tls)
                    from: relay@hotspot.example.org
                  contact:
                    per_client_per_hour: \(perClient)
                    per_recipient_per_day: 50
                    max_links: 1

                """)
        }
    }

    static func post(_ server: ServeProcess, _ id: String, _ body: [String: Any], trusted: Bool = false) async throws -> (Int, String, [String: String]) {
        var request = URLRequest(url: URL(string: "\(server.base)/v1/partners/\(id)/contact")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if trusted { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, response) = try await TestServer.session.data(for: request)
        let http = response as! HTTPURLResponse
        let headers = [String: String](http.allHeaderFields.map { ("\($0.key)".lowercased(), "\($0.value)") },
                                       uniquingKeysWith: { a, _ in a })
        return (http.statusCode, String(decoding: data, as: UTF8.self), headers)
    }

    static func message(_ text: String = "Bonjour, shall we compare our soil carbon plots?") -> [String: Any] {
        ["name": "Ana Pérez", "email": "ana@sender.example.net", "organisation": "Universidad de Prueba", "message": text,
         "language": "es"]
    }

    @Test func aMessageReachesThePartnerInItsLanguageAndItsAddressIsNeverShown() async throws {
        let sink = try await SMTPSink()
        let server = try await Self.server(sink)
        var answers: [String] = []
        for id in ["inrae-fr", "suelos-ar", "kari-ke"] {
            let (status, body, _) = try await Self.post(server, id, Self.message(), trusted: true)
            #expect(status == 202, "\(body)")
            answers.append(body)
        }
        let mails = try await sink.waitFor(count: 3, seconds: 20)
        try #require(mails.count == 3, "\(mails.map(\.to)) \(server.log.suffix(2000))")
        let byRecipient = Dictionary(mails.map { ($0.to.first ?? "", $0) }) { a, _ in a }
        for (partner, language, word) in [(Self.partners[0], "fr", "Bonjour Sols de France"), (Self.partners[1], "es", "Hola Suelos Vivos"),
                                          (Self.partners[2], "en", "Hello Kenya Soils")] {
            let mail = try #require(byRecipient[partner.email!], "\(byRecipient.keys)")
            #expect(mail.from == "relay@hotspot.example.org")
            #expect(mail.headers["to"]?.contains("<\(partner.email!)>") == true, "\(mail.headers)")
            #expect(mail.headers["reply-to"]?.hasSuffix("<ana@sender.example.net>") == true, "\(mail.headers)")
            #expect(mail.headers["content-language"] == language)
            #expect(mail.body.contains(word) && mail.body.contains("shall we compare our soil carbon plots?"), "\(mail.body)")
            #expect(mail.body.contains("Ana Pérez (Universidad de Prueba)"))
        }
        // The recipients' addresses are in no answer and no line of the log.
        let log = server.log
        for partner in Self.partners.prefix(3) {
            #expect(!answers.joined().contains(partner.email!))
            #expect(!log.contains(partner.email!), "\(log.suffix(2000))")
        }
        // A partner without an address, one that does not exist, and bad messages.
        #expect(try await Self.post(server, "no-mail", Self.message(), trusted: true).0 == 409)
        #expect(try await Self.post(server, "nobody", Self.message(), trusted: true).0 == 404)
        var links = Self.message("See https://a.example and https://b.example")
        #expect(try await Self.post(server, "kari-ke", links).0 == 400)
        links["message"] = "Line one\u{7}"
        #expect(try await Self.post(server, "kari-ke", links).0 == 400)
        var header = Self.message()
        header["name"] = "Ana\r\nBcc: everyone@example.org"
        let injected = try await Self.post(server, "kari-ke", header)
        #expect(injected.0 == 400 && injected.1.contains("one line"), "\(injected.1)")
        var unknown = Self.message()
        unknown["cc"] = "x@example.org"
        #expect(try await Self.post(server, "kari-ke", unknown).0 == 400)
    }

    @Test func anUnconfirmedSenderIsNotSentAndTheLinkSendsIt() async throws {
        let sink = try await SMTPSink()
        let server = try await Self.server(sink)
        // Before any message, the outbox is empty, and reading it made nothing in the store.
        let before = try runTool(DemoFixture.hotspotBinary, ["partners", "outbox", "--state", "all", "--config", server.configPath])
        #expect(before.status == 0 && before.err.contains("0 message(s)"), "\(before.err)")
        #expect(try runTool("ogrinfo", ["-ro", "-so", "-sql", "SELECT name FROM sqlite_master WHERE name = 'partner_outbox'",
                                        server.folder.file("partners.gpkg")]).out.contains("Feature Count: 0"))
        let (status, body, _) = try await Self.post(server, "inrae-fr", Self.message())
        #expect(status == 202 && body.contains("awaiting_confirmation"), "\(body)")
        // The honeypot: answered the same, kept nowhere.
        var robot = Self.message()
        robot["homepage"] = "http://spam.example"
        #expect(try await Self.post(server, "kari-ke", robot).0 == 202)
        let first = try await sink.waitFor(count: 1, seconds: 20)
        try #require(first.count == 1, "\(server.log.suffix(2000))")
        let confirmation = first[0]
        #expect(confirmation.to == ["ana@sender.example.net"])
        #expect(confirmation.headers["content-language"] == "es")
        #expect(confirmation.body.contains("Hola Ana Pérez") && confirmation.body.contains("Sols de France"), "\(confirmation.body)")
        // Nothing else goes out before the link is used (three sender rounds).
        try await Task.sleep(for: .seconds(6))
        #expect(sink.received.count == 1)
        let link = try #require(confirmation.body.split(whereSeparator: \.isNewline).first { $0.contains("/v1/contact/confirm?") })
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // The link opens the page in the sender's language.
        let query = try #require(URLComponents(string: link)?.queryItems)
        #expect(query.first { $0.name == "lang" }?.value == "es")
        let token = try #require(query.first { $0.name == "token" }?.value)
        let page = try await TestServer.session.data(from: URL(string: link)!)
        let pageText = String(decoding: page.0, as: UTF8.self)
        #expect(pageText.contains("name=\"token\" value=\"\(token)\"") && pageText.contains("Enviar mi mensaje"), "\(pageText)")
        var confirm = URLRequest(url: URL(string: "\(server.base)/v1/contact/confirm")!)
        confirm.httpMethod = "POST"
        confirm.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        confirm.httpBody = Data("token=\(token)".utf8)
        let confirmed = try await TestServer.session.data(for: confirm)
        #expect((confirmed.1 as! HTTPURLResponse).statusCode == 200, "\(String(decoding: confirmed.0, as: UTF8.self))")
        confirm.httpBody = Data("token=\(String(repeating: "A", count: 43))".utf8)
        #expect((try await TestServer.session.data(for: confirm).1 as! HTTPURLResponse).statusCode == 404)
        let mails = try await sink.waitFor(count: 2, seconds: 20)
        try #require(mails.count == 2)
        #expect(mails[1].to == [Self.partners[0].email!])
        #expect(mails[1].headers["content-language"] == "fr")
        // The honeypot's message never went out, and the outbox never held it.
        try await Task.sleep(for: .seconds(3))
        #expect(sink.received.count == 2)
        let outbox = try runTool(DemoFixture.hotspotBinary, ["partners", "outbox", "--state", "all", "--config", server.configPath])
        #expect(outbox.status == 0, "\(outbox.err)")
        #expect(outbox.out.components(separatedBy: "\n").filter { $0.contains("\tsent\t") }.count == 2, "\(outbox.out)")
        #expect(!outbox.out.contains("kari-ke"), "\(outbox.out)")
    }

    @Test func messagesWaitForADownServerAndAreEachDeliveredOnce() async throws {
        let sink = try await SMTPSink()
        sink.stop()
        let server = try await Self.server(sink)
        for i in 0..<5 {
            let (status, body, _) = try await Self.post(server, ["inrae-fr", "suelos-ar", "kari-ke"][i % 3],
                                                        Self.message("Message number \(i) of five."), trusted: true)
            #expect(status == 202, "\(body)")
        }
        // Tried while the server is down: they wait, with their attempts counted.
        try await Task.sleep(for: .seconds(4))
        let waiting = try runTool(DemoFixture.hotspotBinary, ["partners", "outbox", "--config", server.configPath])
        #expect(waiting.out.components(separatedBy: "\n").filter { $0.contains("\tpending\t1\t") }.count == 5, "\(waiting.out)")
        #expect(waiting.out.contains("Connection refused") || waiting.out.contains("Couldn't connect"), "\(waiting.out)")
        // A restart of the relay's server resumes the queue from the store.
        try await sink.start()
        let mails = try await sink.waitFor(count: 5, seconds: 60)
        try await Task.sleep(for: .seconds(3))
        let all = sink.received
        #expect(all.count == 5, "\(all.map(\.body))")
        let numbers = Set(all.compactMap { mail in (0..<5).first { mail.body.contains("Message number \($0) of five.") } })
        #expect(numbers == Set(0..<5), "\(mails.count)")
        let sent = try runTool(DemoFixture.hotspotBinary, ["partners", "outbox", "--state", "sent", "--config", server.configPath])
        #expect(sent.out.components(separatedBy: "\n").filter { $0.contains("\tsent\t") }.count == 5, "\(sent.out)")
    }

    /// `starttls: true`: the message goes over TLS to a server that requires it (its certificate checked against
    /// `ca_file`), and never in clear to one that does not offer it.
    @Test func startTLSIsRequiredWhenConfigured() async throws {
        let tlsSink = try await SMTPSink(tls: true)
        let secure = try await Self.server(tlsSink, tls: "starttls: true\n    ca_file: \(tlsSink.certificate!)")
        #expect(try await Self.post(secure, "kari-ke", Self.message(), trusted: true).0 == 202)
        let mails = try await tlsSink.waitFor(count: 1, seconds: 20)
        #expect(mails.count == 1 && mails.first?.to == [Self.partners[2].email!], "\(secure.log.suffix(1500))")

        let plainSink = try await SMTPSink()
        let refused = try await Self.server(plainSink, tls: "starttls: true")
        #expect(try await Self.post(refused, "kari-ke", Self.message(), trusted: true).0 == 202)
        try await Task.sleep(for: .seconds(5))
        #expect(plainSink.received.isEmpty)
        let outbox = try runTool(DemoFixture.hotspotBinary, ["partners", "outbox", "--config", refused.configPath])
        #expect(outbox.out.contains("\tpending\t1\t"), "\(outbox.out)")
    }

    @Test func tooManyMessagesFromOneClientAre429() async throws {
        let sink = try await SMTPSink()
        let server = try await Self.server(sink, perClient: 3)
        for _ in 0..<3 { #expect(try await Self.post(server, "kari-ke", Self.message()).0 == 202) }
        let (status, body, headers) = try await Self.post(server, "kari-ke", Self.message())
        #expect(status == 429, "\(body)")
        #expect(headers["content-type"] == "application/problem+json")
        let retry = Int(headers["retry-after"] ?? "") ?? 0
        #expect(retry > 3500 && retry <= 3600, "\(headers)")
        // The admin token is not limited.
        #expect(try await Self.post(server, "kari-ke", Self.message(), trusted: true).0 == 202)
    }
}
