import Foundation
import HotspotModel
import Testing

struct HotspotClassTests {
    @Test(arguments: [
        (Float(90), Float(89.99), UInt8(1)),
        (10, 95, 2),
        (90, 90, 3),
        (100, 100, 3),
        (89.99, 0, 0),
        (0, 0, 0),
        (89.999_99, 90.000_01, 2),
    ])
    func aScoreAtOrAboveTheThresholdIsAHotspot(_ sequestration: Float, _ loss: Float, _ code: UInt8) {
        #expect(HotspotClass.code(sequestrationScore: sequestration, lossScore: loss, threshold: 90) == code)
    }

    @Test func theThresholdIsTheConfiguredPercentile() {
        #expect(HotspotClass.code(sequestrationScore: 92, lossScore: 96, threshold: 95) == 2)
        #expect(HotspotClass.code(sequestrationScore: 75, lossScore: 74.9, threshold: 75) == 1)
    }

    @Test(arguments: [(Float.nan, Float(99)), (99, .nan), (.nan, .nan), (.infinity, 50)])
    func aMissingScoreIsNodata(_ sequestration: Float, _ loss: Float) {
        #expect(HotspotClass.code(sequestrationScore: sequestration, lossScore: loss, threshold: 90) == 255)
        #expect(HotspotClass.noData == 255)
    }

    @Test func codesAreTheDesignedOnes() {
        #expect(HotspotClass.allCases.map(\.rawValue) == [0, 1, 2, 3])
        #expect(HotspotClass.both.rawValue == HotspotClass.sequestration.rawValue | HotspotClass.loss.rawValue)
        #expect(Set(HotspotClass.allCases.map(\.label)).count == 4)
    }
}

struct LandCoverClassesTests {
    let legend = LandCoverClasses(name: "test", classes: [
        LandCoverClass(code: 10, group: .cropland, label: "Cropland, rainfed"),
        LandCoverClass(code: 50, group: .forest, label: "Tree cover"),
        LandCoverClass(code: 160, group: .wetland, label: "Flooded tree cover"),
        LandCoverClass(code: 210, group: .water, label: "Water bodies"),
        LandCoverClass(code: 220, group: .snowIce, label: "Snow and ice"),
    ])

    @Test func codesInTheLegendMapToTheirGroups() {
        #expect(legend.group(forCode: 10) == .cropland)
        #expect(legend.group(forCode: 50) == .forest)
        #expect(legend.group(forCode: 160) == .wetland)
        #expect(legend.group(forCode: 210) == .water)
        #expect(legend.group(forCode: 220) == .snowIce)
        #expect(legend.entry(forCode: 50)?.label == "Tree cover")
        // The dense table the block loop reads holds the groups' raw values.
        #expect(legend.groupByCode[10] == LandCoverGroup.cropland.rawValue)
        #expect(legend.groupByCode[220] == LandCoverGroup.snowIce.rawValue)
        #expect(legend.groupByCode.count == 221)
    }

    @Test(arguments: [0, 11, 49, 209, 221, 255, 70_000, -1])
    func anUnknownCodeHasNoGroup(_ code: Int) {
        #expect(legend.group(forCode: code) == nil)
        #expect(legend.entry(forCode: code) == nil)
        if code >= 0 && code < legend.groupByCode.count {
            #expect(legend.groupByCode[code] == LandCoverGroup.noDataCode)
        }
        #expect(LandCoverGroup.noDataCode == 255)
    }

    @Test func groupsAreNamedAsInTheConfiguration() {
        let names = LandCoverGroup.allCases.map(\.name)
        #expect(names == ["cropland", "grassland", "forest", "shrubland", "wetland", "urban", "bare", "water", "snow_ice"])
        for group in LandCoverGroup.allCases { #expect(LandCoverGroup(name: group.name) == group) }
        #expect(LandCoverGroup(name: "orchard") == nil)
        #expect(!LandCoverGroup.water.isLand && LandCoverGroup.wetland.isLand)
    }

    @Test func defaultParametersAreThoseOfTheDesign() {
        let p = ModelParameters()
        #expect(p.horizonYears == 20 && p.depthCentimetres == 30 && p.warmingDegC == 2 && p.hotspotPercentile == 90)
        #expect(p.scenarios.low == 0.05 && p.scenarios.medium == 0.10 && p.scenarios.high == 0.20)
        #expect(p.managedGroups == [.cropland, .grassland] && p.bareGroups == [.bare] && !p.saturationCap)
        let ratios: [LandCoverGroup: Double] = [.cropland: 1.44, .grassland: 1.44, .shrubland: 0.67, .wetland: 0.67,
                                                .forest: 0.25]
        for (group, ratio) in ratios { #expect(p.dpmRpm[group] == ratio, "DPM/RPM \(group)") }
    }

    @Test func parametersRoundTripThroughJSONByName() throws {
        var p = ModelParameters()
        p.managedGroups = [.grassland, .cropland, .shrubland]
        p.dpmRpm[.forest] = 0.3
        let data = try JSONEncoder().encode(p)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"managed_groups\":[\"cropland\",\"grassland\",\"shrubland\"]"), "sorted names: \(text)")
        #expect(try JSONDecoder().decode(ModelParameters.self, from: data) == p)
    }
}
