import Foundation
import HotspotConfig
import Pipeline
import TestSupport
import Testing
import Tiling

/// What a GIS user sees when opening the run: the class COG draws in the map's colours with the class names (its
/// own palette, the names in its metadata), and every layer has a QGIS style beside it with the tiles' ramp.
@Suite struct GISStyleTests {
    @Test func theClassCOGCarriesThePaletteAndNames() throws {
        let path = DemoFixture.run.directory + "/hotspot_class.tif"
        let info = try runTool("gdalinfo", ["-json", path]).out
        let json = try #require(try JSONSerialization.jsonObject(with: Data(info.utf8)) as? [String: Any])
        let band = try #require((json["bands"] as? [[String: Any]])?.first)
        #expect(band["colorInterpretation"] as? String == "Palette", "\(band)")
        let entries = try #require((band["colorTable"] as? [String: Any])?["entries"] as? [[Int]])
        let ramp = try RampSpec.load(named: "hotspot_classes", configDirectory: repositoryRoot + "/Config")
        for c in ramp.classes {
            // A TIFF palette has no alpha: opaque here, the ramp's alpha is in the QGIS style.
            #expect(entries[c.code] == [Int(c.color.r), Int(c.color.g), Int(c.color.b), 255], "class \(c.code)")
        }
        let classes = ((band["metadata"] as? [String: Any])?[""] as? [String: String])?["CLASSES"]
        #expect(classes == ramp.classes.map { "\($0.code)=\($0.label)" }.joined(separator: ";"), "\(band)")
        let folder = try FileManager.default.contentsOfDirectory(atPath: DemoFixture.run.directory)
        #expect(!folder.contains { $0.hasSuffix(".aux.xml") }, "the COGs are whole files, no PAM side cars: \(folder)")
        #expect(try runTool("gdalinfo", [path]).out.contains("LAYOUT=COG"))
    }

    @Test(arguments: TileJob.defaultLayers.map(\.layer))
    func everyLayerHasAQGISStyleWithItsRamp(_ layer: String) throws {
        let path = DemoFixture.run.directory + "/\(layer).qml"
        let config = try DemoFixture.config(output: DemoFixture.runFolder.file("derived"))
        let ramp = try config.ramp(forLayer: layer)
        // Parsed by Python's XML reader (QGIS's own format: a paletted or a pseudocolour renderer).
        let parsed = try runTool("/usr/bin/python3", ["-c", """
            import sys, xml.etree.ElementTree as E
            r = E.parse(sys.argv[1]).getroot().find('pipe/rasterrenderer')
            entries = r.findall('colorPalette/paletteEntry') or r.findall('rastershader/colorrampshader/item')
            print(r.get('type'), ' '.join(e.get('value') + '=' + e.get('color') + '/' + e.get('alpha') for e in entries))
            """, path])
        #expect(parsed.status == 0, "\(parsed.err)")
        let words = parsed.out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").map(String.init)
        let expected = ramp.kind == .categorical
            ? ramp.classes.map { "\($0.code)=" + String(format: "#%02x%02x%02x/%d", $0.color.r, $0.color.g, $0.color.b, $0.color.a) }
            : ramp.stops.map { stop in
                let value = stop.value == stop.value.rounded() ? String(Int(stop.value)) : String(stop.value)
                return value + "=" + String(format: "#%02x%02x%02x/%d", stop.color.r, stop.color.g, stop.color.b, stop.color.a)
            }
        #expect(words.first == (ramp.kind == .categorical ? "paletted" : "singlebandpseudocolor"))
        #expect(Array(words.dropFirst()) == expected, "\(parsed.out)")
    }

    /// The run's summary gives areas and counts as people read them, not as 13267284.
    @Test func theRunSummaryIsReadable() throws {
        let folder = TemporaryFolder()
        try DemoFixture.configText(output: folder.file("derived")).write(toFile: folder.file("c.yaml"), atomically: true,
                                                                          encoding: .utf8)
        let result = try runTool(DemoFixture.hotspotBinary, ["run", "--config", folder.file("c.yaml")], cwd: repositoryRoot)
        #expect(result.status == 0, "\(result.err)")
        let summary = result.err.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.range(of: #"hotspots: sequestration [0-9.]+( thousand| million)? km2, loss [0-9.]+( thousand| million)? km2"#,
                              options: .regularExpression) != nil, "\(summary)")
        let counts = summary.components(separatedBy: "pixels in").first?.components(separatedBy: ": ").last ?? ""
        let areas = summary.components(separatedBy: "hotspots:").last?.components(separatedBy: "->").first ?? ""
        #expect(counts.hasSuffix("thousand ") || counts.hasSuffix("million "), "\(summary)")
        #expect(areas.range(of: #"[0-9]{4,}"#, options: .regularExpression) == nil, "no raw 7-digit areas: \(summary)")
    }
}
