import Foundation
import HotspotConfig
import Testing

/// A configuration that must be refused, with the error it must give.
struct BadConfiguration: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var text: String
    var kind: ConfigError.Kind
    var key: String
    /// 1-based line of the offending key or value; nil where not asserted.
    var line: Int?

    init(_ name: String, _ text: String, _ kind: ConfigError.Kind, _ key: String, line: Int?) {
        testDescription = name
        self.text = text
        self.kind = kind
        self.key = key
        self.line = line
    }
}

/// The minimal configuration with one line replaced (see `yaml(replacing:with:)`).
private func edit(_ line: String, _ replacement: String) -> String { yaml(replacing: line, with: replacement) }

/// The minimal configuration with lines appended from line 13 on.
private func append(_ lines: String) -> String { yaml(appending: lines) }

struct ConfigErrorTests {
    static let unknownKeys: [BadConfiguration] = [
        BadConfiguration("unknown top-level key", append("colour: red\n"), .unknownKey, "colour", line: 13),
        BadConfiguration("unknown key in grid", edit("  resolution: 0.5", "  res: 0.5"), .unknownKey, "grid.res",
                         line: 3),
        BadConfiguration("unknown key in a flow-style layer",
                         edit("soc: { path: soc.tif }", "soc: { path: soc.tif, colour: 1 }"),
                         .unknownKey, "layers.soc.colour", line: 6),
        BadConfiguration("unknown key in a block-style layer",
                         edit("  soc: { path: soc.tif }", "  soc:\n    path: soc.tif\n    scael: 0.1"),
                         .unknownKey, "layers.soc.scael", line: 8),
        BadConfiguration("classes on a layer that is not land cover",
                         edit("soc: { path: soc.tif }", "soc: { path: soc.tif, classes: esa_cci }"),
                         .unknownKey, "layers.soc.classes", line: 6),
        BadConfiguration("unknown layer",
                         edit("  precip: { path: precip.tif }", "  precip: { path: precip.tif }\n  ph: { path: ph.tif }"),
                         .unknownKey, "layers.ph", line: 10),
        BadConfiguration("unknown key in model", append("model:\n  horizon: 20\n"), .unknownKey, "model.horizon",
                         line: 14),
        BadConfiguration("unknown group in model.dpm_rpm",
                         append("model:\n  dpm_rpm: { cropland: 1, orchard: 0.5 }\n"),
                         .unknownKey, "model.dpm_rpm.orchard", line: 14),
        BadConfiguration("unknown group in a block-style model.dpm_rpm",
                         append("model:\n  dpm_rpm:\n    wetland: 0.5\n    peat: 0.6\n"),
                         .unknownKey, "model.dpm_rpm.peat", line: 16),
        BadConfiguration("an unknown scenario", append("model:\n  scenarios: { extreme: 0.5 }\n"),
                         .unknownKey, "model.scenarios.extreme", line: 14),
        BadConfiguration("unknown key in output", edit("  dir: out", "  dir: out\n  format: cog"),
                         .unknownKey, "output.format", line: 13),
        BadConfiguration("unknown key in server", append("server:\n  prot: 80\n"), .unknownKey, "server.prot",
                         line: 14),
    ]

    static let wrongTypes: [BadConfiguration] = [
        BadConfiguration("resolution: abc", edit("resolution: 0.5", "resolution: abc"),
                         .wrongType(expected: "a number"), "grid.resolution", line: 3),
        BadConfiguration("bbox with three numbers", edit("[-10, 30, 40, 70]", "[-10, 30, 40]"),
                         .wrongType(expected: "a list of 4 numbers"), "grid.bbox", line: 4),
        BadConfiguration("bbox with a word", edit("[-10, 30, 40, 70]", "[-10, 30, forty, 70]"),
                         .wrongType(expected: "a number"), "grid.bbox.2", line: 4),
        BadConfiguration("bbox not a list", edit("[-10, 30, 40, 70]", "europe"),
                         .wrongType(expected: "a list"), "grid.bbox", line: 4),
        BadConfiguration("a layer given as a bare path", edit("soc: { path: soc.tif }", "soc: soc.tif"),
                         .wrongType(expected: "a mapping"), "layers.soc", line: 6),
        BadConfiguration("scale not a number", edit("scale: 0.1", "scale: tenth"),
                         .wrongType(expected: "a number"), "layers.clay.scale", line: 7),
        BadConfiguration("horizon_years: twenty", append("model:\n  horizon_years: twenty\n"),
                         .wrongType(expected: "a whole number"), "model.horizon_years", line: 14),
        BadConfiguration("dpm_rpm given as a list", append("model:\n  dpm_rpm: [1, 0.7]\n"),
                         .wrongType(expected: "a mapping"), "model.dpm_rpm", line: 14),
        BadConfiguration("port not a whole number", append("server:\n  port: 80.5\n"),
                         .wrongType(expected: "a whole number"), "server.port", line: 14),
    ]

    static let missingKeys: [BadConfiguration] = [
        BadConfiguration("no tmean layer", edit("  tmean: { path: tmean.tif }\n", ""), .missingKey, "layers.tmean",
                         line: nil),
        BadConfiguration("no soc layer", edit("  soc: { path: soc.tif }\n", ""), .missingKey, "layers.soc", line: nil),
        BadConfiguration("no clay layer", edit("  clay: { path: clay.tif, scale: 0.1 }\n", ""), .missingKey,
                         "layers.clay", line: nil),
        BadConfiguration("no precip layer", edit("  precip: { path: precip.tif }\n", ""), .missingKey,
                         "layers.precip", line: nil),
        BadConfiguration("no landcover layer", edit("  landcover: { path: lc.tif, classes: esa_cci }\n", ""),
                         .missingKey, "layers.landcover", line: nil),
        BadConfiguration("no output", edit("output:\n  dir: out\n", ""), .missingKey, "output", line: nil),
        BadConfiguration("no grid", edit("grid:\n  crs: \"EPSG:4326\"\n  resolution: 0.5\n  bbox: [-10, 30, 40, 70]\n", ""),
                         .missingKey, "grid", line: nil),
        BadConfiguration("no path for a layer", edit("soc: { path: soc.tif }", "soc: { units: t/ha }"),
                         .missingKey, "layers.soc.path", line: 6),
        BadConfiguration("no resolution", edit("  resolution: 0.5\n", ""), .missingKey, "grid.resolution", line: nil),
    ]

    static let invalidValues: [BadConfiguration] = [
        BadConfiguration("negative resolution", edit("resolution: 0.5", "resolution: -1"),
                         .invalidValue("must be greater than 0"), "grid.resolution", line: 3),
        BadConfiguration("zero resolution", edit("resolution: 0.5", "resolution: 0"),
                         .invalidValue("must be greater than 0"), "grid.resolution", line: 3),
        BadConfiguration("hotspot_percentile 150", append("model:\n  hotspot_percentile: 150\n"),
                         .invalidValue("must be in (0, 100]"), "model.hotspot_percentile", line: 14),
        BadConfiguration("hotspot_percentile 0", append("model: { hotspot_percentile: 0 }\n"),
                         .invalidValue("must be in (0, 100]"), "model.hotspot_percentile", line: 13),
        BadConfiguration("a zero DPM/RPM ratio", append("model:\n  dpm_rpm: { cropland: 0 }\n"),
                         .invalidValue("must be greater than 0"), "model.dpm_rpm.cropland", line: 14),
        BadConfiguration("negative warming", append("model:\n  warming_degC: -1\n"),
                         .invalidValue("must be between 0 and 20 degC"), "model.warming_degC", line: 14),
        BadConfiguration("zero horizon", append("model:\n  horizon_years: 0\n"),
                         .invalidValue("must be 1-1000 whole years"), "model.horizon_years", line: 14),
        BadConfiguration("a group that does not exist in managed_groups",
                         append("model:\n  managed_groups: [cropland, orchard]\n"),
                         .invalidValue("orchard is not a land-cover group (one of cropland, grassland, forest, shrubland, wetland, urban, bare, water, snow_ice)"),
                         "model.managed_groups", line: 14),
        BadConfiguration("bbox with minX > maxX", edit("[-10, 30, 40, 70]", "[40, 30, -10, 70]"),
                         .invalidValue("must be [minX, minY, maxX, maxY] with min < max"), "grid.bbox", line: 4),
        BadConfiguration("bbox with minY > maxY", edit("[-10, 30, 40, 70]", "[-10, 70, 40, 30]"),
                         .invalidValue("must be [minX, minY, maxX, maxY] with min < max"), "grid.bbox", line: 4),
        BadConfiguration("unknown resampling",
                         edit("tmean: { path: tmean.tif }", "tmean: { path: tmean.tif, resampling: spline }"),
                         .invalidValue("must be one of near, nearest, bilinear, cubic, average, mode"),
                         "layers.tmean.resampling", line: 8),
        BadConfiguration("band 0", edit("tmean: { path: tmean.tif }", "tmean: { path: tmean.tif, band: 0 }"),
                         .invalidValue("must be 1 or more"), "layers.tmean.band", line: 8),
        BadConfiguration("a repeated top-level key", append("model: { depth_cm: 1 }\nmodel: { depth_cm: 2 }\n"),
                         .invalidValue("is given twice"), "model", line: 14),
        BadConfiguration("a repeated key in a layer",
                         edit("tmean: { path: tmean.tif }", "tmean: { path: tmean.tif, path: other.tif }"),
                         .invalidValue("is given twice"), "layers.tmean.path", line: 8),
        BadConfiguration("unknown compression", edit("  dir: out", "  dir: out\n  compression: lzma"),
                         .invalidValue("must be zstd or deflate"), "output.compression", line: 13),
    ]

    func check(_ bad: BadConfiguration) {
        guard let error = configError(bad.text) else { return }
        #expect(error.kind == bad.kind, "\(error)")
        #expect(error.key == bad.key, "\(error)")
        if let line = bad.line { #expect(error.line == line, "\(error)") }
        #expect(error.file == testFile)
        // One sentence naming the key, and the line where there is one.
        #expect(!error.description.contains("\n"))
        #expect(error.description.contains("'\(bad.key)'"), "\(error)")
        if let line = error.line { #expect(error.description.hasPrefix("\(testFile):\(line): "), "\(error)") }
    }

    @Test(arguments: unknownKeys) func anUnknownKeyIsNamedWithItsLine(_ bad: BadConfiguration) { check(bad) }

    @Test(arguments: wrongTypes) func aValueOfTheWrongTypeIsNamedWithItsLine(_ bad: BadConfiguration) { check(bad) }

    @Test(arguments: missingKeys) func aMissingRequiredKeyIsNamed(_ bad: BadConfiguration) { check(bad) }

    @Test(arguments: invalidValues) func anInvalidValueIsNamedWithItsLine(_ bad: BadConfiguration) { check(bad) }

    @Test func errorsReadAsOneSentenceWithFileLineAndKey() throws {
        let wrongType = try #require(configError(yaml(replacing: "resolution: 0.5", with: "resolution: abc")))
        #expect(wrongType.description == "\(testFile):3: 'grid.resolution' must be a number")
        let unknown = try #require(configError(yaml(replacing: "  resolution: 0.5", with: "  res: 0.5")))
        #expect(unknown.description == "\(testFile):3: unknown key 'grid.res'")
        let missing = try #require(configError(yaml(replacing: "output:\n  dir: out\n", with: "")))
        #expect(missing.description.hasSuffix("required key 'output' is missing"))
        let invalid = try #require(configError(yaml(appending: "model:\n  hotspot_percentile: 150\n")))
        #expect(invalid.description == "\(testFile):14: 'model.hotspot_percentile' must be in (0, 100]")
    }

    /// The contact relay's SMTP server: host and the relay's own address are required, the rest has defaults, and
    /// bad values are named.
    @Test func theRelaysSMTPServerIsCheckedAndDefaulted() throws {
        let smtp = try parse(yaml(appending: "server:\n  smtp: {host: mail.example.org, from: relay@example.org}\n")).server.smtp
        #expect(smtp?.host == "mail.example.org" && smtp?.port == 587 && smtp?.startTLS == true && smtp?.caFile == nil)
        let noFrom = try #require(configError(yaml(appending: "server:\n  smtp: {host: mail.example.org}\n")))
        #expect(noFrom.description.contains("from address"), "\(noFrom)")
        let badFrom = try #require(configError(yaml(appending: "server:\n  smtp: {host: h, from: \"not an address\"}\n")))
        #expect(badFrom.description.contains("'server.smtp.from'"), "\(badFrom)")
        let noCA = try #require(configError(yaml(appending: "server:\n  smtp: {host: h, from: a@b.org, ca_file: /nonexistent.pem}\n")))
        #expect(noCA.description.contains("no readable file"), "\(noCA)")
        let limits = try parse(yaml(appending: "server:\n  contact: {max_links: 0, confirm_sender: false}\n")).server.contact
        #expect(limits.maxLinks == 0 && !limits.confirmSender && limits.perClientPerHour == 5)
        let zero = try #require(configError(yaml(appending: "server:\n  contact: {per_client_per_hour: 0}\n")))
        #expect(zero.description.contains("'server.contact.per_client_per_hour' must be 1-10000"), "\(zero)")
    }

    @Test(arguments: ["grid: [unclosed\n", "grid:\n  crs: \"EPSG:4326\n", "grid:\n\t- a\n", "a: b\n  c: d\n"])
    func malformedYAMLIsUnreadableWithTheLine(_ text: String) throws {
        let error = try #require(configError(text))
        guard case .unreadable(let reason) = error.kind else {
            Issue.record("kind \(error.kind)")
            return
        }
        #expect(reason.hasPrefix("not valid YAML"))
        #expect(error.line != nil, "\(error)")
        #expect(!error.description.contains("\n"), "\(error)")
    }

    @Test func anEmptyFileIsUnreadable() throws {
        let error = try #require(configError(""))
        #expect(error.kind == .unreadable("the file is empty"))
    }

    @Test func aMissingFileIsUnreadable() {
        #expect(throws: ConfigError(.unreadable("no such file"), key: "", line: nil, file: "/nonexistent/hotspot.yaml")) {
            try HotspotConfiguration.load(path: "/nonexistent/hotspot.yaml")
        }
    }

    /// A "billion laughs" file (nine levels of ten aliases, 1.2 KB) is refused at once, not after minutes of CPU.
    @Test func anAliasBombIsRefusedQuickly() throws {
        var text = "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        let letters = Array("abcdefghij")
        for level in 1..<9 {
            let name = letters[level], previous = letters[level - 1]
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        text += "grid: *i\n"
        let start = Date()
        let error = try #require(configError(text))
        #expect(Date().timeIntervalSince(start) < 5, "refused in \(Date().timeIntervalSince(start)) s")
        #expect(error.description.contains("expands to more than 100000 values"), "\(error.description)")
        // An ordinary anchor still parses.
        let fine = try parse(yaml(appending: "tiles:\n  zoom: &z [0, 3]\nscores:\n  reference: run\n"), file: testFile)
        #expect(fine.tiles.zoom == [0, 3])
    }
}
