import Foundation
import GeoKit
@testable import HotspotAPI
@testable import RunReader
import Pipeline
import TestSupport
import Testing

/// `hotspot region --polygon FILE`: a polygon of the user's is clipped and summarised exactly as a named region with the
/// same outline, whichever GeoJSON form holds it; a file that is not polygons is refused in one sentence.
@Suite struct PolygonAreaTests {
    static let regionsPath = repositoryRoot + "/Config/regions.geojson"

    /// The GeoJSON geometry of a region of `Config/regions.geojson`.
    static func geometry(of id: String) throws -> [String: Any] {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: regionsPath))) as! [String: Any]
        let feature = (root["features"] as! [[String: Any]]).first { ($0["properties"] as? [String: Any])?["id"] as? String == id }
        return try #require(feature?["geometry"] as? [String: Any])
    }

    static func run() throws -> RunReader {
        try RunReader(directory: DemoFixture.run.directory)
    }

    @Test(arguments: ["geometry", "feature", "collection"])
    func aPolygonFileIsSummarisedAndClippedAsTheSameRegion(_ form: String) throws {
        let folder = TemporaryFolder()
        let geometry = try Self.geometry(of: "africa")
        let feature: [String: Any] = ["type": "Feature", "properties": [:] as [String: Any], "geometry": geometry]
        let document: [String: Any] = switch form {
        case "geometry": geometry
        case "feature": feature
        default: ["type": "FeatureCollection", "features": [feature]]
        }
        let file = folder.file("area.geojson")
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: file))

        let run = try Self.run()
        let named = try RegionCatalog(path: Self.regionsPath)
        let polygon = try RegionCatalog(polygonFile: file, scratch: folder.file("scratch.geojson"))
        let theirs = try run.statistics(of: try named.region("africa"), catalog: named, language: .en)
        let ours = try run.statistics(of: try polygon.region(RegionCatalog.polygonID), catalog: polygon, language: .en)
        #expect(ours.areaKm2 == theirs.areaKm2 && ours.validAreaKm2 == theirs.validAreaKm2 && ours.areaKm2 > 1e6)
        #expect(ours.hotspots.sequestrationKm2 == theirs.hotspots.sequestrationKm2)
        #expect(ours.hotspots.lossKm2 == theirs.hotspots.lossKm2 && ours.hotspots.noneKm2 == theirs.hotspots.noneKm2)
        for (name, layer) in theirs.layers {
            #expect(ours.layers[name]?.mean == layer.mean && ours.layers[name]?.validAreaKm2 == layer.validAreaKm2, "\(name)")
        }

        try run.clip(layer: "loss_score", bbox: nil, region: RegionCatalog.polygonID, catalog: polygon,
                     to: folder.file("polygon.tif"), maxPixels: 10_000_000)
        try run.clip(layer: "loss_score", bbox: nil, region: "africa", catalog: named,
                     to: folder.file("region.tif"), maxPixels: 10_000_000)
        let a = try RasterArray(path: folder.file("polygon.tif")), b = try RasterArray(path: folder.file("region.tif"))
        #expect(a.grid.width == b.grid.width && a.grid.height == b.grid.height)
        #expect(a.grid.geoTransform == b.grid.geoTransform)
        #expect(a.values.elementsEqual(b.values) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        #expect(a.values.indices.contains { !a.isNoData($0) } && a.values.indices.contains { a.isNoData($0) })
    }

    /// The command line writes the clip to a new file (and replaces an old one), prints the statistics, and refuses a
    /// bad polygon file in one line with a non-zero exit, leaving no file behind.
    @Test func theCommandLineClipsAndSummarisesAPolygon() throws {
        let folder = TemporaryFolder()
        let config = folder.file("hotspot.yaml")
        try DemoFixture.configText(output: DemoFixture.runFolder.file("derived")).write(toFile: config, atomically: true, encoding: .utf8)
        let polygon = folder.file("africa.geojson")
        try JSONSerialization.data(withJSONObject: try Self.geometry(of: "africa")).write(to: URL(fileURLWithPath: polygon))
        let common = ["region", "--config", config, "--run", DemoFixture.run.directory, "--polygon", polygon]
        for _ in 0..<2 {
            let clip = try runTool(DemoFixture.hotspotBinary, common + ["--layer", "hotspot_class", "--out", folder.file("out.tif")],
                                   cwd: repositoryRoot)
            #expect(clip.status == 0, "\(clip.err)")
        }
        let info = try runTool("gdalinfo", [folder.file("out.tif")])
        #expect(info.out.contains("LAYOUT=COG") && info.out.contains("NoData Value=255"), "\(info.out)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.contains("partial") })

        let stats = try runTool(DemoFixture.hotspotBinary, common, cwd: repositoryRoot)
        #expect(stats.status == 0, "\(stats.err)")
        let json = try JSONSerialization.jsonObject(with: Data(stats.out.utf8)) as? [String: Any]
        let named = try RegionCatalog(path: Self.regionsPath)
        let theirs = try Self.run().statistics(of: try named.region("africa"), catalog: named, language: .en)
        #expect((json?["area_km2"] as? NSNumber)?.doubleValue == theirs.areaKm2)

        try #"{"type": "Point", "coordinates": [0, 0]}"#.write(toFile: polygon, atomically: true, encoding: .utf8)
        let bad = try runTool(DemoFixture.hotspotBinary, common + ["--layer", "loss_score", "--out", folder.file("bad.tif")],
                              cwd: repositoryRoot)
        #expect(bad.status != 0 && bad.err.contains("must be a Polygon or a MultiPolygon (got Point)"), "\(bad.err)")
        #expect(bad.err.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.file("bad.tif")))
        let nowhere = try runTool(DemoFixture.hotspotBinary, Array(common.dropLast(2)) + ["--region", "africa", "--layer", "loss_score",
                                                                                 "--out", "/nonexistent/folder/x.tif"], cwd: repositoryRoot)
        #expect(nowhere.status != 0 && nowhere.err.contains("there is no folder /nonexistent/folder"), "\(nowhere.err)")
        let both = try runTool(DemoFixture.hotspotBinary, common + ["--region", "africa"], cwd: repositoryRoot)
        #expect(both.status != 0 && both.err.contains("give one of --bbox, --region and --polygon"), "\(both.err)")
    }

    /// Overlapping polygons are dissolved (GDAL's cutline refuses an invalid MultiPolygon): two overlapping squares
    /// clip and summarise as their L-shaped union drawn as one polygon; a bow tie is repaired.
    @Test func overlappingPolygonsAreDissolved() throws {
        let folder = TemporaryFolder()
        func square(_ x: Double, _ y: Double, _ size: Double) -> [String: Any] {
            ["type": "Feature", "properties": [:] as [String: Any], "geometry": [
                "type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]]]
        }
        let overlapping: [String: Any] = ["type": "FeatureCollection", "features": [square(0, 5, 10), square(5, 10, 10)]]
        let union: [String: Any] = ["type": "Polygon", "coordinates": [[[0, 5], [10, 5], [10, 10], [15, 10], [15, 20],
                                                                        [5, 20], [5, 15], [0, 15], [0, 5]]]]
        let run = try Self.run()
        var stats: [RegionStatistics] = []
        for (name, document) in [("overlapping", overlapping), ("union", union)] {
            let file = folder.file("\(name).geojson")
            try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: file))
            let catalog = try RegionCatalog(polygonFile: file, scratch: folder.file("\(name)-scratch.geojson"))
            stats.append(try run.statistics(of: try catalog.region(RegionCatalog.polygonID), catalog: catalog, language: .en))
            try run.clip(layer: "loss_score", bbox: nil, region: RegionCatalog.polygonID, catalog: catalog,
                         to: folder.file("\(name).tif"), maxPixels: 1_000_000)
        }
        #expect(stats[0].areaKm2 == stats[1].areaKm2 && stats[0].areaKm2 > 1e6, "\(stats[0].areaKm2) vs \(stats[1].areaKm2)")
        let a = try RasterArray(path: folder.file("overlapping.tif")), b = try RasterArray(path: folder.file("union.tif"))
        #expect(a.grid == b.grid && a.values.elementsEqual(b.values) { $0 == $1 || ($0.isNaN && $1.isNaN) })

        let bowTie = folder.file("bowtie.geojson")
        try #"{"type": "Polygon", "coordinates": [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]}"#
            .write(toFile: bowTie, atomically: true, encoding: .utf8)
        let catalog = try RegionCatalog(polygonFile: bowTie, scratch: folder.file("bowtie-scratch.geojson"))
        #expect(try run.statistics(of: try catalog.region(RegionCatalog.polygonID), catalog: catalog, language: .en).areaKm2 > 1e5)
    }

    @Test(arguments: [
        ("{\"type\": \"LineString\", \"coordinates\": [[0, 0], [1, 1]]}", "must be a Polygon or a MultiPolygon (got LineString)"),
        ("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [400, 0], [0, 10], [0, 0]]]}", "within -180..180"),
        ("{\"type\": \"FeatureCollection\", \"features\": []}", "need coordinates"),
        ("[1, 2", "is not a GeoJSON object"),
        ("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [1, 0], [0, 1]]]}", "every ring needs four positions or more"),
        ("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}", "the last the same as the first"),
        ("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}", "no area"),
    ])
    func aFileThatIsNotPolygonsIsRefused(_ text: String, _ says: String) throws {
        let folder = TemporaryFolder()
        try text.write(toFile: folder.file("bad.geojson"), atomically: true, encoding: .utf8)
        do {
            _ = try RegionCatalog(polygonFile: folder.file("bad.geojson"), scratch: folder.file("scratch.geojson"))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains(says), "\(error.description)")
            #expect(error.parameter == "polygon")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.file("scratch.geojson")))
    }

    @Test func aMissingFileIsRefused() {
        #expect(throws: ReadError.self) { try RegionCatalog(polygonFile: "/nonexistent/area.geojson", scratch: "/tmp/x.geojson") }
    }
}
