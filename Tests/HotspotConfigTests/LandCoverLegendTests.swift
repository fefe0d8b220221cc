import Foundation
import HotspotConfig
import Tiling
import HotspotModel
import Testing

struct LandCoverLegendTests {
    @Test func aNamedLegendIsFoundInLandcoverBesideTheConfiguration() throws {
        try withTemporaryFolder { folder in
            try FileManager.default.createDirectory(atPath: folder + "/landcover", withIntermediateDirectories: true)
            try """
                name: Two classes
                classes:
                  1: { group: forest, label: "Woods" }
                  2: wetland
                """.write(toFile: folder + "/landcover/mine.yaml", atomically: true, encoding: .utf8)
            let text = yaml(replacing: "classes: esa_cci", with: "classes: mine")
            let config = try parse(text, file: folder + "/hotspot.yaml")
            let legend = try #require(config.layers[.landcover]?.classes)
            #expect(legend.name == "Two classes" && legend.classes.count == 2)
            #expect(legend.group(forCode: 1) == .forest && legend.entry(forCode: 1)?.label == "Woods")
            #expect(legend.group(forCode: 2) == .wetland && legend.group(forCode: 3) == nil)
        }
    }

    @Test func aLegendCanBeGivenByPath() throws {
        try withTemporaryFolder { folder in
            try "classes:\n  7: urban\n".write(toFile: folder + "/codes.yaml", atomically: true, encoding: .utf8)
            let config = try parse(yaml(replacing: "classes: esa_cci", with: "classes: \(folder)/codes.yaml"))
            #expect(config.layers[.landcover]?.classes?.group(forCode: 7) == .urban)
        }
    }

    @Test func aLegendNamedButNotFoundIsAnErrorNamingIt() throws {
        let error = try #require(configError(yaml(replacing: "classes: esa_cci", with: "classes: modis")))
        guard case .invalidValue(let reason) = error.kind else {
            Issue.record("kind \(error.kind)")
            return
        }
        #expect(reason.contains("'modis'") && reason.contains("landcover/modis.yaml"))
        #expect(error.key == "layers.landcover.classes" && error.line == 10)
        #expect(error.description.contains("'layers.landcover.classes'") && error.description.contains(":10: "))
    }

    @Test func aLegendPathThatDoesNotExistIsAnError() throws {
        let error = try #require(configError(yaml(replacing: "classes: esa_cci", with: "classes: /nonexistent/legend.yaml")))
        #expect(error.key == "layers.landcover.classes" && error.line == 10)
    }

    @Test func anInlineClassesMappingMapsCodesToGroups() throws {
        let config = try parse(yaml(replacing: "  landcover: { path: lc.tif, classes: esa_cci }", with: """
              landcover:
                path: lc.tif
                classes:
                  1: cropland
                  2: { group: forest, label: Woods }
                  300: snow_ice
            """))
        let legend = try #require(config.layers[.landcover]?.classes)
        #expect(legend.classes.count == 3)
        #expect(legend.group(forCode: 1) == .cropland && legend.entry(forCode: 1)?.label == "class 1")
        #expect(legend.group(forCode: 2) == .forest && legend.entry(forCode: 2)?.label == "Woods")
        #expect(legend.group(forCode: 300) == .snowIce && legend.group(forCode: 4) == nil)
    }

    @Test func anInlineClassWithAnUnknownGroupIsNamedWithItsLine() throws {
        let error = try #require(configError(yaml(replacing: "  landcover: { path: lc.tif, classes: esa_cci }", with: """
              landcover:
                path: lc.tif
                classes:
                  1: cropland
                  2: orchard
            """)))
        #expect(error.key == "layers.landcover.classes.2" && error.line == 14, "\(error)")
        guard case .invalidValue(let reason) = error.kind else {
            Issue.record("kind \(error.kind)")
            return
        }
        #expect(reason.contains("'orchard'") && reason.contains("snow_ice"))
    }

    @Test func anInlineClassCodeMustBeAWholeNumber() throws {
        let error = try #require(configError(yaml(replacing: "classes: esa_cci", with: "classes: { ten: cropland }")))
        #expect(error.key == "layers.landcover.classes.ten" && error.line == 10, "\(error)")
    }

    @Test func withoutClassesTheLandCoverLegendIsESACCI() throws {
        let config = try parse(yaml(replacing: "lc.tif, classes: esa_cci", with: "lc.tif"))
        let legend = try #require(config.layers[.landcover]?.classes)
        #expect(legend.name == "ESA CCI Land Cover" && legend.group(forCode: 190) == .urban)
    }

    @Test func theLegendsAndRampsShippedInConfigParse() throws {
        for name in ["esa_cci", "corine", "copernicus"] {
            let config = try parse(yaml(replacing: "classes: esa_cci", with: "classes: \(name)"))
            let legend = try #require(config.layers[.landcover]?.classes, "\(name)")
            #expect(legend.classes.count > 10, "\(name)")
            #expect(Set(legend.classes.map(\.group)).contains(.water), "\(name) has water")
        }
        for name in ["score_greens", "score_reds", "hotspot_classes", "rate_viridis", "loss_magma"] {
            let ramp = try RampSpec.load(named: name, configDirectory: configDirectory)
            #expect(ramp.stops.count + ramp.classes.count >= 4, "\(name)")
        }
        let classes = try RampSpec.load(named: "hotspot_classes", configDirectory: configDirectory)
        #expect(classes.kind == .categorical && classes.classes.map(\.code) == [0, 1, 2, 3])
    }
}
