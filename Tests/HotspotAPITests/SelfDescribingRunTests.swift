import Foundation
@testable import HotspotAPI
import HotspotConfig
import Pipeline
import TestSupport
import Testing

/// A published run answers from its own record: editing the configuration afterwards (model constants, the
/// land-cover legend, input paths) and opening the run again, as a restarted server does, changes no answer.
@Suite struct SelfDescribingRunTests {
    @Test func answersComeFromTheRunNotFromTodaysConfiguration() throws {
        let folder = DemoFixture.runFolder
        let before = try TestServer.configuration(output: folder.file("derived"))
        let edited = try HotspotConfiguration.parse(try DemoFixture.configText(output: folder.file("derived"))
            .replacingOccurrences(of: "warming_degC: 2.0", with: "warming_degC: 4.5")
            .replacingOccurrences(of: "hotspot_percentile: 90", with: "hotspot_percentile: 50")
            .replacingOccurrences(of: "dpm_rpm: { cropland: 1.44", with: "dpm_rpm: { cropland: 3.0")
            .replacingOccurrences(of: "classes: esa_cci", with: "classes: corine")
            .replacingOccurrences(of: DemoFixture.path("tmean.tif"), with: folder.file("moved/tmean.tif"))
            .replacingOccurrences(of: DemoFixture.path("pet.tif"), with: DemoFixture.path("precip.tif")),
            file: repositoryRoot + "/Config/test.yaml")
        #expect(edited.model.warmingDegC == 4.5 && edited.layers[.landcover]?.classes?.name != "ESA CCI Land Cover")
        let original = try PublishedRun(directory: DemoFixture.run.directory, configuration: before)
        let reopened = try PublishedRun(directory: DemoFixture.run.directory, configuration: edited)
        var explained = 0, hotspots = 0
        for language in Language.allCases {
            for (lon, lat) in try samplePoints(count: 30, seed: 5) {
                let a = try original.score(lon: lon, lat: lat, language: language)
                let b = try reopened.score(lon: lon, lat: lat, language: language)
                #expect(a == b, "\(lon), \(lat) in \(language)")
                #expect(a.json == b.json)
                if a.explanation != nil { explained += 1 }
                if a.sequestration?.hotspot == true || a.loss?.hotspot == true { hotspots += 1 }
                // And equal to the rasters: the loss GDAL reads there.
                if let loss = a.loss?.expected.value {
                    let gdal = try #require(try gdalLocationValue(DemoFixture.run.directory + "/loss_expected.tif",
                                                                  lon: lon, lat: lat))
                    #expect(abs(loss - gdal) <= 1e-6 * max(1, gdal))
                    #expect(abs((a.explanation?.lossTHa ?? -1) - gdal) <= 1e-4 * max(gdal, 1e-3),
                            "the explanation is the run's model, warmed by the run's 2 degC")
                }
            }
        }
        #expect(explained > 30, "the answers explain land pixels")
        #expect(hotspots < explained, "the threshold is the run's 90, not the edited 50")
    }

    /// A run made without a PET layer explains its pixels with the same Thornthwaite PET the pipeline used.
    @Test func aRunWithoutPETExplainsItsPixelsWithThornthwaite() throws {
        let folder = TemporaryFolder()
        let config = try DemoFixture.config(output: folder.file("derived")) {
            $0.components(separatedBy: "\n").filter { !$0.hasPrefix("  pet:") }.joined(separator: "\n")
        }
        let run = try HotspotRun.execute(config)
        let published = try PublishedRun(directory: run.directory, configuration: config)
        var explained = 0
        for (lon, lat) in try samplePoints(count: 25, seed: 3) {
            let answer = try published.score(lon: lon, lat: lat, language: .en)
            guard let loss = answer.loss?.expected.value else { continue }
            #expect(answer.inputs?.pet == nil, "no PET layer to show")
            let e = try #require(answer.explanation, "\(lon), \(lat) has a loss, so an explanation")
            #expect(abs(e.lossTHa - loss) <= 1e-4 * max(loss, 1e-3), "\(lon), \(lat): \(e.lossTHa) vs \(loss)")
            explained += 1
        }
        #expect(explained > 10)
    }
}
