import HTTPTypes
import Hummingbird
import RunReader

/// Answers whose words depend on the language (they vary on `Accept-Language`) say which language they are in: a
/// language we do not have (`?lang=de`) is answered in English, and `Content-Language: en` says so.
struct ContentLanguageMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[.vary]?.contains("Accept-Language") == true, response.headers[.contentLanguage] == nil {
            response.headers[.contentLanguage] = HotspotServer.language(request).rawValue
        }
        return response
    }
}
