import Foundation
import TestSupport
import Testing

/// OGC API - Features (#16), checked with a client no one here wrote: GDAL's OAPIF driver (the one QGIS uses).
@Suite struct FeatureAPITests {
    /// `ogrinfo OAPIF:` finds the partners collection from the landing page; `ogr2ogr` copies it into a GeoPackage page
    /// by page (7 a request, so 9 requests follow `next`), and the copy holds every partner the listing holds, with its
    /// fields and position.
    @Test func gdalsOAPIFDriverCopiesThePartnersAcrossPages() async throws {
        let server = try await TestServer.shared.value
        let info = try await runToolDetached("ogrinfo", ["-ro", "-q", "OAPIF:\(server.base)/"], timeout: 120)
        #expect(info.status == 0, "\(info.err)")
        // The feature collections only: the tiled layers' collections have no items.
        let layers = info.out.split(separator: "\n").filter { $0.first?.isNumber == true }
            .map { $0.split(separator: " ").dropFirst().first.map(String.init) ?? "" }
        #expect(layers == ["partners", "hotspots"], "\(info.out)")

        let folder = TemporaryFolder()
        let copy = try await runToolDetached("ogr2ogr", ["-f", "GPKG", folder.file("copy.gpkg"), "OAPIF:\(server.base)/",
                                                         "partners", "-oo", "PAGE_SIZE=7"], timeout: 120)
        #expect(copy.status == 0, "\(copy.err)")
        let dump = try await runToolDetached("ogr2ogr", ["-f", "GeoJSON", folder.file("copy.geojson"), folder.file("copy.gpkg")],
                                             timeout: 60)
        #expect(dump.status == 0, "\(dump.err)")
        let copied = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("copy.geojson")))) as? [String: Any]
        let features = copied?["features"] as? [[String: Any]] ?? []
        var byID: [String: [String: Any]] = [:]
        for feature in features {
            if let id = (feature["properties"] as? [String: Any])?["id"] as? String { byID[id] = feature }
        }
        #expect(features.count == testPartners.count && byID.count == testPartners.count, "\(features.count) copied")
        for partner in testPartners {
            let feature = try #require(byID[partner.id], "\(partner.id) not copied")
            let properties = feature["properties"] as? [String: Any] ?? [:]
            let position = (feature["geometry"] as? [String: Any])?["coordinates"] as? [Double] ?? []
            #expect(properties["name"] as? String == partner.name && properties["country"] as? String == partner.country
                    && properties["type"] as? String == partner.type.rawValue, "\(properties)")
            #expect(position.count == 2 && abs(position[0] - partner.lon) < 1e-9 && abs(position[1] - partner.lat) < 1e-9,
                    "\(partner.id): \(position)")
            #expect(properties["email"] == nil, "no private field")
        }
    }

    /// `ogr2ogr` copies the `hotspots` collection (3 features a page) into a GeoPackage whose features are the run's
    /// `hotspots.gpkg`: the same ids, fields and geometries (areas and part counts; coordinates to GeoJSON's 1e-6).
    @Test func gdalsOAPIFDriverCopiesTheHotspotPolygons() async throws {
        let server = try await TestServer.shared.value
        let folder = TemporaryFolder()
        let copy = try await runToolDetached("ogr2ogr", ["-f", "GPKG", folder.file("hotspots.gpkg"), "OAPIF:\(server.base)/",
                                                         "hotspots", "-oo", "PAGE_SIZE=3"], timeout: 120)
        #expect(copy.status == 0, "\(copy.err)")
        let script = """
            import json, sys
            from osgeo import ogr
            out = {}
            for name, path in (("copy", sys.argv[1]), ("run", sys.argv[2])):
                dataset = ogr.Open(path)  # kept: a layer dies with its dataset
                layer = dataset.GetLayerByName("hotspots")
                out[name] = {f.GetField("id"): {"area": f.GetGeometryRef().GetArea(), "parts": f.GetGeometryRef().GetGeometryCount(),
                                                "points": f.GetGeometryRef().ExportToWkt().count(","),
                                                "fields": {k: f.GetField(k) for k in ("class", "region", "area_km2", "pixels",
                                                                                      "mean_loss_score", "mean_sequestration_score")}}
                             for f in layer}
            print(json.dumps(out))
            """
        let compared = try await runToolDetached("/usr/bin/python3", ["-c", script, folder.file("hotspots.gpkg"),
                                                                      DemoFixture.run.directory + "/hotspots.gpkg"], timeout: 60)
        #expect(compared.status == 0, "\(compared.err)")
        let both = try JSONSerialization.jsonObject(with: Data(compared.out.utf8)) as? [String: [String: [String: Any]]] ?? [:]
        let copied = both["copy"] ?? [:], run = both["run"] ?? [:]
        #expect(copied.count == run.count && run.count == DemoFixture.run.record.hotspotPolygons?.features && !run.isEmpty,
                "\(copied.keys.sorted()) vs \(run.keys.sorted())")
        for (id, original) in run {
            let feature = try #require(copied[id], "\(id) not copied")
            #expect(feature["parts"] as? Int == original["parts"] as? Int && feature["points"] as? Int == original["points"] as? Int,
                    "\(id): geometry")
            #expect(abs((feature["area"] as? Double ?? 0) / (original["area"] as? Double ?? 1) - 1) < 1e-6, "\(id): area")
            #expect((feature["fields"] as? NSDictionary) == (original["fields"] as? NSDictionary), "\(id): \(feature["fields"] ?? "")")
        }
        // The service's filters: by class, by region, by bbox; a feature by its id; the files as downloads.
        let loss = try await server.get("/collections/hotspots/items?class=loss").json
        #expect(loss["numberMatched"] as? Int == run.values.filter { ($0["fields"] as? [String: Any])?["class"] as? Int == 2 }.count)
        let europe = try await server.get("/collections/hotspots/items?region=europe&class=2").json["features"] as? [[String: Any]]
        #expect(europe?.map { $0["id"] as? String } == ["europe.loss"], "\(europe ?? [])")
        let south = try await server.get("/collections/hotspots/items?bbox=-180,-90,180,-58").json["features"] as? [[String: Any]] ?? []
        #expect(south.isEmpty, "no hotspot south of the grid")
        let one = try await server.get("/collections/hotspots/items/europe.loss")
        #expect(one.status == 200 && one.header("Content-Type") == "application/geo+json")
        #expect((one.json["properties"] as? [String: Any])?["region"] as? String == "europe")
        #expect(try await server.get("/collections/hotspots/items/atlantis.loss").status == 404)
        #expect(try await server.get("/collections/hotspots/items?class=5").status == 400)
        let fgb = try await runToolDetached("ogrinfo", ["-ro", "-so", "/vsicurl/\(server.base)/v1/runs/latest/files/hotspots.fgb",
                                                        "hotspots"], timeout: 60)
        #expect(fgb.out.contains("Feature Count: \(run.count)"), "\(fgb.out) \(fgb.err)")
    }

    /// GDAL reads a filtered page as the service answers it: a bbox through the driver's spatial filter.
    @Test func gdalsSpatialFilterIsTheServicesBbox() async throws {
        let server = try await TestServer.shared.value
        let listed = try await server.get("/collections/partners/items?bbox=-30,-60,60,70&limit=1000").json
        let expected = Set(((listed["features"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        let folder = TemporaryFolder()
        let copy = try await runToolDetached("ogr2ogr", ["-f", "GeoJSON", folder.file("box.geojson"), "OAPIF:\(server.base)/",
                                                         "partners", "-spat", "-30", "-60", "60", "70"], timeout: 120)
        #expect(copy.status == 0, "\(copy.err)")
        let copied = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("box.geojson")))) as? [String: Any]
        let ids = Set(((copied?["features"] as? [[String: Any]]) ?? []).compactMap { ($0["properties"] as? [String: Any])?["id"] as? String })
        #expect(!expected.isEmpty && ids == expected, "\(ids.count) vs \(expected.count)")
        #expect(listed["numberMatched"] as? Int == expected.count)
    }

    /// The documents the standard asks for, and its paging: `next`/`prev` walk the selection; `numberMatched` counts
    /// it; `datetime` selects on the partners' `updated` times.
    @Test func pagesLinksAndDatetimeFollowTheStandard() async throws {
        let server = try await TestServer.shared.value
        let conformance = try await server.get("/conformance").json["conformsTo"] as? [String] ?? []
        #expect(conformance.contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core")
                && conformance.contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"))
        let collection = try await server.get("/collections/partners").json
        let box = ((collection["extent"] as? [String: Any])?["spatial"] as? [String: Any])?["bbox"] as? [[Double]]
        #expect(box?.first == [testPartners.map(\.lon).min()!, testPartners.map(\.lat).min()!,
                               testPartners.map(\.lon).max()!, testPartners.map(\.lat).max()!], "\(collection)")

        var seen: [String] = [], next: String? = server.base + "/collections/partners/items?limit=25", last: [String: Any] = [:]
        while let url = next, seen.count <= testPartners.count {
            let page = try await server.get(String(url.dropFirst(server.base.count)))
            #expect(page.status == 200 && page.header("Content-Type") == "application/geo+json")
            last = page.json
            #expect(last["numberMatched"] as? Int == testPartners.count)
            let features = last["features"] as? [[String: Any]] ?? []
            #expect(last["numberReturned"] as? Int == features.count)
            seen += features.compactMap { $0["id"] as? String }
            next = (last["links"] as? [[String: Any]])?.first { $0["rel"] as? String == "next" }?["href"] as? String
        }
        let listing = try await server.get("/v1/partners").json["features"] as? [[String: Any]] ?? []
        #expect(seen.count == testPartners.count && seen == listing.compactMap { $0["id"] as? String })
        let prev = (last["links"] as? [[String: Any]])?.first { $0["rel"] as? String == "prev" }?["href"] as? String
        #expect(prev?.hasSuffix("limit=25&offset=25") == true, "\(prev ?? "no prev")")

        for (datetime, count) in [("2025-01-01T00:00:00Z/..", testPartners.count), ("../2025-01-01T00:00:00Z", 0),
                                  ("2025-06-01", testPartners.count), ("2025-06-01T00:00:00Z", testPartners.count),
                                  ("2025-06-02/2026-01-01", 0)] {
            let page = try await server.get("/collections/partners/items?datetime=\(datetime)").json
            #expect(page["numberMatched"] as? Int == count, "\(datetime): \(page["numberMatched"] ?? "none")")
        }
        let item = try await server.get("/collections/partners/items/fiji-east")
        #expect(item.status == 200 && item.json["id"] as? String == "fiji-east" && !item.text.contains("private.example.org"))
        for (path, status) in [("/collections/rivers", 404), ("/collections/partners/items/nobody", 404),
                               ("/collections/partners/items?datetime=yesterday", 400),
                               ("/collections/partners/items?datetime=2026-01-01/2025-01-01", 400),
                               ("/collections/partners/items?limit=0", 400), ("/collections/partners/items?lmit=5", 400),
                               ("/collections/partners/items?bbox=1,2,3", 400), ("/?f=xml", 400)] {
            let answer = try await server.get(path)
            #expect(answer.status == status && answer.header("Content-Type") == "application/problem+json", "\(path): \(answer.status)")
        }
    }

    /// `/` is the landing page: JSON for clients, HTML for a browser, linking the map, the API and the collections.
    @Test func theLandingPageAnswersBrowsersInHTML() async throws {
        let server = try await TestServer.shared.value
        let json = try await server.get("/")
        let rels = (json.json["links"] as? [[String: Any]] ?? []).compactMap { $0["rel"] as? String }
        #expect(json.header("Content-Type") == "application/json" && ["service-desc", "conformance", "data"].allSatisfy(rels.contains))
        let html = try await server.get("/", headers: ["Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"])
        #expect(html.header("Content-Type")?.hasPrefix("text/html") == true && html.text.contains("href=\"/map\"")
                && html.text.contains("href=\"/collections\""), "\(html.text.prefix(300))")
        #expect(html.header("Vary")?.contains("Accept") == true)
    }
}
