import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RunReader

/// `GET`/`HEAD /v1/download` (a clipped COG with ETag and ranges, for GDAL's /vsicurl/) and `/v1/download/stac` (its
/// STAC item).
struct DownloadRoutes {
    let served: ServedRun
    let regions: RegionCatalog
    let options: ServerOptions
    /// Hummingbird's file middleware answers from the cache (ETag, Range, HEAD, If-None-Match).
    let files: FileMiddleware<BasicRequestContext, LocalFileSystem>

    init(served: ServedRun, regions: RegionCatalog, options: ServerOptions) {
        self.served = served
        self.regions = regions
        self.options = options
        files = FileMiddleware<BasicRequestContext, LocalFileSystem>(
            options.cacheDirectory, cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(3600)])]))
            .withAdditionalMediaType(MediaType(type: .image, subType: "tiff"), mappedToFileExtension: "tif")
    }

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("/v1/download") { request, context in try await download(request, context) }
        routes.head("/v1/download") { request, context in try await download(request, context) }
        routes.get("/v1/download/stac") { request, _ in try await stac(request) }
        return routes
    }

    var maxPixels: Int { options.configuration.server.maxDownloadPixels }

    func asked(_ request: Request) throws -> DownloadRequest {
        try checkParameters(request, known: ["layer", "bbox", "region"])
        let query = request.uri.queryParameters
        return try DownloadRequest(layer: query.get("layer"), bbox: query.get("bbox"), region: query.get("region"),
                                   catalog: regions)
    }

    func download(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let asked = try asked(request)
        let snapshot = try served.current()
        let (cache, maxPixels) = (options.cacheDirectory, maxPixels)
        let diskCache = served.cache
        let relative = try await offload {
            let relative = try snapshot.run.download(asked, catalog: regions, cacheDirectory: cache, maxPixels: maxPixels)
            if !diskCache.touch(relative) { diskCache.admit(relative) }
            return relative
        }
        var head = request.head
        head.path = "/" + relative
        let size = (try? FileManager.default.attributesOfItem(atPath: (cache as NSString)
            .appendingPathComponent(relative))[.size] as? Int) ?? 0
        let range = ByteRange(header: request.headers[.range], size: size)
        if range == .unsatisfiable { return rangeNotSatisfiable(request, size: size) }
        head.headerFields[.range] = range.normalised
        let route = context.endpointPath
        var response = try await files.handle(Request(head: head, body: request.body), context: context) { _, _ in
            throw Problem(.notFound, "the download disappeared from the cache; ask again")
        }
        // The file middleware names itself as the endpoint: the metrics count the download under its route.
        context.coreContext.endpointPath.value = route
        response.headers[.contentDisposition] = "attachment; filename=\"\((relative as NSString).lastPathComponent)\""
        response.headers[.contentType] = "image/tiff; application=geotiff; profile=cloud-optimized"
        return response
    }

    func stac(_ request: Request) async throws -> Response {
        let asked = try asked(request)
        let snapshot = try served.current()
        let base = HotspotServer.baseURL(request, options)
        let href = base + "/v1/download?" + (request.uri.query ?? "")
        let (cache, maxPixels, diskCache) = (options.cacheDirectory, maxPixels, served.cache)
        let data = try await offload {
            let relative = try snapshot.run.download(asked, catalog: regions, cacheDirectory: cache, maxPixels: maxPixels)
            if !diskCache.touch(relative) { diskCache.admit(relative) }
            return try snapshot.run.stacItem(asked, file: (cache as NSString).appendingPathComponent(relative), href: href,
                                             styleHref: "\(base)/v1/styles/\(asked.layer.rawValue).qml",
                                             runItemHref: "\(base)/stac/collections/runs/items/\(snapshot.run.runID)")
        }
        return respond(request, data, type: "application/geo+json", caching: .run)
    }
}
