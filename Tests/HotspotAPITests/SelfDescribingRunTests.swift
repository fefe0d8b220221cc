import Foundation
@testable import HotspotAPI
@testable import RunReader
import HotspotConfig
import Pipeline
import TestSupport
import Testing

/// A published run answers from its own record: a server restarted over the same run with an edited configuration
/// (model constants, the land-cover legend, input paths) gives the same answers, byte for byte, equal to the rasters.
/// The reader takes no configuration at all; this shows the server does not bring one back in.
@Suite(.serialized) struct SelfDescribingRunTests {
    @Test func answersComeFromTheRunNotFromTodaysConfiguration() async throws {
        let output = (DemoFixture.run.directory as NSString).deletingLastPathComponent
        let folder = TemporaryFolder()
        let before = try TestServer.configuration(output: output)
        let text = try DemoFixture.configText(output: output)
        for edit in ["warming_degC: 2.0", "hotspot_percentile: 90", "dpm_rpm: { cropland: 1.44", "classes: esa_cci",
                     DemoFixture.path("tmean.tif"), DemoFixture.path("pet.tif")] {
            #expect(text.contains(edit), "the edit of '\(edit)' must change the configuration")
        }
        let edited = try TestServer.configuration(output: output) {
            $0.replacingOccurrences(of: "warming_degC: 2.0", with: "warming_degC: 4.5")
                .replacingOccurrences(of: "hotspot_percentile: 90", with: "hotspot_percentile: 50")
                .replacingOccurrences(of: "dpm_rpm: { cropland: 1.44", with: "dpm_rpm: { cropland: 3.0")
                .replacingOccurrences(of: "classes: esa_cci", with: "classes: corine")
                .replacingOccurrences(of: DemoFixture.path("tmean.tif"), with: folder.file("moved/tmean.tif"))
                .replacingOccurrences(of: DemoFixture.path("pet.tif"), with: DemoFixture.path("precip.tif"))
        }
        #expect(edited.model.warmingDegC == 4.5 && edited.layers[.landcover]?.classes?.name != "ESA CCI Land Cover")
        let points = try samplePoints(count: 30, seed: 5)
        let paths = points.flatMap { point in
            ["en", "fr"].map { "/v1/score?lon=\(point.lon)&lat=\(point.lat)&lang=\($0)" }
        } + ["/v1/regions/africa/stats", "/v1/layers"]
        func answers(_ configuration: HotspotConfiguration) async throws -> [Data] {
            let server = try await TestServer(configuration: configuration)
            var bodies: [Data] = []
            for path in paths {
                let answer = try await server.get(path)
                #expect(answer.status == 200, "\(path): \(answer.text)")
                // Links name the server's own (random) port: the rest must be the same bytes.
                bodies.append(Data(answer.text.replacingOccurrences(of: server.base, with: "http://host").utf8))
            }
            return bodies
        }
        let first = try await answers(before), second = try await answers(edited)
        var explained = 0, hotspots = 0
        for (index, path) in paths.enumerated() {
            #expect(first[index] == second[index], "\(path) changed with the configuration")
            guard path.hasPrefix("/v1/score"), path.hasSuffix("lang=en") else { continue }
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let answer = try decoder.decode(ScoreAnswer.self, from: first[index])
            if answer.explanation != nil { explained += 1 }
            if answer.sequestration?.hotspot == true || answer.loss?.hotspot == true { hotspots += 1 }
            // And equal to the rasters: the loss GDAL reads there, and the explanation of the run's 2 degC.
            if let loss = answer.loss?.expected.value {
                let gdal = try #require(try gdalLocationValue(DemoFixture.run.directory + "/loss_expected.tif",
                                                              lon: answer.lon, lat: answer.lat))
                #expect(abs(loss - gdal) <= 1e-6 * max(1, gdal))
                #expect(abs((answer.explanation?.lossTHa ?? -1) - gdal) <= 1e-4 * max(gdal, 1e-3),
                        "the explanation is the run's model, warmed by the run's 2 degC")
                #expect(answer.explanation?.warmingDegC == 2)
            }
        }
        #expect(explained > 20, "the answers explain land pixels")
        #expect(hotspots < explained, "the threshold is the run's 90, not the edited 50")
    }

    /// A run made without a PET layer explains its pixels with the same Thornthwaite PET the pipeline used.
    @Test func aRunWithoutPETExplainsItsPixelsWithThornthwaite() throws {
        let folder = TemporaryFolder()
        let config = try DemoFixture.config(output: folder.file("derived")) {
            $0.components(separatedBy: "\n").filter { !$0.hasPrefix("  pet:") }.joined(separator: "\n")
        }
        let run = try HotspotRun.execute(config)
        let published = try RunReader(directory: run.directory)
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
