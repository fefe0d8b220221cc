import Foundation
import TestSupport
import Testing

@Suite struct OpenAPITests {
    static let specPath = repositoryRoot + "/Sources/HotspotAPI/Resources/openapi.json"

    /// openapi-spec-validator (PyPI), installed by `make test` into .build/venv.
    @Test func theSpecIsValidOpenAPI31() throws {
        let validator = repositoryRoot + "/.build/venv/bin/openapi-spec-validator"
        guard FileManager.default.isExecutableFile(atPath: validator) else {
            Issue.record("\(validator) is missing: run `make test`, which installs it")
            return
        }
        let result = try runTool(validator, [Self.specPath])
        #expect(result.status == 0, "\(result.out)\(result.err)")
    }

    /// Every GET route of the spec, called with example parameters, answers a documented status with a documented
    /// content type; and every route the server has is in the spec.
    @Test func everyRouteInTheSpecAnswersAsDescribed() async throws {
        let server = try await TestServer.shared.value
        let spec = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: Self.specPath))) as! [String: Any]
        let paths = spec["paths"] as! [String: [String: Any]]
        let examples = ["layer": "loss_score", "z": "2", "x": "2", "y": "1", "id": "europe", "style": "loss_score.qml",
                        "collectionId": "partners", "featureId": "fiji-east", "tileMatrixSetId": "WebMercatorQuad",
                        "tileMatrix": "2", "tileRow": "1", "tileCol": "2", "runId": "latest", "file": "hotspots.fgb"]
        let queries = ["/v1/score": "?lon=10.1&lat=45.2", "/v1/download": "?layer=loss_score&bbox=0,40,10,50",
                       "/v1/download/stac": "?layer=loss_score&region=europe", "/v1/contact/confirm": "?token=abc"]
        for (template, operations) in paths {
            guard let get = operations["get"] as? [String: Any] else { continue }
            var path = template
            // A partner id where the path is a partner's, a region id elsewhere.
            if template.hasPrefix("/v1/partners/") { path = path.replacingOccurrences(of: "{id}", with: "fiji-east") }
            // A tiled layer's collection where the path is about tiles.
            if template.contains("/tiles") { path = path.replacingOccurrences(of: "{collectionId}", with: "loss_score") }
            // The STAC catalogue's collection and the served run's Item.
            if template.hasPrefix("/stac/") {
                path = path.replacingOccurrences(of: "{stacCollectionId}", with: "runs")
                    .replacingOccurrences(of: "{runId}", with: DemoFixture.run.runID)
            }
            if template.hasPrefix("/collections/hotspots/") { path = path.replacingOccurrences(of: "{featureId}", with: "europe.loss") }
            for (name, value) in examples { path = path.replacingOccurrences(of: "{\(name)}", with: value) }
            let answer = try await server.get(path + (queries[template] ?? ""))
            let responses = get["responses"] as! [String: Any]
            if responses["303"] != nil {
                // URLSession follows the redirect: the answer is the page it names.
                #expect(answer.status == 200 && answer.text.contains("<html"), "\(template) → \(answer.status)")
                continue
            }
            let documented = responses["\(answer.status)"] as? [String: Any]
            #expect(answer.status == 200 && documented != nil, "\(template): \(answer.status) \(answer.text.prefix(200))")
            guard let documented else { continue }
            let resolved = resolve(documented, in: spec)
            let types = (resolved["content"] as? [String: Any])?.keys.map { $0 } ?? []
            let type = answer.header("Content-Type")?.split(separator: ";").first.map(String.init) ?? ""
            #expect(types.contains { $0.split(separator: ";").first.map(String.init) == type }, "\(template): \(type) not in \(types)")
            #expect(answer.header("ETag") != nil && answer.header("Cache-Control") != nil, "\(template)")
        }
        for route in ["/health", "/v1/score", "/v1/layers", "/tiles/{layer}/{z}/{x}/{y}.png", "/tiles/{layer}/tilejson.json",
                      "/tiles/{layer}/legend.png", "/v1/regions", "/v1/regions/{id}/stats", "/v1/download",
                      "/v1/download/stac", "/openapi.json", "/metrics", "/v1/partners", "/v1/partners/{id}",
                      "/v1/partners/{id}/neighbours", "/v1/partners/near-hotspots", "/map", "/map/embed", "/",
                      "/v1/styles/{style}", "/conformance", "/collections", "/collections/{collectionId}",
                      "/collections/{collectionId}/items", "/collections/{collectionId}/items/{featureId}",
                      "/wmts/1.0.0/WMTSCapabilities.xml", "/tiles/{layer}/{z}/{x}/{y}@2x.png", "/tileMatrixSets",
                      "/tileMatrixSets/{tileMatrixSetId}", "/collections/{collectionId}/tiles",
                      "/collections/{collectionId}/tiles/{tileMatrixSetId}",
                      "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
                      "/v1/statistics", "/collections/hotspots", "/collections/hotspots/items",
                      "/collections/hotspots/items/{featureId}", "/v1/runs/{runId}/files/{file}", "/stac",
                      "/stac/collections", "/stac/collections/{stacCollectionId}", "/stac/collections/{stacCollectionId}/items",
                      "/stac/collections/{stacCollectionId}/items/{runId}", "/stac/search",
                      "/v1/partners/{id}/contact", "/v1/contact/confirm"] {
            #expect(paths[route] != nil, "\(route) is not in the spec")
        }
    }

    private func resolve(_ object: [String: Any], in spec: [String: Any]) -> [String: Any] {
        guard let reference = object["$ref"] as? String else { return object }
        var node: Any = spec
        for part in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] as Any }
        return node as? [String: Any] ?? [:]
    }
}
