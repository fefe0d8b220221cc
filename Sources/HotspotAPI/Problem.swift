import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import Partners
import RunReader

/// An error answered as `application/problem+json` (RFC 9457): the status, a short title, and a detail sentence that
/// names what was wrong (the parameter, the layer, the limit).
public struct Problem: HTTPResponseError, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let detail: String
    /// The query parameter or body field at fault, when there is one.
    public let parameter: String?
    /// Seconds after which a retry may succeed (503 answers: `Retry-After`).
    public let retryAfter: Int?
    /// The methods the resource has (405 answers: `Allow`).
    public let allow: [String]?

    public init(_ status: HTTPResponse.Status, _ detail: String, parameter: String? = nil, retryAfter: Int? = nil,
                allow: [String]? = nil) {
        self.status = status
        self.detail = detail
        self.parameter = parameter
        self.retryAfter = retryAfter
        self.allow = allow
    }

    public static func badParameter(_ name: String, _ detail: String) -> Problem {
        Problem(.badRequest, detail, parameter: name)
    }

    public var description: String { "\(status.code) \(status.reasonPhrase): \(detail)" }

    struct Body: Encodable {
        var type = "about:blank"
        var title: String
        var status: Int
        var detail: String
        var instance: String
        var parameter: String?
    }

    public func body(instance: String) -> Data {
        let body = Body(title: status.reasonPhrase, status: status.code, detail: detail, instance: instance,
                        parameter: parameter)
        return (try? JSONEncoder.api.encode(body)) ?? Data()
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        if let allow { headers[.allow] = allow.joined(separator: ", ") }
        return Response(status: status, headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body(instance: request.uri.path))))
    }
}

extension Problem {
    /// A domain error as the HTTP answer it stands for.
    init(_ error: ReadError) {
        let status: HTTPResponse.Status = switch error {
        case .noRun: .serviceUnavailable
        case .notFound: .notFound
        case .invalid: .badRequest
        case .tooLarge: .contentTooLarge
        case .failed: .internalServerError
        }
        self.init(status, error.description, parameter: error.parameter)
    }

    /// A refused edit of the partner directory.
    init(_ error: PartnerStore.EditError) {
        switch error {
        case let .exists(id): self.init(.conflict, "partner \(id) already exists: PUT /v1/partners/\(id) replaces it")
        case let .notFound(id): self.init(.notFound, "no partner '\(id)'")
        case let .stale(id):
            self.init(.preconditionFailed, "partner \(id) changed since the version If-Match names: read it again "
                      + "(GET with the token) and resend the edit with its new ETag")
        }
    }
}

/// The one place errors become problem+json: ours as they are, the reader's and the partner store's domain errors
/// with the status they stand for, Hummingbird's (unknown route, bad method, body too large) with their status, and
/// anything else as a 500 that is logged, never a dropped connection.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let problem: Problem
        do {
            return try await next(request, context)
        } catch let error as Problem {
            problem = error
        } catch let error as ReadError {
            problem = Problem(error)
        } catch let error as PartnerStore.EditError {
            problem = Problem(error)
        } catch let error as PartnerError {
            problem = Problem.badParameter(error.field, "invalid partner: \(error)")
        } catch let error as HTTPParserError {
            // The body's framing broke while the route read it (a bad chunk size, a body shorter than its
            // Content-Length then a half-close): the client's fault, not the server's.
            problem = Problem(.badRequest, "the request body is malformed: \(error)")
        } catch let error as any HTTPResponseError where error.status == .notFound {
            // No route: a documented path asked with a method it does not have is 405, naming those it has.
            if let methods = RouteMethods.api.allowed(request.uri.path), !methods.contains(request.method.rawValue) {
                problem = Problem(.methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path)", allow: methods)
            } else {
                problem = Problem(.notFound, "no route or resource at \(request.uri.path)")
            }
        } catch let error as any HTTPResponseError {
            let detail: String
            switch error.status {
            case .notFound: detail = "no route or resource at \(request.uri.path)"
            case .methodNotAllowed: detail = "\(request.method) is not allowed on \(request.uri.path)"
            case .contentTooLarge: detail = "the request body is too large"
            case .badRequest: detail = "the request is malformed"
            default: detail = "\(error)"
            }
            problem = Problem(error.status, detail)
        } catch {
            problem = Problem(.internalServerError, "\(error)")
        }
        guard problem.status == .internalServerError else { return try problem.response(from: request, context: context) }
        // A 500's detail names files and GDAL's words: it goes to the log under an id the client is given instead.
        let id = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        context.logger.error("request \(id) \(request.method) \(request.uri.path) failed: \(problem.detail)")
        var response = try Problem(.internalServerError, "the server could not answer; the error is logged as request \(id)")
            .response(from: request, context: context)
        response.headers[.requestID] = id
        return response
    }
}

/// Methods the API has no route for anywhere (TRACE, CONNECT, PATCH...) are 405 with the methods it does answer,
/// not a 404 that reads as "no such resource".
struct MethodMiddleware<Context: RequestContext>: RouterMiddleware {
    static var answered: [HTTPRequest.Method] { [.get, .head, .post, .put, .delete, .options] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.answered.contains(request.method) else {
            return try Problem(.methodNotAllowed, "\(request.method) is not a method of this API",
                               allow: Self.answered.map(\.rawValue)).response(from: request, context: context)
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static var requestID: Self { Self("X-Request-Id")! }
}
