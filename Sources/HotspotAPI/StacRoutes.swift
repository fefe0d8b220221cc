import Foundation
import GeoKit
import Hummingbird
import Pipeline
import RunReader

/// The STAC 1.1 catalogue of the published runs (see `StacCatalog`): `/stac` (Catalog and STAC API landing page),
/// `/stac/collections[/runs]`, `/stac/collections/runs/items[/{runId}]`, and `/stac/search` by `bbox`, `datetime`,
/// `ids`, `collections`, `limit`. Items are made from the runs' files on each request (a handful of runs).
struct StacRoutes: Sendable {
    let served: ServedRun
    let options: ServerOptions

    static let searchParameters: Set<String> = ["bbox", "datetime", "limit", "offset", "ids", "collections"]

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("/stac") { request, _ in
            try checkParameters(request, known: [])
            return try document(request, StacCatalog.catalog(base: base(request)), type: "application/json")
        }
        routes.get("/stac/collections") { request, _ in
            try checkParameters(request, known: [])
            let base = base(request)
            let collection = StacCatalog.collection(try await items(base), base: base)
            return try document(request, ["collections": [collection], "links": [
                ["rel": "self", "href": base + "/stac/collections", "type": "application/json"],
                ["rel": "root", "href": base + "/stac", "type": "application/json"],
            ]], type: "application/json")
        }
        routes.get("/stac/collections/{collectionId}") { request, context in
            try checkParameters(request, known: [])
            try requireCollection(context)
            let base = base(request)
            return try document(request, StacCatalog.collection(try await items(base), base: base), type: "application/json")
        }
        routes.get("/stac/collections/{collectionId}/items") { request, context in
            try requireCollection(context)
            return try await search(request, path: "/stac/collections/\(StacCatalog.collectionID)/items")
        }
        routes.get("/stac/collections/{collectionId}/items/{runId}") { request, context in
            try checkParameters(request, known: [])
            try requireCollection(context)
            let id = try context.parameters.require("runId")
            guard let item = try await items(base(request)).first(where: { $0["id"] as? String == id }) else {
                throw Problem(.notFound, "no run '\(id.prefix(60))' in the catalogue (see /stac/collections/runs)")
            }
            return try document(request, item, type: "application/geo+json")
        }
        routes.get("/stac/search") { request, _ in try await search(request, path: "/stac/search") }
        return routes
    }

    func base(_ request: Request) -> String { HotspotServer.baseURL(request, options) }

    func requireCollection(_ context: BasicRequestContext) throws {
        let id = try context.parameters.require("collectionId")
        guard id == StacCatalog.collectionID else {
            throw Problem(.notFound, "no STAC collection '\(id.prefix(60))': the catalogue has one, runs")
        }
    }

    /// Every published run's Item, newest first.
    func items(_ base: String) async throws -> [[String: Any]] {
        let folder = options.outputDirectory
        let data = try await offload { () throws -> Data in
            let items = try StacCatalog.runs(in: folder).map { run in
                try StacCatalog.item(run, base: base) { name in
                    Storage.isVirtual(run.directory) ? StacCatalog.storeURL(Storage.join(run.directory, name))
                        : base + "/v1/runs/\(run.record.runID)/files/\(name)"
                }
            }
            return try StacCatalog.encode(items)
        }
        return (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }

    /// STAC API item search (GET): the Items whose bbox meets `bbox` and whose datetime is in `datetime`.
    func search(_ request: Request, path: String) async throws -> Response {
        try checkParameters(request, known: Self.searchParameters)
        let (limit, offset) = try page(request, default: 10, maximum: 1000)
        let query = request.uri.queryParameters
        var matched = try await items(base(request))
        if query.get("bbox") != nil, let box = try PartnerRoutes.filter(request).bbox {
            matched = matched.filter { ($0["bbox"] as? [Double]).map { HotspotCollection.overlaps($0, box) } ?? false }
        }
        if let text = query.get("datetime") {
            let interval = try DateTimeFilter(text)
            matched = matched.filter {
                (($0["properties"] as? [String: Any])?["datetime"] as? String).map(interval.contains) ?? false
            }
        }
        for (name, maximum) in [("ids", 2000), ("collections", 200)] where (query.get(name)?.count ?? 0) > maximum {
            throw Problem.badParameter(name, "\(name) is at most \(maximum) characters")
        }
        if let ids = query.get("ids") {
            let wanted = Set(ids.split(separator: ",").map(String.init))
            matched = matched.filter { wanted.contains($0["id"] as? String ?? "") }
        }
        if let collections = query.get("collections"),
           !collections.split(separator: ",").contains(Substring(StacCatalog.collectionID)) {
            matched = []
        }
        let shown = Array(matched.dropFirst(offset).prefix(limit))
        let href = base(request) + path
        var links: [[String: Any]] = [
            ["rel": "self", "href": pageURL(request, path: href, limit: limit, offset: offset), "type": "application/geo+json"],
            ["rel": "root", "href": base(request) + "/stac", "type": "application/json"],
        ]
        if offset + shown.count < matched.count {
            links.append(["rel": "next", "href": pageURL(request, path: href, limit: limit, offset: offset + shown.count),
                          "type": "application/geo+json", "method": "GET"])
        }
        if offset > 0 {
            links.append(["rel": "prev", "href": pageURL(request, path: href, limit: limit, offset: max(0, offset - limit)),
                          "type": "application/geo+json", "method": "GET"])
        }
        return try document(request, StacCatalog.itemCollection(shown, matched: matched.count, links: links),
                            type: "application/geo+json")
    }

    func document(_ request: Request, _ value: Any, type: String) throws -> Response {
        respond(request, try StacCatalog.encode(value), type: type, caching: .run)
    }
}
