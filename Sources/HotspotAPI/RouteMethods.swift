import Foundation
import HTTPTypes

/// The methods each path of the API answers, from the API document (the test that calls every documented route
/// keeps the two in step): a known path asked with another method is 405 with `Allow`, not a 404 that reads as
/// "no such resource".
struct RouteMethods: Sendable {
    /// Path templates split into segments (`{id}` matches any one segment), with their methods.
    private let routes: [(segments: [String], methods: [String])]

    static let api: RouteMethods = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let paths = root["paths"] as? [String: Any] else { return RouteMethods(routes: []) }
        let verbs = ["get", "put", "post", "delete", "patch"]
        return RouteMethods(routes: paths.compactMap { template, item in
            guard let operations = item as? [String: Any] else { return nil }
            var methods = verbs.filter { operations[$0] != nil }.map { $0.uppercased() }
            if methods.contains("GET") { methods.append("HEAD") }
            return (template.split(separator: "/", omittingEmptySubsequences: false).map(String.init), methods + ["OPTIONS"])
        })
    }()

    /// The methods of the documented path `path` matches, or nil when it matches none.
    func allowed(_ path: String) -> [String]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let matches = routes.filter { route in
            route.segments.count == segments.count && zip(route.segments, segments).allSatisfy { template, segment in
                template.hasPrefix("{") ? !segment.isEmpty : template == segment
            }
        }
        guard !matches.isEmpty else { return nil }
        // A literal route wins over a template for the same shape (/v1/partners/near-hotspots over /v1/partners/{id}).
        let literal = matches.filter { !$0.segments.contains { $0.hasPrefix("{") } }
        let chosen = literal.isEmpty ? matches : literal
        var seen = Set<String>()
        return chosen.flatMap(\.methods).filter { seen.insert($0).inserted }
    }
}
