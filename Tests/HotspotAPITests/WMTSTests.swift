import Foundation
import TestSupport
import Testing

/// WMTS for desktop clients (#16), read by GDAL's own WMTS driver (the client QGIS shares its protocol with).
@Suite struct WMTSTests {
    /// `gdalinfo WMTS:` finds every tiled layer; a window read through the driver at zoom 3 is the server's tile there,
    /// pixel for pixel (all four bands).
    @Test func gdalsWMTSDriverReadsTheTiles() async throws {
        let server = try await TestServer.shared.value
        let capabilities = "\(server.base)/wmts/1.0.0/WMTSCapabilities.xml"
        // No tile cache: GDAL's would be a gdalwmscache folder in the working directory, and could answer old tiles.
        let noCache = ["--config", "GDAL_ENABLE_WMS_CACHE", "NO"]
        let info = try await runToolDetached("gdalinfo", noCache + ["WMTS:\(capabilities)"], timeout: 120)
        #expect(info.status == 0, "\(info.err)")
        for layer in ["sequestration_score", "loss_score", "hotspot_class"] {
            #expect(info.out.contains("layer=\(layer)"), "\(layer) not listed: \(info.out.prefix(1500))")
        }

        let folder = TemporaryFolder()
        for (layer, z, x, y) in [("loss_score", 3, 2, 1), ("hotspot_class", 4, 8, 5)] {
            let window = try await runToolDetached("gdal_translate", noCache + [
                "-q", "-oo", "TILEMATRIX=\(z)", "-oo", "EXTENT_METHOD=TILE_MATRIX_SET", "-srcwin", "\(x * 256)", "\(y * 256)",
                "256", "256", "WMTS:\(capabilities),layer=\(layer)", folder.file("\(layer).tif")], timeout: 120)
            #expect(window.status == 0, "\(window.err)")
            let tile = try await server.get("/tiles/\(layer)/\(z)/\(x)/\(y).png")
            #expect(tile.status == 200)
            try await expectSameRGBA(folder.file("\(layer).tif"), tile.body, "\(layer) \(z)/\(x)/\(y)")
        }
    }

    /// The document states each layer's zoom range as the TileJSON does, on the GoogleMapsCompatible set.
    @Test func theCapabilitiesStateTheTileJSONsZooms() async throws {
        let server = try await TestServer.shared.value
        let xml = try await server.get("/wmts/1.0.0/WMTSCapabilities.xml")
        #expect(xml.status == 200 && xml.header("Content-Type") == "application/xml")
        #expect(xml.text.contains("urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible"))
        let tileJSON = try await server.get("/tiles/loss_score/tilejson.json").json
        let (low, high) = (tileJSON["minzoom"] as? Int ?? -1, tileJSON["maxzoom"] as? Int ?? -1)
        let layer = xml.text.components(separatedBy: "<ows:Identifier>loss_score</ows:Identifier>").dropFirst().first?
            .components(separatedBy: "</Layer>").first ?? ""
        let matrices = layer.components(separatedBy: "<TileMatrixLimits><TileMatrix>").dropFirst()
            .compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(matrices == Array(low...high), "\(matrices) vs \(low)-\(high)")
    }
}

/// A raster a GDAL client read (`path`) has the four bands of the served PNG `tile`, by GDAL's checksums.
func expectSameRGBA(_ path: String, _ tile: Data, _ what: String) async throws {
    let png = path + ".served.png"
    try tile.write(to: URL(fileURLWithPath: png))
    let read = try await runToolDetached("gdalinfo", ["-checksum", path], timeout: 60)
    let served = try await runToolDetached("gdalinfo", ["-checksum", png], timeout: 60)
    let sums = { (text: String) in text.split(separator: "\n").filter { $0.contains("Checksum=") }.map(String.init) }
    #expect(sums(read.out).count == 4 && sums(read.out) == sums(served.out), "\(what): \(sums(read.out)) vs \(sums(served.out))")
}
