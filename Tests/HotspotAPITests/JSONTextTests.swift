import Foundation
@testable import HotspotAPI
@testable import RunReader
import Pipeline
import TestSupport
import Testing

/// The hand-written JSON of point answers must be exactly what `JSONEncoder.api` writes: same bytes, so the same
/// ETags, whichever writer made them.
@Suite struct JSONTextTests {
    @Test(arguments: Language.allCases)
    func pointAnswersAreWrittenAsJSONEncoderWritesThem(_ language: Language) throws {
        let run = try RunReader(directory: DemoFixture.run.directory)
        // Land points, the open sea, water and nodata pixels, the grid's edges and points off the grid.
        var points = try samplePoints(count: 40, seed: 9).map { ($0.lon, $0.lat) }
        points += [(-150, 0), (0, 0), (-179.99, 83.99), (179.99, -59.99), (10, 89), (-30, -75), (31.2, 30.0)]
        var answers: [ScoreAnswer] = []
        for (lon, lat) in points {
            let answer = try run.score(lon: lon, lat: lat, language: language)
            answers.append(answer)
            let expected = String(decoding: try JSONEncoder.api.encode(answer), as: UTF8.self)
            #expect(String(decoding: answer.json, as: UTF8.self) == expected)
        }
        #expect(answers.contains { $0.explanation != nil } && answers.contains { !$0.inside })
        let batch = BatchAnswer(runId: run.runID, points: answers)
        #expect(batch.json == (try JSONEncoder.api.encode(batch)))
    }

    @Test func stringsAndNumbersAreEscapedAndFormattedAsJSONEncoderDoes() throws {
        var answer = ScoreAnswer(lon: 1e-7, lat: -0.0, inside: false, runId: "r\"\\/\n\t\r\u{8}\u{c}\u{1}\u{1f}\u{7f}é€",
                                 valueRule: "x")
        answer.pixel = .init(column: 0, row: -1, centre: [1e20, 5e15, 0.1, 100, -2.5e-3, .infinity, .nan])
        let expected = String(decoding: try JSONEncoder.api.encode(answer), as: UTF8.self)
        #expect(String(decoding: answer.json, as: UTF8.self) == expected)
    }
}
