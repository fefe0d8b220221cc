import Foundation
import GeoKit
import HTTPTypes
import Hummingbird
import NIOCore
import Pipeline
import RunReader

/// `GET`/`HEAD /v1/runs/{runId}/files/{file}`: a file of a published run as it was written (COGs, hotspot polygons,
/// QGIS styles, `run.json`), with ETag and ranges (GDAL's /vsicurl/ and QGIS read the COGs and the FlatGeobuf in
/// place); `latest` names the run served. Only the files the run's record names are served. The STAC Items' assets
/// point here. A run on an object store is read from the store (its Items give `s3://` hrefs).
struct RunFileRoutes {
    let served: ServedRun
    let options: ServerOptions
    let files: FileMiddleware<BasicRequestContext, LocalFileSystem>

    static let types = [
        "tif": "image/tiff; application=geotiff; profile=cloud-optimized", "vrt": "application/xml",
        "gpkg": "application/geopackage+sqlite3", "fgb": "application/vnd.flatgeobuf",
        "qml": "application/xml", "json": "application/json",
    ]

    init(served: ServedRun, options: ServerOptions) {
        self.served = served
        self.options = options
        files = FileMiddleware<BasicRequestContext, LocalFileSystem>(
            options.outputDirectory, cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(3600)])]))
    }

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("/v1/runs/{runId}/files/{file}") { request, context in try await file(request, context) }
        routes.head("/v1/runs/{runId}/files/{file}") { request, context in try await file(request, context) }
        return routes
    }

    /// The names of the files a run's record vouches for.
    static func names(_ record: RunRecord) -> Set<String> {
        var names: Set<String> = ["run.json", ScoreReferenceFile.fileName]
        for output in record.outputs.values { names.insert(output.file) }
        for file in record.hotspotPolygons?.files.values.map(\.file) ?? [] { names.insert(file) }
        for layer in OutputLayer.allCases { names.insert(layer.rawValue + ".qml") }
        return names
    }

    func file(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try checkParameters(request, known: [])
        var id = try context.parameters.require("runId")
        let name = try context.parameters.require("file")
        let alias = id == "latest"
        if alias { id = try served.current().run.runID }
        guard RunFileRoutes.isRunID(id) else { throw Problem(.notFound, "no run '\(id.prefix(60))'") }
        let folder = Storage.join(options.outputDirectory, id)
        guard !Storage.isVirtual(folder) else {
            throw Problem(.notFound, "the runs are on an object store: read their files there (see the STAC Item's hrefs)")
        }
        guard let data = Storage.read(Storage.join(folder, "run.json")),
              let record = try? JSONDecoder().decode(RunRecord.self, from: data) else {
            throw Problem(.notFound, "no published run '\(id)' (see /stac/collections/runs)")
        }
        guard Self.names(record).contains(name), FileManager.default.fileExists(atPath: Storage.join(folder, name)) else {
            throw Problem(.notFound, "run \(id) has no file '\(name.prefix(60))' (its STAC Item lists them)")
        }
        var head = request.head
        head.path = "/\(id)/\(name)"
        let size = Int(Storage.size(Storage.join(folder, name)) ?? 0)
        let range = name.hasSuffix(".json") ? ByteRange(header: nil, size: size) : ByteRange(header: request.headers[.range], size: size)
        if range == .unsatisfiable { return rangeNotSatisfiable(request, size: size) }
        // Byte ranges are for the rasters and polygons read in place; the JSON records come whole (a range of JSON
        // is not JSON to a client that trusts the media type).
        head.headerFields[.range] = name.hasSuffix(".json") ? nil : range.normalised
        head.headerFields[.ifNoneMatch] = request.headers[.ifNoneMatch]
        let route = context.endpointPath
        var response = try await files.handle(Request(head: head, body: request.body), context: context) { _, _ in
            throw Problem(.notFound, "run \(id)'s file \(name) disappeared")
        }
        context.coreContext.endpointPath.value = route
        response.headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        // A run's files never change once it is published; what `latest` names does.
        response.headers[.cacheControl] = (alias ? Caching.run : Caching.immutable).rawValue
        response.headers[.contentType] = Self.types[(name as NSString).pathExtension] ?? "application/octet-stream"
        return response
    }

    /// Run ids are `hotspot run`'s folder names: a timestamp and a hash (letters, digits, `T`, `Z`, `-`).
    static func isRunID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 100 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
