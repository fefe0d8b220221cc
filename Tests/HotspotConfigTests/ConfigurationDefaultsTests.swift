import Foundation
import HotspotConfig
import HotspotModel
import Testing

/// The model defaults of DESIGN.md (model v2), as literals.
let designDPMRPM: [LandCoverGroup: Double] = [
    .cropland: 1.44, .grassland: 1.44, .shrubland: 0.67, .wetland: 0.67, .forest: 0.25,
]

func expectDesignDefaults(_ p: ModelParameters, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(p.horizonYears == 20 && p.depthCentimetres == 30 && p.warmingDegC == 2.0, sourceLocation: sourceLocation)
    #expect(p.scenarios.low == 0.05 && p.scenarios.medium == 0.10 && p.scenarios.high == 0.20,
            sourceLocation: sourceLocation)
    #expect(p.hotspotPercentile == 90 && p.managedGroups == [.cropland, .grassland] && p.bareGroups == [.bare],
            sourceLocation: sourceLocation)
    #expect(!p.saturationCap && p.fineSiltShare == 0.5 && p.bulkDensityDefault == 1.3, sourceLocation: sourceLocation)
    for (group, ratio) in designDPMRPM {
        #expect(p.dpmRpm[group] == ratio, "dpm_rpm.\(group)", sourceLocation: sourceLocation)
    }
}

struct ShippedConfigurationTests {
    let path = configDirectory + "/hotspot.yaml"

    @Test func theShippedConfigurationLoadsWithTheDesignDefaults() throws {
        let config = try HotspotConfiguration.load(path: path)
        #expect(config.file == path)
        #expect(config.grid == GridSpec(crs: "EPSG:4326", resolution: 0.05, bbox: [-180, -60, 180, 84]))
        expectDesignDefaults(config.model)
        #expect(config.model == ModelParameters())
        #expect(config.output.dir == "Rasters/derived")
        #expect(config.tiles.dir == "Tiles" && config.tiles.zoom == [0, 7] && config.tiles.format == "png")
        let server = config.server
        #expect(server.host == "127.0.0.1" && server.port == 8080 && server.cors == ["*"])
        #expect(server.partners == "Config/partners.gpkg" && server.regions == "Config/regions.geojson")
        #expect(server.adminTokenEnv == "HOTSPOT_ADMIN_TOKEN")
        #expect(server.maxBatchPoints == 10_000 && server.maxDownloadPixels == 100_000_000)
        #expect(config.text == (try String(contentsOfFile: path, encoding: .utf8)))
    }

    @Test func theShippedLayersPointAtTheDemoDataWithTheirUnits() throws {
        let layers = try HotspotConfiguration.load(path: path).layers
        #expect(Set(layers.keys) == [.soc, .clay, .silt, .tmean, .precip, .pet, .landcover], "no bulk-density layer")
        for (role, layer) in layers {
            #expect(layer.path == "Rasters/demo/\(role.rawValue).tif" && layer.role == role && layer.band == 1)
        }
        #expect(layers[.soc]?.scale == 0.1 && layers[.clay]?.scale == 0.1 && layers[.silt]?.scale == 0.1)
        #expect(layers[.clay]?.units == "g/kg" && layers[.tmean]?.units == "degC" && layers[.precip]?.scale == 1)
        #expect(layers[.precip]?.units == "mm/month" && layers[.pet]?.units == "mm/month")
        #expect(layers[.tmean]?.offset == 0 && layers[.tmean]?.noData == nil && layers[.tmean]?.resampling == nil)
        let legend = try #require(layers[.landcover]?.classes)
        #expect(legend.name == "ESA CCI Land Cover" && legend.classes.count == 37)
        #expect(legend.group(forCode: 10) == .cropland && legend.group(forCode: 160) == .wetland)
        #expect(legend.group(forCode: 210) == .water && legend.group(forCode: 220) == .snowIce)
        #expect(legend.group(forCode: 0) == nil)
    }

    @Test func theShippedConfigurationWithoutItsModelSectionGivesTheSameModel() throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let start = try #require(text.range(of: "model:\n")), end = try #require(text.range(of: "output:\n"))
        let withoutModel = text.replacingCharactersInRange(start.lowerBound..<end.lowerBound, with: "")
        #expect(!withoutModel.contains("horizon_years"))
        let config = try parse(withoutModel)
        expectDesignDefaults(config.model)
    }
}

struct ConfigurationDefaultsTests {
    @Test func keysLeftOutOfModelTakeTheDefaults() throws {
        let config = try parse(yaml(appending: """
            model:
              horizon_years: 30
              warming_degC: 4
              scenarios: { high: 0.3 }
              managed_groups: [cropland, grassland, shrubland]
              dpm_rpm:
                forest: 0.3

            """))
        var expected = ModelParameters()
        expected.horizonYears = 30
        expected.warmingDegC = 4
        expected.scenarios.high = 0.3
        expected.managedGroups.insert(.shrubland)
        expected.dpmRpm[.forest] = 0.3
        #expect(config.model == expected)
        #expect(config.model.scenarios.low == 0.05 && config.model.dpmRpm[.cropland] == 1.44)
        #expect(config.model.depthCentimetres == 30 && !config.model.saturationCap)
    }

    @Test func onlyGridLayersAndOutputAreRequired() throws {
        let config = try parse(yaml())
        expectDesignDefaults(config.model)
        #expect(config.grid == GridSpec(crs: "EPSG:4326", resolution: 0.5, bbox: [-10, 30, 40, 70]))
        #expect(config.layers[.silt] == nil && config.layers[.bulkDensity] == nil)
        #expect(config.output.dir == "out" && config.output.compression == "zstd" && config.output.level == 1)
        #expect(config.tiles.zoom == [0, 7] && config.tiles.format == "png" && config.tiles.dir == "Tiles")
        #expect(config.server.port == 8080 && config.server.maxBatchPoints == 10_000)
        #expect(config.layers[.tmean]?.units == "degC", "units default to the model's")
    }

    @Test func emptyOptionalSectionsTakeTheDefaults() throws {
        let config = try parse(yaml(appending: "model:\ntiles:\nserver: ~\n"))
        expectDesignDefaults(config.model)
        #expect(config.server.host == "127.0.0.1")
    }

    @Test func layerSettingsAreRead() throws {
        let config = try parse(yaml(replacing: "  soc: { path: soc.tif }", with: """
              soc:
                path: /vsicurl/https://example.org/soc.tif
                band: 2
                units: "kg/m2"
                scale: 10
                offset: 0
                nodata: -32768
                resampling: average
            """))
        let soc = try #require(config.layers[.soc])
        #expect(soc.path == "/vsicurl/https://example.org/soc.tif" && soc.band == 2 && soc.units == "kg/m2")
        #expect(soc.scale == 10 && soc.offset == 0 && soc.noData == -32768 && soc.resampling == "average")
    }
}

private extension String {
    func replacingCharactersInRange(_ range: Range<String.Index>, with replacement: String) -> String {
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}

struct UnitVocabularyTests {
    @Test func declaredUnitsSetTheScaleWhenItIsLeftOut() throws {
        let config = try parse(yaml(replacing: "  clay: { path: clay.tif, scale: 0.1 }", with: "  clay: { path: clay.tif, units: g/kg }")
            .replacingOccurrences(of: "  tmean: { path: tmean.tif }", with: "  tmean: { path: tmean.tif, units: K }"))
        #expect(config.layers[.clay]?.scale == 0.1 && config.layers[.clay]?.offset == 0)
        #expect(config.layers[.tmean]?.scale == 1 && config.layers[.tmean]?.offset == -273.15)
        let quantiles = try parse(yaml(replacing: "  soc: { path: soc.tif }",
                                       with: "  soc: { path: soc.tif }\n  soc_q05: { path: q05.tif, units: kg/m2 }"))
        #expect(quantiles.layers[.socQ05]?.scale == 10 && quantiles.layers[.socQ05]?.role.isModelInput == false)
    }

    @Test func unitsThatDisagreeWithTheScaleAreRefused() throws {
        let error = try #require(configError(yaml(replacing: "  clay: { path: clay.tif, scale: 0.1 }",
                                                  with: "  clay: { path: clay.tif, units: g/kg, scale: 1 }")))
        #expect(error.key == "layers.clay.units")
        #expect(error.description.contains("g/kg means scale 0.1 and offset 0.0 to %, but scale 1.0 and offset 0.0 are given"))
    }

    @Test func annualAndUnknownUnitsAreRefusedSayingWhatIsNeeded() throws {
        let annual = try #require(configError(yaml(replacing: "  precip: { path: precip.tif }",
                                                   with: "  precip: { path: precip.tif, units: mm/yr }")))
        #expect(annual.description.contains("mm/yr is an annual unit, but precip is a monthly climatology of 12 bands"))
        let unknown = try #require(configError(yaml(replacing: "  soc: { path: soc.tif }",
                                                    with: "  soc: { path: soc.tif, units: furlongs }")))
        #expect(unknown.description.contains("'furlongs' is not a unit the model knows for soc (one of"))
    }
}
