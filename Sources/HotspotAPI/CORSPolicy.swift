import HTTPTypes
import Hummingbird

/// Cross-origin access: reads (GET, HEAD) for the origins of `server.cors` (`*` by default: the maps and data are
/// public), edits (POST, PUT, DELETE with `Authorization`) only for the origins of `server.cors_edits` (none by
/// default). Every answer also gets `X-Content-Type-Options: nosniff`.
struct CORSPolicy<Context: RequestContext>: RouterMiddleware {
    let readOrigins: [String]
    let editOrigins: [String]

    static var readMethods: [HTTPRequest.Method] { [.get, .head] }
    static var exposed: String { "ETag, Content-Range, Content-Disposition, Content-Language" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return Self.nosniff(try await next(request, context)) }
        if request.method == .options, let asked = request.headers[.accessControlRequestMethod] {
            var response = Response(status: .noContent)
            let method = HTTPRequest.Method(asked)
            if let method, Self.readMethods.contains(method), let allowed = allow(origin, in: readOrigins) {
                response.headers[.accessControlAllowOrigin] = allowed
                response.headers[.accessControlAllowMethods] = "GET, HEAD"
                response.headers[.accessControlAllowHeaders] = "Accept, Accept-Language, Range, If-None-Match"
            } else if let allowed = allow(origin, in: editOrigins), allowed != "*" {
                response.headers[.accessControlAllowOrigin] = allowed
                response.headers[.accessControlAllowMethods] = "GET, HEAD, POST, PUT, DELETE"
                response.headers[.accessControlAllowHeaders] = "Accept, Accept-Language, Authorization, Content-Type, Range, If-None-Match"
            }
            response.headers[.accessControlMaxAge] = "600"
            response.headers[.vary] = "Origin"
            return Self.nosniff(response)
        }
        var response = try await next(request, context)
        let origins = Self.readMethods.contains(request.method) ? readOrigins : editOrigins
        if let allowed = allow(origin, in: origins), Self.readMethods.contains(request.method) || allowed != "*" {
            response.headers[.accessControlAllowOrigin] = allowed
            response.headers[.accessControlExposeHeaders] = Self.exposed
            if allowed != "*" { response.headers[.vary] = [response.headers[.vary], "Origin"].compactMap { $0 }.joined(separator: ", ") }
        }
        return Self.nosniff(response)
    }

    /// `*` when every origin may, the origin itself when it is listed, nil otherwise.
    func allow(_ origin: String, in origins: [String]) -> String? {
        origins.contains("*") ? "*" : origins.contains(origin) ? origin : nil
    }

    static func nosniff(_ response: Response) -> Response {
        var response = response
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }
}

extension HTTPField.Name {
    static var xContentTypeOptions: Self { Self("X-Content-Type-Options")! }
}
