import Foundation
import Hummingbird
import RunReader
import Tiling

/// WMTS 1.0.0 (RESTful) for desktop clients: QGIS and GDAL's WMTS driver open
/// `/wmts/1.0.0/WMTSCapabilities.xml` and find every tiled layer on the WebMercatorQuad (GoogleMapsCompatible)
/// matrix set, with its real zoom range and bounds; the tiles are the XYZ ones (`/tiles/{layer}/{z}/{x}/{y}.png`).
struct WMTSRoutes {
    let served: ServedRun
    let options: ServerOptions

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("/wmts/1.0.0/WMTSCapabilities.xml") { request, _ in
            try checkParameters(request, known: [])
            let snapshot = try served.current()
            let xml = Self.capabilities(snapshot, base: HotspotServer.baseURL(request, options))
            return respond(request, Data(xml.utf8), type: "application/xml", caching: .run)
        }
        return routes
    }

    /// OGC 2-norm WebMercatorQuad: the scale denominator of zoom 0 (0.28 mm pixels) and the square's corner.
    static let scaleDenominator0 = 559_082_264.028_717_8
    static let corner = 20_037_508.342_789_244

    static func capabilities(_ snapshot: ServedRun.Snapshot, base: String) -> String {
        let layers = snapshot.tiles.jobs.keys.sorted()
        let top = layers.map { LayerRoutes.zooms($0, snapshot).upperBound }.max() ?? 0
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" \
            xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.0">
              <ows:ServiceIdentification>
                <ows:Title>Soil Carbon Hotspots</ows:Title>
                <ows:Abstract>\(XMLText.escaped("Soil organic carbon sequestration and loss hotspots, run \(snapshot.run.runID)"))</ows:Abstract>
                <ows:ServiceType>OGC WMTS</ows:ServiceType>
                <ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>
              </ows:ServiceIdentification>
              <Contents>

            """
        for layer in layers {
            let zooms = LayerRoutes.zooms(layer, snapshot)
            let b = snapshot.tiles.bounds[layer] ?? (-180, -WebMercator.maxLatitude, 180, WebMercator.maxLatitude)
            let url = "\(base)/tiles/\(layer)/{TileMatrix}/{TileCol}/{TileRow}.png?run=\(snapshot.run.runID)"
            xml += """
                    <Layer>
                      <ows:Title>\(XMLText.escaped(layer))</ows:Title>
                      <ows:WGS84BoundingBox>
                        <ows:LowerCorner>\(b.west) \(b.south)</ows:LowerCorner>
                        <ows:UpperCorner>\(b.east) \(b.north)</ows:UpperCorner>
                      </ows:WGS84BoundingBox>
                      <ows:Identifier>\(XMLText.escaped(layer))</ows:Identifier>
                      <Style isDefault="true"><ows:Identifier>default</ows:Identifier>\
                <LegendURL format="image/png" xlink:href="\(XMLText.escaped("\(base)/tiles/\(layer)/legend.png"))"/></Style>
                      <Format>image/png</Format>
                      <TileMatrixSetLink>
                        <TileMatrixSet>WebMercatorQuad</TileMatrixSet>
                        <TileMatrixSetLimits>

                """
            for z in zooms {
                // The tiles that touch the layer's bounds at this zoom.
                let north = min(b.north, WebMercator.maxLatitude), south = max(b.south, -WebMercator.maxLatitude)
                let first = WebMercator.tile(lon: b.west, lat: north, zoom: z)
                let last = WebMercator.tile(lon: b.east, lat: south, zoom: z)
                xml += """
                                <TileMatrixLimits><TileMatrix>\(z)</TileMatrix><MinTileRow>\(first.y)</MinTileRow>\
                    <MaxTileRow>\(last.y)</MaxTileRow><MinTileCol>\(first.x)</MinTileCol><MaxTileCol>\(last.x)</MaxTileCol>\
                    </TileMatrixLimits>

                    """
            }
            xml += """
                        </TileMatrixSetLimits>
                      </TileMatrixSetLink>
                      <ResourceURL format="image/png" resourceType="tile" template="\(XMLText.escaped(url))"/>
                    </Layer>

                """
        }
        xml += """
                <TileMatrixSet>
                  <ows:Identifier>WebMercatorQuad</ows:Identifier>
                  <ows:BoundingBox crs="urn:ogc:def:crs:EPSG::3857"><ows:LowerCorner>\(-Self.corner) \(-Self.corner)</ows:LowerCorner>\
            <ows:UpperCorner>\(Self.corner) \(Self.corner)</ows:UpperCorner></ows:BoundingBox>
                  <ows:SupportedCRS>urn:ogc:def:crs:EPSG::3857</ows:SupportedCRS>
                  <WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible</WellKnownScaleSet>

            """
        for z in 0...top {
            let n = 1 << z
            xml += """
                      <TileMatrix><ows:Identifier>\(z)</ows:Identifier>\
                <ScaleDenominator>\(Self.scaleDenominator0 / Double(n))</ScaleDenominator>\
                <TopLeftCorner>\(-Self.corner) \(Self.corner)</TopLeftCorner><TileWidth>256</TileWidth>\
                <TileHeight>256</TileHeight><MatrixWidth>\(n)</MatrixWidth><MatrixHeight>\(n)</MatrixHeight></TileMatrix>

                """
        }
        xml += """
                </TileMatrixSet>
              </Contents>
            </Capabilities>

            """
        return xml
    }
}
