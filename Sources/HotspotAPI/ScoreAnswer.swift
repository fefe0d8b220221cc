import Foundation
import GeoKit
import HotspotConfig
import HotspotModel
import Pipeline

/// The answer for one point: where it falls, the two scores with their physical values and units, the class, the
/// inputs the model saw there, and why the rate is what it is. Nil fields are left out of the JSON.
public struct ScoreAnswer: Codable, Sendable, Equatable {
    public struct Pixel: Codable, Sendable, Equatable {
        public var column: Int
        public var row: Int
        public var centre: [Double]
    }
    public struct Quantity: Codable, Sendable, Equatable {
        public var value: Double?
        public var units: String
    }
    public struct Sequestration: Codable, Sendable, Equatable {
        public var rate: Quantity
        public var score: Double?
        public var hotspot: Bool
    }
    public struct Loss: Codable, Sendable, Equatable {
        public var expected: Quantity
        public var score: Double?
        public var hotspot: Bool
    }
    public struct ClassValue: Codable, Sendable, Equatable {
        public var code: Int?
        public var label: String
    }
    public struct LandCover: Codable, Sendable, Equatable {
        public var code: Int?
        public var group: String?
        public var groupLabel: String
        public var label: String?
    }
    public struct Inputs: Codable, Sendable, Equatable {
        public var soc: Quantity?
        public var clay: Quantity?
        public var silt: Quantity?
        public var bulkDensity: Quantity?
        public var tmean: Quantity?
        public var precip: Quantity?
        public var landcover: LandCover?
    }
    public struct Explanation: Codable, Sendable, Equatable {
        public var limitingTerm: String
        public var text: String
        public var saturationStockTHa: Double
        public var saturationDeficitTHa: Double
        public var deficitRateTHaYr: Double
        public var productivityRateTHaYr: Double
        public var nppGM2Yr: Double
        public var landUseFactor: Double
        public var warmingResponse: Double
        public var vulnerability: Double
        public var lossFraction: Double

        enum CodingKeys: String, CodingKey {
            case limitingTerm, text, saturationStockTHa, saturationDeficitTHa, deficitRateTHaYr, productivityRateTHaYr
            case nppGM2Yr = "npp_g_m2_yr"
            case landUseFactor, warmingResponse, vulnerability, lossFraction
        }
    }

    public var lon: Double
    public var lat: Double
    public var inside: Bool
    public var runId: String
    public var valueRule: String
    public var pixel: Pixel?
    public var sequestration: Sequestration?
    public var loss: Loss?
    public var `class`: ClassValue?
    public var inputs: Inputs?
    public var explanation: Explanation?
}

extension PublishedRun {
    /// The answer at (`lon`, `lat`) in WGS84 degrees: the values of the grid pixel that contains the point.
    public func score(lon: Double, lat: Double, language: Language) throws -> ScoreAnswer {
        var answer = ScoreAnswer(lon: lon, lat: lat, inside: false, runId: runID, valueRule: language.valueRule)
        let threshold = configuration.model.hotspotPercentile
        try pixels.with { handles in
            let (x, y) = try handles.toGrid?.transform(x: lon, y: lat) ?? (lon, lat)
            guard let cell = grid.pixel(containingX: x, y: y) else { return }
            answer.inside = true
            let centre = grid.centre(column: cell.column, row: cell.row)
            answer.pixel = .init(column: cell.column, row: cell.row, centre: [centre.x, centre.y])
            let window = Window(column: cell.column, row: cell.row, width: 1, height: 1)
            func output(_ layer: OutputLayer) throws -> Double? {
                let value = try handles.outputs[layer]!.value(column: cell.column, row: cell.row)
                return value == layer.noData || value.isNaN ? nil : shortest(value)
            }
            let seqScore = try output(.sequestrationScore), lossScore = try output(.lossScore)
            answer.sequestration = .init(rate: .init(value: try output(.sequestrationRate), units: OutputLayer.sequestrationRate.units),
                                         score: seqScore, hotspot: (seqScore ?? -1) >= threshold)
            answer.loss = .init(expected: .init(value: try output(.lossExpected), units: OutputLayer.lossExpected.units),
                                score: lossScore, hotspot: (lossScore ?? -1) >= threshold)
            let code = try output(.hotspotClass).map { UInt8($0) }
            answer.class = .init(code: code.map(Int.init), label: language.classLabel(code))
            answer.inputs = try inputs(handles, window: window, language: language)
        }
        guard answer.inside else { return answer }
        answer.explanation = explanation(answer.inputs, language: language)
        return answer
    }

    private func inputs(_ handles: PixelHandles, window: Window, language: Language) throws -> ScoreAnswer.Inputs {
        var inputs = ScoreAnswer.Inputs()
        for (role, reader) in handles.inputs {
            if role == .landcover {
                let code = try reader.readCodes(window)[0]
                let legend = sources[role]?.spec.classes
                let entry = code.flatMap { legend?.entry(forCode: Int($0)) }
                inputs.landcover = .init(code: code.map(Int.init), group: entry?.group.name,
                                         groupLabel: language.groupLabel(entry?.group), label: entry?.label)
                continue
            }
            var stored: Float = .nan
            try withUnsafeMutablePointer(to: &stored) { pointer in
                try reader.read(window, into: UnsafeMutableBufferPointer(start: pointer, count: 1))
            }
            let quantity = ScoreAnswer.Quantity(value: stored.isNaN ? nil : shortest(reader.units.apply(stored)), units: role.modelUnits)
            switch role {
            case .soc: inputs.soc = quantity
            case .clay: inputs.clay = quantity
            case .silt: inputs.silt = quantity
            case .bulkDensity: inputs.bulkDensity = quantity
            case .tmean: inputs.tmean = quantity
            case .precip: inputs.precip = quantity
            case .landcover: break
            }
        }
        return inputs
    }

    /// The model's terms from the inputs read at the pixel: the same arithmetic as the pipeline's scorer.
    private func explanation(_ inputs: ScoreAnswer.Inputs?, language: Language) -> ScoreAnswer.Explanation? {
        guard let inputs, let soc = inputs.soc?.value, let clay = inputs.clay?.value, let tmean = inputs.tmean?.value,
              let precip = inputs.precip?.value, let code = inputs.landcover?.code,
              let group = sources[.landcover]?.spec.classes?.group(forCode: code), group.isLand,
              let e = PointExplanation(parameters: configuration.model, soc: soc, clay: clay, silt: inputs.silt?.value,
                                       bulkDensity: inputs.bulkDensity?.value, tmean: tmean, precip: precip, group: group)
        else { return nil }
        return .init(
            limitingTerm: e.rateLimit.rawValue,
            text: language.explanation(limit: e.rateLimit, factor: shortest(Double(e.landUseFactor)), warming: shortest(Double(e.warmingResponse)),
                                       lossFraction: shortest(Double(e.lossFraction))),
            saturationStockTHa: shortest(Double(e.saturationStockTonnesPerHectare)), saturationDeficitTHa: shortest(Double(e.deficitTonnesPerHectare)),
            deficitRateTHaYr: shortest(Double(e.deficitRateTonnesPerHectareYear)),
            productivityRateTHaYr: shortest(Double(e.productivityRateTonnesPerHectareYear)), nppGM2Yr: shortest(Double(e.nppGramsPerSquareMetreYear)),
            landUseFactor: shortest(Double(e.landUseFactor)), warmingResponse: shortest(Double(e.warmingResponse)),
            vulnerability: shortest(Double(e.vulnerability)), lossFraction: shortest(Double(e.lossFraction)))
    }
}

/// A value held as Float (rasters, model terms) written with the digits a Float has: 45.09467, not
/// 45.094669342041016. The value is the same Float; only the noise of widening it to Double goes.
func shortest(_ value: Double) -> Double { Double(Float(value).description) ?? value }

