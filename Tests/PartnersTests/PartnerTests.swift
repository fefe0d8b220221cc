import Foundation
import GeoKit
@testable import Partners
import CSVFormat
import TestSupport
import Testing

@Suite struct PartnerTests {
    @Test func theStoreIsARealGeoPackageThatKeepsEveryField() throws {
        let folder = TemporaryFolder()
        let path = folder.file("partners.gpkg")
        let partners = makePartners(count: 50) + awkward
        do {
            let store = try PartnerStore(path: path)
            try store.importAll(partners, replace: false)
        }
        let reopened = try PartnerStore(path: path).snapshot
        #expect(reopened.partners == partners.sorted { $0.id < $1.id })
        let info = try runTool("ogrinfo", ["-so", path, "partners"])
        #expect(info.status == 0, "\(info.err)")
        #expect(info.out.contains("Feature Count: \(partners.count)"))
        #expect(info.out.contains("GPKG") || info.out.contains("Point"))
    }

    /// A store edited outside hotspot (QGIS, ogr2ogr): features that are not partners are left out and reported one
    /// by one, with why; the others are served.
    @Test func featuresThatAreNotPartnersAreReportedNotDropped() throws {
        let folder = TemporaryFolder()
        let path = folder.file("partners.gpkg")
        let partners = makePartners(count: 5)
        try PartnerStore(path: path).importAll(partners, replace: false)
        // Three bad features through OGR's own SQL, as another tool would write them.
        for (id, type, country, themes) in [("bad-type", "spaceship", "FR", "agroforestry"),
                                            ("no-country", "ngo", "NULL", "agroforestry"),
                                            ("bad-theme", "ngo", "FR", "astrology")] {
            let countryValue = country == "NULL" ? "NULL" : "'\(country)'"
            let sql = "INSERT INTO partners (geom, id, name, type, country, themes) VALUES "
                + "(MakePoint(2.35, 48.85, 4326), '\(id)', 'A name', '\(type)', \(countryValue), '\(themes)')"
            let insert = try runTool("ogrinfo", [path, "-sql", sql, "-dialect", "SQLite"])
            #expect(insert.status == 0, "\(insert.err)")
        }
        let count = try runTool("ogrinfo", ["-so", path, "partners"]).out
        #expect(count.contains("Feature Count: 8"), "\(count)")
        let store = try PartnerStore(path: path)
        #expect(store.snapshot.partners.map(\.id) == partners.map(\.id).sorted())
        let reasons = store.skipped.map(\.description)
        #expect(reasons.count == 3, "\(reasons)")
        #expect(reasons.contains { $0.contains("type: 'spaceship' is not one of") })
        #expect(reasons.contains { $0.contains("country: is missing") })
        #expect(reasons.contains { $0.contains("themes: 'astrology' is not a theme") })
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var edit: @Sendable (inout Partner) -> Void
        var field: String
    }

    static let invalid: [Invalid] = [
        .init(testDescription: "lon 181", edit: { $0.lon = 181 }, field: "lon"),
        .init(testDescription: "lat NaN", edit: { $0.lat = .nan }, field: "lat"),
        .init(testDescription: "empty name", edit: { $0.name = "  " }, field: "name"),
        .init(testDescription: "name too long", edit: { $0.name = String(repeating: "a", count: 201) }, field: "name"),
        .init(testDescription: "country of 3 letters", edit: { $0.country = "FRA" }, field: "country"),
        .init(testDescription: "country XX (user-assigned, no country)", edit: { $0.country = "XX" }, field: "country"),
        .init(testDescription: "website with a space", edit: { $0.website = "https://a b.org" }, field: "website"),
        .init(testDescription: "e-mail with two @", edit: { $0.email = "a@@b.org" }, field: "email"),
        .init(testDescription: "country YU (withdrawn)", edit: { $0.country = "YU" }, field: "country"),
        .init(testDescription: "no theme", edit: { $0.themes = [] }, field: "themes"),
        .init(testDescription: "a theme twice", edit: { $0.themes = [.mrv, .mrv] }, field: "themes"),
        .init(testDescription: "ftp website", edit: { $0.website = "ftp://x.org" }, field: "website"),
        .init(testDescription: "description in German", edit: { $0.description = ["de": "Hallo"] }, field: "description"),
        .init(testDescription: "bad e-mail", edit: { $0.email = "nobody" }, field: "email"),
        .init(testDescription: "id with a slash", edit: { $0.id = "a/b" }, field: "id"),
    ]

    @Test(arguments: invalid) func invalidRecordsAreRefusedNamingTheField(_ case_: Invalid) throws {
        var partner = makePartners(count: 1)[0]
        case_.edit(&partner)
        #expect(throws: PartnerError.self) { try partner.validate() }
        do { try partner.validate() } catch { #expect(error.field == case_.field, "\(error)") }
        // And the store refuses it without writing.
        let store = try PartnerStore(path: TemporaryFolder().file("p.gpkg"))
        #expect(throws: (any Error).self) { try store.insert(partner) }
        #expect(store.snapshot.count == 0)
    }

    /// Neighbour distances equal an independent geodesic computation to 1 m, across the antimeridian and the poles.
    @Test func neighboursAreGeodesicNearestFirstAndMatchTheOracle() throws {
        let partners = makePartners(count: 400) + awkward
        let index = PartnerIndex(partners)
        var pairs: [(Double, Double, Double, Double)] = []
        var ours: [Double] = []
        for origin in awkward + Array(partners.prefix(20)) {
            let found = index.within(radiusKm: 3000, ofLon: origin.lon, lat: origin.lat, excluding: origin.id)
            #expect(found.map(\.distanceKm) == found.map(\.distanceKm).sorted(), "nearest first")
            // Brute force over all partners: the same set.
            var brute: [String] = []
            for p in partners where p.id != origin.id {
                pairs.append((origin.lon, origin.lat, p.lon, p.lat))
                let d = Geodesic.wgs84.distance(lon1: origin.lon, lat1: origin.lat, lon2: p.lon, lat2: p.lat) / 1000
                ours.append(d * 1000)
                if d <= 3000 { brute.append(p.id) }
            }
            #expect(Set(found.map(\.partner.id)) == Set(brute), "\(origin.id)")
        }
        let oracle = try oracleDistances(pairs)
        let worst = zip(ours, oracle).map { abs($0 - $1) }.max()!
        #expect(worst < 1, "worst difference \(worst) m over \(pairs.count) pairs")
        // The awkward places find each other.
        #expect(index.within(radiusKm: 30, ofLon: 179.95, lat: -17.8, excluding: "east-of-dateline").first?.partner.id
                == "west-of-dateline")
        #expect(index.within(radiusKm: 70, ofLon: 0, lat: 89.7, excluding: "north-pole-a").first?.partner.id == "north-pole-b")
        let versailles = try #require(index.within(radiusKm: 20, ofLon: 2.3522, lat: 48.8566, excluding: "paris").first)
        #expect(versailles.partner.id == "versailles" && abs(versailles.distanceKm - 17.0) < 1)
    }

    @Test func listingsFilterByBoxThemeTypeCountryAndText() {
        let partners = makePartners(count: 300) + awkward
        let index = PartnerIndex(partners)
        let box = index.list(.init(bbox: [-20, -40, 55, 40]))
        #expect(Set(box.map(\.id)) == Set(partners.filter { (-20...55).contains($0.lon) && (-40...40).contains($0.lat) }.map(\.id)))
        let across = index.list(.init(bbox: [179, -20, -179, -15]))
        #expect(Set(across.map(\.id)) == ["east-of-dateline", "west-of-dateline"])
        // Edges on the antimeridian itself (found by schemathesis: west = 180 crashed the cell walk).
        for b in [[180.0, -90, -113, -73], [180, -30, 180, 30], [-180, -30, 180, 30], [170, -90, 180, 90]] {
            let expected = partners.filter { p in
                (b[0] <= b[2] ? (b[0]...b[2]).contains(p.lon) : (p.lon >= b[0] || p.lon <= b[2])) && (b[1]...b[3]).contains(p.lat)
            }
            #expect(Set(index.list(.init(bbox: b)).map(\.id)) == Set(expected.map(\.id)), "\(b)")
        }
        let themed = index.list(.init(theme: .agroforestry, type: nil, country: "ke"))
        #expect(themed.allSatisfy { $0.themes.contains(.agroforestry) && $0.country == "KE" })
        #expect(!themed.isEmpty)
        // Every word, in any case, as part of the name or a description.
        let found = index.list(.init(text: "NUMBER 17 works"))
        #expect(found.contains { $0.id == "t-00017" } && !found.contains { $0.id == "t-00016" })
        #expect(found.allSatisfy { $0.name.contains("17") })
    }

    /// A file that cannot be read changes nothing; bad rows are reported and the good ones imported together.
    @Test func importsAreAllOrNothingAndReportRejectedRows() throws {
        let folder = TemporaryFolder()
        let store = try PartnerStore(path: folder.file("p.gpkg"))
        try store.importAll(makePartners(count: 10), replace: false)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: folder.file("bad.geojson")))
        #expect(throws: PartnerError.self) { try PartnerImport(path: folder.file("bad.geojson"), now: "2026-01-01T00:00:00Z") }
        #expect(store.snapshot.count == 10)

        let csv = Partner.csvColumns.joined(separator: ",") + "\n"
            + makePartners(count: 3, seed: 9).enumerated().map { i, p in
                var p = p
                p.id = "csv-\(i)"
                p.name = "Name, with \"quotes\" \(i)"
                return p.csvRow(includePrivate: true)
            }.joined(separator: "\n")
            + "\nbad-1,Broken,spaceship,FR,1,2,mrv,,,,,,,\nbad-2,Far,ngo,FR,200,2,mrv,,,,,,,\n"
        try Data(csv.utf8).write(to: URL(fileURLWithPath: folder.file("in.csv")))
        let parsed = try PartnerImport(path: folder.file("in.csv"), now: "2026-01-01T00:00:00Z")
        #expect(parsed.partners.map(\.id) == ["csv-0", "csv-1", "csv-2"])
        #expect(parsed.partners[1].name == "Name, with \"quotes\" 1")
        #expect(parsed.rejected.map(\.row) == [5, 6])
        #expect(parsed.rejected[0].reason.hasPrefix("type:") && parsed.rejected[1].reason.hasPrefix("lon:"))
        try store.importAll(parsed.partners, replace: false)
        #expect(store.snapshot.count == 13)
        try store.importAll(parsed.partners, replace: true)
        #expect(store.snapshot.count == 3)
    }

    /// 305 rows with the same fault are one line with the rows as a range, not 305 lines.
    @Test func rejectionsAreGroupedByReasonWithTheirRows() throws {
        let header = "id,name,type,country,lon,lat,themes\n"
        var rows = (1...305).map { "r\($0),Name \($0),research,FR,1,2,agroforestry" }
        rows += ["ok-1,Good,ngo,FR,1,2,agroforestry", "far-1,Far,ngo,FR,200,2,agroforestry",
                 "far-2,Far,ngo,FR,200,2,agroforestry", "ok-2,Good,ngo,FR,1,2,agroforestry",
                 "far-3,Far,ngo,FR,200,2,agroforestry"]
        let parsed = try PartnerImport(csv: Data((header + rows.joined(separator: "\n")).utf8), now: "2026-01-01T00:00:00Z")
        #expect(parsed.partners.map(\.id) == ["ok-1", "ok-2"])
        let summary = parsed.rejectionSummary
        #expect(summary.count == 2, "\(summary)")
        // Row numbers count the header as row 1.
        #expect(summary.first?.hasPrefix("305 rows: type: must be one of") == true, "\(summary)")
        #expect(summary.first?.hasSuffix("(got research): rows 2-306") == true, "\(summary)")
        #expect(summary.last?.hasPrefix("3 rows: lon:") == true && summary.last?.hasSuffix("rows 308-309, 311") == true,
                "\(summary)")
        #expect(PartnerImport.ranges([1, 3, 4, 5, 9, 10]) == ["1", "3-5", "9-10"])
    }

    /// RFC 7946 puts a feature's id beside its properties (a string or a number); with no id at all, one is made
    /// from the name, the same every time, unique in the file.
    @Test func featureIDsAreTakenAndMissingOnesMadeFromTheName() throws {
        func feature(_ name: String, id: Any?) -> [String: Any] {
            var f: [String: Any] = ["type": "Feature", "geometry": ["type": "Point", "coordinates": [2.35, 48.85]],
                                    "properties": ["name": name, "type": "ngo", "country": "FR", "themes": ["agroforestry"]]]
            if let id { f["id"] = id }
            return f
        }
        let collection: [String: Any] = ["type": "FeatureCollection", "features": [
            feature("By string", id: "fr-1"), feature("By number", id: 17),
            feature("Institut Agro Montpellier", id: nil), feature("Institut Agro  Montpellier!", id: nil),
            feature("Ñandú & Co", id: nil),
        ]]
        let data = try JSONSerialization.data(withJSONObject: collection)
        let parsed = try PartnerImport(geojson: data, now: "2026-01-01T00:00:00Z")
        #expect(parsed.rejected.isEmpty, "\(parsed.rejected)")
        #expect(parsed.partners.map(\.id) == ["fr-1", "17", "institut-agro-montpellier", "institut-agro-montpellier-2",
                                              "nandu-co"])
        #expect(parsed.derivedIDs.map(\.row) == [3, 4, 5])
        let again = try PartnerImport(geojson: data, now: "2026-01-01T00:00:00Z")
        #expect(again.partners.map(\.id) == parsed.partners.map(\.id), "the same file gives the same ids")
    }

    /// Reading a store that is not there leaves no file behind (an empty GeoPackage once hid the demo's import);
    /// the first edit makes it.
    @Test func readingAMissingStoreCreatesNothing() throws {
        let folder = TemporaryFolder()
        let path = folder.file("sub/partners.gpkg")
        let store = try PartnerStore(path: path)
        #expect(!store.exists && store.snapshot.count == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
        try store.insert(makePartners(count: 1)[0])
        #expect(store.exists && FileManager.default.fileExists(atPath: path))
        #expect(try PartnerStore(path: path).snapshot.count == 1)
        #expect(try runTool("ogrinfo", ["-so", path, "partners"]).out.contains("Feature Count: 1"))
    }

    /// `partners check` fails on a missing or empty directory, saying so, and creates nothing.
    @Test func checkSaysWhenTheDirectoryIsMissingOrEmpty() throws {
        let folder = TemporaryFolder()
        let path = folder.file("partners.gpkg")
        let missing = try runTool(DemoFixture.hotspotBinary, ["partners", "check", "--store", path])
        #expect(missing.status != 0 && missing.err.contains("no partner directory at \(path)"), "\(missing.err)")
        #expect(!FileManager.default.fileExists(atPath: path))
        let list = try runTool(DemoFixture.hotspotBinary, ["partners", "list", "--store", path])
        #expect(list.status != 0 && !FileManager.default.fileExists(atPath: path))
        try PartnerStore(path: path).importAll([], replace: true)
        let empty = try runTool(DemoFixture.hotspotBinary, ["partners", "check", "--store", path])
        #expect(empty.status != 0 && empty.err.contains("is empty"), "\(empty.err)")
        try PartnerStore(path: path).importAll(makePartners(count: 3), replace: true)
        let full = try runTool(DemoFixture.hotspotBinary, ["partners", "check", "--store", path])
        #expect(full.status == 0 && full.err.contains("3 partners, 0 invalid"), "\(full.err)")
    }

    /// Control characters are refused in text fields (a NUL cut the GeoPackage's copy of a name); descriptions may
    /// break lines. CSV exports neutralise text a spreadsheet would run as a formula.
    @Test func controlCharactersAreRefusedAndFormulasNeutralised() throws {
        var partner = makePartners(count: 1)[0]
        partner.name = "a\u{0}b"
        #expect(throws: PartnerError("name", "must not contain control characters")) { try partner.validate() }
        partner.name = "Fine"
        partner.description = ["en": "two\nlines"]
        try partner.validate()
        partner.description = ["en": "bell\u{7}"]
        #expect(throws: PartnerError.self) { try partner.validate() }
        partner.description = [:]
        partner.name = "=HYPERLINK(\"http://x\")"
        partner.lon = -3.7
        let row = CSV.parse(partner.csvRow(includePrivate: false)).first ?? []
        #expect(row[1] == "'=HYPERLINK(\"http://x\")", "\(row)")
        #expect(row[4] == "-3.7", "numbers stay numbers")
    }
}

/// The embedded ISO 3166-1 list equals Debian's iso-codes (the reference the list was made from).
@Suite struct CountryCodeTests {
    @Test func theListEqualsISOCodes() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: "/usr/share/iso-codes/json/iso_3166-1.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let codes = Set((root["3166-1"] as? [[String: Any]] ?? []).compactMap { $0["alpha_2"] as? String })
        #expect(codes.count == 249)
        #expect(CountryCodes.iso3166Alpha2 == codes)
    }
}

/// Websites and e-mails are matched on Unicode scalars, as the API document's JSON Schema patterns are (schemathesis
/// found a website whose emoji modifier, joined with the next characters into one grapheme, hid its '/').
@Suite struct PatternSemanticsTests {
    @Test func websitesWithModifiersAreAccepted() throws {
        var partner = makePartners(count: 1)[0]
        partner.website = "https://\u{1F3FB}\u{00AD}\u{010D}$9/\u{00D8}"
        try partner.validate()
        partner.email = "\u{1F3FB}x@d\u{0301}.org"
        try partner.validate()
    }
}
