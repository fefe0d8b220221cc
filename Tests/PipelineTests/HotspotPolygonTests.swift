import Foundation
import Pipeline
import Testing
import TestSupport

/// The hotspot polygons of a run (#16), against `hotspot_polygons_oracle.py`: numpy over the class raster (pixel
/// areas on the ellipsoid, the documented region rule) and GDAL's Python bindings over the GeoPackage.
@Suite struct HotspotPolygonTests {
    static func oracle(_ run: HotspotRun.Result, regions: String) throws -> [String: Any] {
        let script = repositoryRoot + "/Tests/PipelineTests/hotspot_polygons_oracle.py"
        let result = try runTool("/usr/bin/python3", [script, run.directory, regions])
        #expect(result.status == 0, "\(result.err)")
        return try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any] ?? [:]
    }

    @Test func polygonsHoldTheClassRastersAreaPerClassAndRegion() throws {
        let run = DemoFixture.run
        let record = try #require(run.record.hotspotPolygons, "run.json records the polygons")
        let regions = try #require(record.regions?.file, "the run found the regions file")
        let oracle = try Self.oracle(run, regions: regions)
        let raster = try #require(oracle["raster"] as? [String: [String: Any]])
        let polygons = try #require(oracle["polygons"] as? [String: [String: Any]])
        // One feature per class and region that has hotspot pixels: no more (dissolved), none missing.
        #expect(Set(polygons.keys) == Set(raster.keys) && polygons.count == record.features && polygons.count > 10,
                "\(polygons.keys.sorted()) vs \(raster.keys.sorted())")
        #expect(Set(polygons.compactMap { $0.value["region"] as? String }).count >= 5, "the features fall in several regions")
        for (id, polygon) in polygons {
            let expected = try #require(raster[id]), fields = try #require(polygon["fields"] as? [String: Any])
            let pixelArea = try #require(expected["area_km2"] as? Double)
            #expect(fields["pixels"] as? Int == expected["pixels"] as? Int, "\(id): pixels")
            #expect(abs((fields["pixel_area_km2"] as? Double ?? 0) / pixelArea - 1) < 1e-9, "\(id): pixel area")
            // The polygons' own area (simplified edges) within 0.5 % of their pixels', and what GDAL measures of them.
            let area = try #require(fields["area_km2"] as? Double)
            #expect(abs(area / pixelArea - 1) < 0.005, "\(id): \(area) km2 of polygons for \(pixelArea) km2 of pixels")
            #expect(abs(area / (polygon["area_km2_equal_area"] as? Double ?? 0) - 1) < 1e-9, "\(id): area as GDAL measures it")
            #expect(polygon["valid"] as? Bool == true, "\(id): invalid geometry")
            // Dissolved: no two parts share an edge (the union of the parts would merge them).
            #expect(polygon["parts"] as? Int == polygon["union_parts"] as? Int && polygon["parts"] as? Int == fields["parts"] as? Int,
                    "\(id): \(polygon["parts"] ?? "?") parts, \(polygon["union_parts"] ?? "?") after union")
            for name in ["sequestration_score", "loss_score"] {
                if let mean = expected["mean_" + name] as? Double {
                    #expect(abs((fields["mean_" + name] as? Double ?? .nan) - mean) < 1e-9, "\(id): mean \(name)")
                } else {
                    #expect(fields["mean_" + name] is NSNull, "\(id): mean \(name) without valid pixels")
                }
            }
        }
        // Per class, the polygons' area equals the class raster's within 0.5 % (and run.json's class areas).
        let classArea = try #require(oracle["class_area_km2"] as? [String: Double])
        for (key, label) in [("sequestration", "sequestration hotspot"), ("loss", "loss hotspot"),
                             ("both", "sequestration and loss hotspot")] {
            let total = polygons.filter { $0.key.hasSuffix("." + key) }
                .compactMap { ($0.value["fields"] as? [String: Any])?["area_km2"] as? Double }.reduce(0, +)
            let expected = try #require(classArea[key])
            #expect(abs(total / expected - 1) < 0.005, "\(key): \(total) km2 of polygons, \(expected) km2 of pixels")
            #expect(abs(expected / (run.record.hotspotClasses.areaKm2[label] ?? 0) - 1) < 1e-9, "\(key): run.json's area")
        }
    }

    @Test func theFlatGeobufOpensInOgrinfoWithTheSameFeaturesAndTheChecksumsAreTheFiles() throws {
        let run = DemoFixture.run
        let record = try #require(run.record.hotspotPolygons)
        let info = try runTool("ogrinfo", ["-ro", "-so", run.directory + "/hotspots.fgb", "hotspots"])
        #expect(info.status == 0, "\(info.err)")
        #expect(info.out.contains("Geometry: Multi Polygon") && info.out.contains("Feature Count: \(record.features)"),
                "\(info.out)")
        #expect(info.out.contains("area_km2: Real") && info.out.contains("region: String"), "\(info.out)")
        for (format, file) in record.files {
            let sum = try runTool("sha256sum", [run.directory + "/" + file.file]).out.split(separator: " ").first.map(String.init)
            #expect(sum == file.sha256, "\(format)")
            let size = try FileManager.default.attributesOfItem(atPath: run.directory + "/" + file.file)[.size] as? Int
            #expect(size.map(Int64.init) == file.sizeBytes)
        }
        // No partial file left beside them.
        let names = try FileManager.default.contentsOfDirectory(atPath: run.directory)
        #expect(!names.contains { $0.contains("partial") }, "\(names)")
    }
}
