import Foundation
import HotspotConfig
import HotspotModel
import Testing

let configDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Config").path

/// A minimal valid configuration with one line replaced or added.
func yaml(_ edit: (String) -> String = { $0 }) -> String {
    edit("""
        grid:
          crs: "EPSG:4326"
          resolution: 0.5
          bbox: [-10, 30, 40, 70]
        layers:
          soc: { path: soc.tif }
          clay: { path: clay.tif, scale: 0.1 }
          tmean: { path: tmean.tif }
          precip: { path: precip.tif }
          landcover: { path: lc.tif, classes: esa_cci }
        output:
          dir: out

        """)
}

func parse(_ text: String) throws -> HotspotConfiguration {
    try HotspotConfiguration.parse(text, file: configDirectory + "/test.yaml")
}

struct ConfigurationTests {
    @Test func theShippedConfigurationLoadsWithTheDesignDefaults() throws {
        let config = try HotspotConfiguration.load(path: configDirectory + "/hotspot.yaml")
        #expect(config.grid == GridSpec(crs: "EPSG:4326", resolution: 0.05, bbox: [-180, -60, 180, 84]))
        #expect(config.model == ModelParameters())
        #expect(config.layers.count == 6 && config.layers[.bulkDensity] == nil)
        #expect(config.layers[.clay]?.scale == 0.1)
        #expect(config.layers[.landcover]?.classes?.group(forCode: 210) == .water)
        #expect(config.server.port == 8080 && config.tiles.zoom == [0, 7])
    }

    @Test func keysLeftOutTakeTheDefaults() throws {
        let config = try parse(yaml { $0 + "model:\n  horizon_years: 30\n  manageable: { cropland: 0.8 }\n" })
        var expected = ModelParameters()
        expected.horizonYears = 30
        expected.manageable[.cropland] = 0.8
        #expect(config.model == expected)
        #expect(config.model.manageable[.grassland] == 0.7)
        #expect(config.output.compression == "zstd" && config.tiles.format == "png")
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let kind: ConfigError.Kind?
        let key: String
        let line: Int?
        var testDescription: String { name }
    }

    static let bad: [Bad] = [
        Bad(name: "unknown top-level key", text: yaml { $0 + "colour: red\n" }, kind: .unknownKey, key: "colour", line: 13),
        Bad(name: "unknown grid key", text: yaml { $0.replacingOccurrences(of: "  resolution: 0.5", with: "  res: 0.5") },
            kind: .unknownKey, key: "grid.res", line: 3),
        Bad(name: "unknown layer key", text: yaml { $0.replacingOccurrences(of: "soc: { path: soc.tif }", with: "soc: { path: soc.tif, colour: 1 }") },
            kind: .unknownKey, key: "layers.soc.colour", line: 6),
        Bad(name: "unknown layer", text: yaml { $0.replacingOccurrences(of: "  soc: { path: soc.tif }", with: "  soc: { path: soc.tif }\n  ph: { path: ph.tif }") },
            kind: .unknownKey, key: "layers.ph", line: 7),
        Bad(name: "unknown land-use group", text: yaml { $0 + "model:\n  manageable: { orchard: 0.5 }\n" },
            kind: .unknownKey, key: "model.manageable.orchard", line: 14),
        Bad(name: "resolution not a number", text: yaml { $0.replacingOccurrences(of: "resolution: 0.5", with: "resolution: abc") },
            kind: .wrongType(expected: "a number"), key: "grid.resolution", line: 3),
        Bad(name: "bbox with three numbers", text: yaml { $0.replacingOccurrences(of: "[-10, 30, 40, 70]", with: "[-10, 30, 40]") },
            kind: .wrongType(expected: "a list of 4 numbers"), key: "grid.bbox", line: 4),
        Bad(name: "missing required layer", text: yaml { $0.replacingOccurrences(of: "  tmean: { path: tmean.tif }\n", with: "") },
            kind: .missingKey, key: "layers.tmean", line: nil),
        Bad(name: "missing output", text: yaml { $0.replacingOccurrences(of: "output:\n  dir: out\n", with: "") },
            kind: .missingKey, key: "output", line: nil),
        Bad(name: "negative resolution", text: yaml { $0.replacingOccurrences(of: "resolution: 0.5", with: "resolution: -1") },
            kind: .invalidValue("must be greater than 0"), key: "grid.resolution", line: 3),
        Bad(name: "percentile above 100", text: yaml { $0 + "model: { hotspot_percentile: 150 }\n" },
            kind: .invalidValue("must be in (0, 100]"), key: "model.hotspot_percentile", line: 13),
        Bad(name: "factor above 1", text: yaml { $0 + "model: { manageable: { cropland: 1.5 } }\n" },
            kind: .invalidValue("must be between 0 and 1"), key: "model.manageable.cropland", line: 13),
        Bad(name: "inverted bbox", text: yaml { $0.replacingOccurrences(of: "[-10, 30, 40, 70]", with: "[40, 30, -10, 70]") },
            kind: .invalidValue("must be [minX, minY, maxX, maxY] with min < max"), key: "grid.bbox", line: 4),
        Bad(name: "legend that does not exist", text: yaml { $0.replacingOccurrences(of: "classes: esa_cci", with: "classes: modis") },
            kind: nil, key: "layers.landcover.classes", line: 10),
        Bad(name: "malformed YAML", text: "grid: [unclosed\n", kind: nil, key: "", line: nil),
    ]

    @Test(arguments: bad)
    func badConfigurationsNameTheKeyAndLine(_ bad: Bad) throws {
        do {
            _ = try parse(bad.text)
            Issue.record("\(bad.name) was accepted")
        } catch let error as ConfigError {
            if let kind = bad.kind { #expect(error.kind == kind) }
            #expect(error.key == bad.key)
            if let line = bad.line { #expect(error.line == line, "\(error)") }
            #expect(!error.description.contains("\n"))
            if !bad.key.isEmpty { #expect(error.description.contains("'\(bad.key)'")) }
        }
    }

    @Test func malformedYAMLIsUnreadable() {
        #expect {
            try parse("grid: [unclosed\n")
        } throws: { error in
            guard let error = error as? ConfigError, case .unreadable = error.kind else { return false }
            return true
        }
    }

    @Test func anInlineLegendMapsCodesToGroups() throws {
        let config = try parse(yaml { $0.replacingOccurrences(of: "classes: esa_cci", with: "classes: { 1: cropland, 2: { group: forest, label: Woods } }") })
        let legend = try #require(config.layers[.landcover]?.classes)
        #expect(legend.group(forCode: 1) == .cropland && legend.entry(forCode: 2)?.label == "Woods")
    }

    @Test func theLegendsAndRampsShippedInConfigParse() throws {
        for name in ["esa_cci", "corine", "copernicus"] {
            let config = try parse(yaml { $0.replacingOccurrences(of: "classes: esa_cci", with: "classes: \(name)") })
            #expect((config.layers[.landcover]?.classes?.classes.count ?? 0) > 10, "\(name)")
        }
        for name in ["score_greens", "score_reds", "hotspot_classes", "rate_viridis", "loss_magma"] {
            let ramp = try RampSpec.load(named: name, configDirectory: configDirectory)
            #expect(ramp.stops.count + ramp.classes.count >= 4, "\(name)")
        }
    }

    @Test func aMissingFileIsUnreadable() {
        #expect(throws: ConfigError.self) { try HotspotConfiguration.load(path: "/nonexistent/hotspot.yaml") }
    }
}
