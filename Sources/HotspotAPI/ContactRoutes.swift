import Contact
import Foundation
import HTTPTypes
import Hummingbird
import Partners
import RunReader

/// The contact relay's routes: a visitor writes to a partner (202: kept in the outbox, sent once the sender has
/// confirmed their address), and the confirmation link. Nothing answered names the partner's address.
struct ContactRoutes: Sendable {
    /// Nil when no SMTP server is configured: contact answers 503.
    let relay: ContactRelay?
    let store: PartnerStore
    let partners: PartnerRoutes

    var routes: RouteCollection<BasicRequestContext> {
        let router = RouteCollection(context: BasicRequestContext.self)
        router.post("/v1/partners/{id}/contact") { request, context in
            try await contact(request, context, id: try context.parameters.require("id"))
        }
        router.get("/v1/contact/confirm") { request, _ in try confirmPage(request) }
        router.post("/v1/contact/confirm") { request, context in try await confirm(request, context) }
        return router
    }

    func contact(_ request: Request, _ context: BasicRequestContext, id: String) async throws -> Response {
        let partner = try partners.find(id)
        guard let relay else {
            throw Problem(.serviceUnavailable, "the contact relay is not configured on this server (server.smtp)")
        }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? false else {
            throw Problem(.unsupportedMediaType, "send the message as application/json")
        }
        let object = try await partners.body(request)
        let message: ContactRequest
        do {
            message = try ContactRequest(json: object, limits: relay.settings.limits)
        } catch {
            throw Problem.badParameter(error.field, error.description)
        }
        guard partner.email?.isEmpty == false else {
            throw Problem(.conflict, "partner '\(id)' has no contact address in the directory")
        }
        let trusted = try partners.authorised(request, required: false)
        let client = clientAddress(request.headers)
        let outcome: ContactRelay.Outcome
        do {
            outcome = try await offload { try relay.accept(message, to: partner, clientAddress: client, trusted: trusted) }
        } catch let refusal as ContactRelay.Refusal {
            switch refusal {
            case .rateLimited(let seconds, let reason): throw Problem(.tooManyRequests, reason, retryAfter: seconds)
            }
        } catch {
            context.logger.error("contact outbox \(store.path): \(error)")
            throw Problem(.serviceUnavailable, "the message cannot be kept just now; try again")
        }
        struct Accepted: Encodable {
            var status: String
            var detail: String
        }
        let answer: Accepted
        switch outcome {
        case .queued(_, true), .dropped where relay.settings.limits.confirmSender && !trusted:
            answer = Accepted(status: "awaiting_confirmation",
                              detail: "a link was sent to \(message.email): the message goes to \(partner.name) once it is opened")
        case .queued, .dropped:
            answer = Accepted(status: "queued", detail: "the message will be delivered to \(partner.name)")
        }
        var response = try respondJSON(request, answer, caching: .never)
        response.status = .accepted
        return response
    }

    /// The link in the e-mail opens a page with one button: mail scanners that follow links confirm nothing.
    func confirmPage(_ request: Request) throws -> Response {
        guard let token = request.uri.queryParameters.get("token"), !token.isEmpty else {
            throw Problem.badParameter("token", "the confirmation link has no token")
        }
        let safe = token.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        let language = HotspotServer.language(request)
        let (title, button) = switch language.rawValue {
        case "fr": ("Confirmer votre message", "Envoyer mon message")
        case "es": ("Confirmar su mensaje", "Enviar mi mensaje")
        default: ("Confirm your message", "Send my message")
        }
        let html = """
            <!doctype html><html lang="\(language.rawValue)"><head><meta charset="utf-8"><title>\(title)</title>
            <meta name="viewport" content="width=device-width"></head><body><h1>\(title)</h1>
            <form method="post" action="/v1/contact/confirm?lang=\(language.rawValue)"><input type="hidden" name="token" value="\(safe)">
            <button type="submit">\(button)</button></form></body></html>
            """
        return respond(request, Data(html.utf8), type: "text/html; charset=utf-8", caching: .privateNoStore)
    }

    func confirm(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard let relay else { throw Problem(.serviceUnavailable, "the contact relay is not configured on this server (server.smtp)") }
        let buffer = try await request.body.collect(upTo: 4096)
        let form = String(buffer: buffer)
        let token = form.split(separator: "&").compactMap { pair -> String? in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return parts.count == 2 && parts[0] == "token" ? String(parts[1]).removingPercentEncoding : nil
        }.first ?? ""
        let result: PartnerOutbox.Confirmation
        do {
            result = try await offload { try relay.confirm(token: token) }
        } catch {
            context.logger.error("contact outbox \(store.path): \(error)")
            throw Problem(.serviceUnavailable, "the confirmation cannot be recorded just now; try again")
        }
        switch result {
        case .confirmed, .alreadyConfirmed:
            let language = HotspotServer.language(request).rawValue
            let text = switch language {
            case "fr": "Merci : votre message part vers le partenaire."
            case "es": "Gracias: su mensaje va camino del socio."
            default: "Thank you: your message is on its way to the partner."
            }
            let html = "<!doctype html><html lang=\"\(language)\"><head><meta charset=\"utf-8\"><title>\(text)</title></head>"
                + "<body><p role=\"status\">\(text)</p></body></html>"
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: .init(string: html)))
        case .expired: throw Problem(.gone, "this confirmation link has expired; write the message again")
        case .unknown: throw Problem(.notFound, "no message waits for this confirmation link")
        }
    }
}
