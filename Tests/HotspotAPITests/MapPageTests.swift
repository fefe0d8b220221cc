import Foundation
import TestSupport
import Testing

/// The map page in a real browser: headless Chromium (Debian's `chromium`, installed by `make test`) loads it from
/// the test server; the checks read the DOM the page built, and screenshots are kept for people to look at.
@Suite(.serialized) struct MapPageTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let screenshots = repositoryRoot + "/Tests/screenshots"

    /// One headless Chromium run; 20 s of virtual time lets the page load its tiles, partners and the click answer.
    func browse(_ url: String, arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        let chromium = try #require(Self.chromium, "Chromium is missing: `make test` installs Debian's chromium")
        let profile = TemporaryFolder("hotspot-chromium")
        let result = try await runToolDetached(chromium, ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                                          "--virtual-time-budget=20000", "--user-data-dir=\(profile.path)"]
                                               + arguments + [url], timeout: 300)
        withExtendedLifetime(profile) {}
        return result
    }

    @Test func thePageLoadsTilesLegendPartnersAndAnswersAClick() async throws {
        let server = try await TestServer.shared.value
        let (lon, lat) = try samplePoints(count: 1, seed: 31)[0]
        let page = try await browse("\(server.base)/map?click=\(lon),\(lat)", arguments: ["--window-size=1280,800", "--dump-dom"])
        #expect(page.status == 0, "\(page.err.suffix(500))")
        let dom = page.out
        #expect(dom.contains("data-ready=\"yes\""), "the page finished loading its layer and partners")
        // Tiles of the score layer and of the land base map were loaded and shown.
        let loadedTiles = dom.components(separatedBy: "leaflet-tile-loaded").count - 1
        #expect(loadedTiles >= 4, "\(loadedTiles) tiles loaded")
        #expect(dom.contains("/tiles/sequestration_score/") && dom.contains("run=\(DemoFixture.run.runID)"))
        #expect(dom.contains("/tiles/land/"))
        // The legend, and the partners as clustered markers.
        #expect(dom.contains("id=\"legend-image\"") && dom.contains("/tiles/sequestration_score/legend.png"))
        // Every partner of the directory (edits go to another test server) is on the map.
        let partnerCount = dom.firstMatch(of: /data-partners="(\d+)"/).flatMap { Int($0.1) } ?? 0
        #expect(partnerCount == testPartners.count, "\(partnerCount) partners on the map")
        #expect(dom.contains("marker-cluster") || dom.contains("leaflet-marker-icon"))
        // The click: the popup and the announced answer show the score of the pixel under the point.
        let expected = try #require(try gdalLocationValue(DemoFixture.run.directory + "/sequestration_score.tif", lon: lon, lat: lat))
        let shown = String(format: "%.1f", expected)
        #expect(dom.contains("<span class=\"seq-score\">\(shown)</span>"), "score \(shown) at \(lon), \(lat)")
        #expect(dom.contains("leaflet-popup-content"))
    }

    /// `?outlines=1` draws the hotspot polygons of the `hotspots` collection as outlines (one SVG path a feature).
    @Test func hotspotOutlinesAreDrawnFromTheFeatureCollection() async throws {
        let server = try await TestServer.shared.value
        let page = try await browse("\(server.base)/map?outlines=1&lang=fr", arguments: ["--window-size=1280,800", "--dump-dom"])
        #expect(page.status == 0, "\(page.err.suffix(500))")
        let dom = page.out
        #expect(dom.contains("data-ready=\"yes\""), "\(dom.suffix(800))")
        let count = dom.firstMatch(of: /data-outlines="(\d+)"/).flatMap { Int($0.1) } ?? 0
        #expect(count == DemoFixture.run.record.hotspotPolygons?.features && count > 0, "\(count) outlines")
        // Leaflet draws each feature as a path in the overlay pane, stroked in its class's colour.
        for colour in ["#1a9850", "#d73027", "#7b3294"] { #expect(dom.contains("stroke=\"\(colour)\""), "\(colour)") }
        #expect(dom.contains("Contours des points chauds"))
    }

    /// A partner's popup: name, type, themes and website, never the private e-mail the store holds.
    @Test func aPartnerPopupShowsPublicFieldsOnly() async throws {
        let server = try await TestServer.shared.value
        let partner = try #require(testPartners.first { $0.id == "api-003" })
        let page = try await browse("\(server.base)/map?partner=\(partner.id)", arguments: ["--window-size=1280,800", "--dump-dom"])
        let dom = page.out
        #expect(dom.contains("<h3>\(partner.name)</h3>"), "the popup of \(partner.id) is open")
        #expect(dom.contains("href=\"\(partner.website!)\""))
        #expect(dom.contains(partner.themes[0].rawValue.replacingOccurrences(of: "_", with: " ")))
        #expect(partner.email != nil && !dom.contains(partner.email!) && !dom.contains("private.example.org"))
        #expect(dom.contains("class=\"neighbours\""))
    }

    /// `&contact=1` opens the partner's contact form: labelled fields in the page's language, the honeypot out of
    /// sight, and still no private address.
    @Test(arguments: [("en", "Your e-mail", "Send"), ("fr", "Votre courriel", "Envoyer"), ("es", "Su correo", "Enviar")])
    func theContactFormSpeaksThePagesLanguage(_ language: String, _ label: String, _ send: String) async throws {
        let server = try await TestServer.shared.value
        let partner = try #require(testPartners.first { $0.id == "api-005" })
        let page = try await browse("\(server.base)/map?partner=\(partner.id)&contact=1&lang=\(language)",
                                    arguments: ["--window-size=1280,900", "--dump-dom"])
        let dom = page.out
        #expect(dom.contains("class=\"contact-form\""), "\(dom.suffix(1500))")
        #expect(dom.contains(">\(label)</label>") && dom.contains(">\(send)</button>"), "\(language)")
        #expect(dom.contains("name=\"homepage\" tabindex=\"-1\""))
        #expect(dom.contains("role=\"status\""))
        #expect(!dom.contains("private.example.org"))
    }

    /// A `lang` the page does not have, even one that names a property of every JavaScript object, is English.
    @Test func anUnknownLanguageFallsBackToEnglish() async throws {
        let server = try await TestServer.shared.value
        let page = try await browse("\(server.base)/map/embed?lang=constructor", arguments: ["--window-size=600,400", "--dump-dom"])
        #expect(page.out.contains("<html lang=\"en\""))
        #expect(page.out.contains("data-ready=\"yes\""))
        #expect(page.out.contains("legend.png?lang=en"))
    }

    @Test func theEmbedIsFrenchAndShowsTheAskedLayer() async throws {
        let server = try await TestServer.shared.value
        let page = try await browse("\(server.base)/map/embed?layer=hotspot_class&lang=fr", arguments: ["--window-size=600,400", "--dump-dom"])
        #expect(page.out.contains("<html lang=\"fr\""))
        #expect(page.out.contains("class=\"embed\""))
        #expect(page.out.contains("/tiles/hotspot_class/"))
        #expect(page.out.contains("Classes de points chauds"))
    }

    /// Desktop and phone screenshots under Tests/screenshots (git-ignored): the map must be drawn, not blank.
    /// The crop is a part of the map that neither the legend, the header nor the click's popup covers.
    @Test(arguments: [("desktop", "1280,800", [0, 440, 520, 780]), ("phone", "390,844", [0, 390, 620, 820])])
    func screenshotsShowAMap(_ name: String, _ size: String, _ crop: [Int]) async throws {
        let server = try await TestServer.shared.value
        try FileManager.default.createDirectory(atPath: Self.screenshots, withIntermediateDirectories: true)
        let path = "\(Self.screenshots)/map-\(name).png"
        try? FileManager.default.removeItem(atPath: path)
        let result = try await browse("\(server.base)/map?click=10.5,47.5", arguments: ["--window-size=\(size)", "--screenshot=\(path)"])
        #expect(result.status == 0 && FileManager.default.fileExists(atPath: path), "\(result.err.suffix(300))")
        // Many distinct colours in the crop: the score tiles were painted over the land base (which alone has a
        // handful: land, sea and their edge).
        let colours = try runTool("/usr/bin/python3", ["-c", """
            from osgeo import gdal; import numpy as np
            d = gdal.Open('\(path)'); a = d.ReadAsArray()[:3, \(crop[2]):\(crop[3]), \(crop[0]):\(crop[1])].reshape(3, -1).T
            print(len(np.unique(a[:, 0].astype(np.int64) * 65536 + a[:, 1] * 256 + a[:, 2])))
            """])
        let distinct = Int(colours.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(distinct > 100, "\(distinct) distinct colours in the map area of \(path): \(colours.err)")
    }
}
