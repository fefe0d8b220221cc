import Foundation
import RunReader
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

/// How long clients may keep an answer: immutable for content addressed by run id, short for the rest.
enum Caching: String {
    case immutable = "public, max-age=31536000, immutable"
    case run = "public, max-age=60"
    case never = "no-cache"
    /// Answers with private fields (the contact e-mail): no cache keeps them.
    case privateNoStore = "private, no-store"
}

/// A GET answer with an `ETag` (a hash of the bytes) and `Cache-Control`; `If-None-Match` gets a 304.
func respond(_ request: Request, _ data: Data, type: String, caching: Caching, status: HTTPResponse.Status = .ok,
             headers extra: HTTPFields = [:]) -> Response {
    let etag = "\"" + fnv1a(data) + "\""
    var headers = extra
    headers[.eTag] = etag
    headers[.cacheControl] = caching.rawValue
    if status == .ok, let match = request.headers[.ifNoneMatch],
       match == "*" || match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag }) {
        return Response(status: .notModified, headers: headers)
    }
    headers[.contentType] = type
    if request.method == .head {
        headers[.contentLength] = "\(data.count)"
        return Response(status: status, headers: headers)
    }
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
}

/// A JSON answer; its labels may depend on `Accept-Language`, which caches must key on.
func respondJSON<T: Encodable>(_ request: Request, _ value: T, caching: Caching, type: String = "application/json") throws -> Response {
    respond(request, try JSONEncoder.api.encode(value), type: type, caching: caching, headers: [.vary: "Accept-Language"])
}

/// FNV-1a, 64 bits, in hex: a cheap content hash for ETags (not for security).
func fnv1a(_ data: Data) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    data.withUnsafeBytes { bytes in
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
    }
    return String(hash, radix: 16)
}

/// Runs blocking GDAL work off the event loop, on NIO's thread pool (one thread per core: the number of GDAL handle
/// sets the pools open stays bounded by it), or on `pool`.
func offload<T: Sendable>(on pool: NIOThreadPool = .singleton, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await pool.runIfActive { try body() }
}

/// Parses a query parameter as a finite number in `range`, naming it in the error.
func number(_ request: Request, _ name: String, in range: ClosedRange<Double>) throws(ReadError) -> Double {
    guard let text = request.uri.queryParameters.get(name) else { throw .invalid("\(name) is required", parameter: name) }
    return try checkedNumber(text, name, in: range)
}

/// Refuses query parameters a route does not know (a typo such as `?lmit=5` would otherwise be silently ignored).
func checkParameters(_ request: Request, known: Set<String>) throws(ReadError) {
    var seen = Set<String>()
    for (name, _) in request.uri.queryParameters where !seen.insert(String(name)).inserted {
        throw .invalid("\(String(name).prefix(40)) is given twice: give it once", parameter: String(name))
    }
    for (name, _) in request.uri.queryParameters where !known.contains(String(name)) {
        throw .invalid("unknown query parameter '\(String(name).prefix(40))'; this route takes \(known.sorted().joined(separator: ", "))",
                       parameter: String(name))
    }
}

/// A listing's page: `limit` (1 to `maximum`, `default` when not given) and `offset` (0 or more).
func page(_ request: Request, default defaultLimit: Int, maximum: Int) throws(ReadError) -> (limit: Int, offset: Int) {
    let query = request.uri.queryParameters
    func whole(_ name: String, _ range: ClosedRange<Int>) throws(ReadError) -> Int? {
        guard let text = query.get(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .invalid("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound) (got '\(text.prefix(20))')",
                           parameter: name)
        }
        return value
    }
    return (try whole("limit", 1...maximum) ?? defaultLimit, try whole("offset", 0...Int(Int32.max)) ?? 0)
}

/// The URL of another page of a listing: the request's own query (sorted) with `limit` and `offset` set.
func pageURL(_ request: Request, path: String, limit: Int, offset: Int) -> String {
    var components = URLComponents()
    components.queryItems = request.uri.queryParameters.filter { $0.key != "offset" && $0.key != "limit" }
        .map { URLQueryItem(name: String($0.key), value: String($0.value)) }.sorted { $0.name < $1.name }
        + [URLQueryItem(name: "limit", value: "\(limit)"), URLQueryItem(name: "offset", value: "\(offset)")]
    return path + "?" + (components.percentEncodedQuery ?? "")
}

/// 416 for a `Range` past the end of a file of `size` bytes, with the `Content-Range` RFC 9110 asks for.
func rangeNotSatisfiable(_ request: Request, size: Int) -> Response {
    var headers = HTTPFields()
    headers[.contentRange] = "bytes */\(size)"
    headers[.contentType] = "application/problem+json"
    let problem = Problem(.rangeNotSatisfiable, "the file has \(size) bytes", parameter: "Range")
    return Response(status: .rangeNotSatisfiable, headers: headers,
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: problem.body(instance: request.uri.path))))
}
