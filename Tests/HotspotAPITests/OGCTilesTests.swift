import Foundation
import GeoKit
import TestSupport
import Testing

/// Tiles for desktop clients and high-DPI screens (#16).
@Suite struct OGCTilesTests {
    /// The Web Mercator square's half side, in metres.
    static let half = 20_037_508.342_789_244

    /// GDAL's OGC API driver finds every tiled layer from the landing page (and the partners, whose items it reads too), and a window read through it at a zoom is
    /// the server's tile there in all four bands. GDAL 3.6 reads the collection's degrees as metres (fixed in 3.8), so
    /// the extent is given in metres: the whole square, which keeps the raster's pixels on the tile grid.
    @Test func gdalsOGCAPIDriverReadsTheTiles() async throws {
        let server = try await TestServer.shared.value
        let info = try await runToolDetached("gdalinfo", ["OGCAPI:\(server.base)/"], timeout: 120)
        #expect(info.status == 0, "\(info.err)")
        for layer in ["sequestration_score", "loss_score", "hotspot_class"] {
            #expect(info.out.contains("=OGCAPI:\(server.base)/collections/\(layer)\n"), "\(layer): \(info.out.prefix(2000))")
        }

        let folder = TemporaryFolder()
        let extent = ["-oo", "MINX=\(-Self.half)", "-oo", "MINY=\(-Self.half)", "-oo", "MAXX=\(Self.half)", "-oo", "MAXY=\(Self.half)"]
        for (layer, z, x, y) in [("loss_score", 3, 2, 1), ("hotspot_class", 4, 8, 5)] {
            let window = try await runToolDetached("gdal_translate", [
                "-q", "-oo", "CACHE=NO", "-oo", "TILEMATRIX=\(z)"] + extent + ["-srcwin", "\(x * 256)", "\(y * 256)", "256", "256",
                "OGCAPI:\(server.base)/collections/\(layer)", folder.file("\(layer).tif")], timeout: 120)
            #expect(window.status == 0, "\(window.err)")
            let tile = try await server.get("/collections/\(layer)/tiles/WebMercatorQuad/\(z)/\(y)/\(x)")
            #expect(tile.status == 200 && tile.header("Content-Type") == "image/png")
            let xyz = try await server.get("/tiles/\(layer)/\(z)/\(x)/\(y).png")
            #expect(tile.body == xyz.body, "the OGC address and the XYZ one are the same tile")
            try await expectSameRGBA(folder.file("\(layer).tif"), tile.body, "\(layer) \(z)/\(x)/\(y)")
        }
    }

    /// The tileset states the TileJSON's zoom range, whole matrices; the matrix set is WebMercatorQuad in both JSON
    /// encodings (cell sizes halving from 156,543.03 m, scale denominators at 0.28 mm pixels); errors are problems.
    @Test func theDocumentsDescribeWebMercatorQuad() async throws {
        let server = try await TestServer.shared.value
        let tileJSON = try await server.get("/tiles/loss_score/tilejson.json").json
        let tileset = try await server.get("/collections/loss_score/tiles/WebMercatorQuad")
        #expect(tileset.status == 200 && tileset.header("Content-Type") == "application/json")
        let limits = tileset.json["tileMatrixSetLimits"] as? [[String: Any]] ?? []
        let zooms = limits.compactMap { ($0["tileMatrix"] as? String).flatMap(Int.init) }
        #expect(zooms == Array((tileJSON["minzoom"] as? Int ?? -1)...(tileJSON["maxzoom"] as? Int ?? -1)), "\(zooms)")
        for limit in limits {
            let z = Int(limit["tileMatrix"] as? String ?? "") ?? 0
            #expect(limit["maxTileRow"] as? Int == (1 << z) - 1 && limit["maxTileCol"] as? Int == (1 << z) - 1)
        }
        let list = try await server.get("/collections/loss_score/tiles").json
        #expect((list["tilesets"] as? [[String: Any]])?.first?["dataType"] as? String == "map")

        let set = try await server.get("/tileMatrixSets/WebMercatorQuad").json
        let matrices = set["tileMatrices"] as? [[String: Any]] ?? [], v1 = set["tileMatrix"] as? [[String: Any]] ?? []
        #expect(matrices.count == 25 && v1.count == 25)
        for (z, (matrix, old)) in zip(matrices, v1).enumerated() {
            let cell = (matrix["cellSize"] as? Double) ?? 0, scale = (matrix["scaleDenominator"] as? Double) ?? 0
            #expect(abs(cell * 256 * Double(1 << z) - 2 * Self.half) < 1e-6, "zoom \(z) cell \(cell)")
            #expect(abs(scale * 0.00028 - cell) < 1e-9 * cell, "zoom \(z) scale \(scale)")
            #expect(old["scaleDenominator"] as? Double == scale && matrix["matrixWidth"] as? Int == 1 << z)
            #expect((old["topLeftCorner"] as? [Double]).map { zip($0, [-Self.half, Self.half]).allSatisfy { abs($0 - $1) < 1e-6 } } == true)
        }
        let conformance = try await server.get("/conformance").json["conformsTo"] as? [String] ?? []
        #expect(conformance.contains("http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core"))

        for (path, status) in [("/collections/loss_score/tiles/WorldCRS84Quad", 404), ("/tileMatrixSets/WorldCRS84Quad", 404),
                               ("/collections/partners/tiles", 404), ("/collections/loss_score/items", 404),
                               ("/collections/loss_score/tiles/WebMercatorQuad/3/8/1", 404),
                               ("/collections/loss_score/tiles/WebMercatorQuad/3/1/x", 400)] {
            let answer = try await server.get(path)
            #expect(answer.status == status && answer.header("Content-Type") == "application/problem+json",
                    "\(path): \(answer.status) \(answer.text.prefix(200))")
        }
    }
    /// An `@2x` tile is the 512 px picture of the same area: its four quarters are, pixel for pixel, the four 256 px
    /// tiles one zoom deeper (sampled at the same positions, from the same overview), for a bilinear and a nearest layer.
    @Test(arguments: [("loss_score", 2, 2, 1), ("hotspot_class", 3, 4, 2)])
    func aHighDPITileIsTheFourTilesUnderIt(_ layer: String, _ z: Int, _ x: Int, _ y: Int) async throws {
        let server = try await TestServer.shared.value
        let folder = TemporaryFolder()
        let big = try await server.get("/tiles/\(layer)/\(z)/\(x)/\(y)@2x.png")
        #expect(big.status == 200 && big.header("Content-Type") == "image/png")
        try big.body.write(to: URL(fileURLWithPath: folder.file("big.png")))
        let picture = try RasterArrayRGBA(path: folder.file("big.png"))
        #expect(picture.width == 512 && picture.height == 512)
        #expect(picture.bands[3].contains(255), "the tile has data")
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let small = try await server.get("/tiles/\(layer)/\(z + 1)/\(2 * x + dx)/\(2 * y + dy).png")
            #expect(small.status == 200)
            try small.body.write(to: URL(fileURLWithPath: folder.file("small.png")))
            let quarter = try RasterArrayRGBA(path: folder.file("small.png"))
            var differing = 0
            for row in 0..<256 {
                for column in 0..<256 where picture.rgba((dy * 256 + row) * 512 + dx * 256 + column) != quarter.rgba(row * 256 + column) {
                    differing += 1
                }
            }
            #expect(differing == 0, "\(layer) \(z)/\(x)/\(y)@2x quarter \(dx),\(dy): \(differing) pixels differ")
        }
        let bad = try await server.get("/tiles/\(layer)/\(z)/\(x)/\(y)@3x.png")
        #expect(bad.status == 400 && bad.text.contains("whole number"))
    }
}
