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
    /// Twelve monthly values, January first.
    public struct MonthlyQuantity: Codable, Sendable, Equatable {
        public var values: [Double?]
        public var units: String
    }
    public struct Sequestration: Codable, Sendable, Equatable {
        /// The medium scenario's rate (the one scored); nodata outside the managed groups.
        public var rate: Quantity
        public var rateLow: Quantity
        public var rateHigh: Quantity
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
        public var socQ05: Quantity?
        public var socQ95: Quantity?
        public var clay: Quantity?
        public var silt: Quantity?
        public var bulkDensity: Quantity?
        public var cfvo: Quantity?
        public var tmean: MonthlyQuantity?
        public var precip: MonthlyQuantity?
        public var pet: MonthlyQuantity?
        public var landcover: LandCover?
    }
    public struct PoolValues: Codable, Sendable, Equatable {
        public var dpm: Double
        public var rpm: Double
        public var bio: Double
        public var hum: Double
    }
    /// The RothC story of the pixel, with the run's own parameters.
    public struct Explanation: Codable, Sendable, Equatable {
        public var model: String
        public var text: String
        public var managed: Bool
        public var dpmRpm: Double
        public var inertCarbonTHa: Double
        public var equilibriumInputTHaYr: Double
        public var poolsTHa: PoolValues
        public var meanTemperatureModifier: Double
        public var meanMoistureModifier: Double
        public var coverModifier: Double
        public var warmedTemperatureModifier: Double
        public var warmingDegC: Double
        public var horizonYears: Int
        public var lossTHa: Double
        public var warmedStockTHa: Double
    }

    public var lon: Double
    public var lat: Double
    public var inside: Bool
    public var runId: String
    public var valueRule: String
    /// What the scores rank against (`run`, or the reference run the run scored on).
    public var scoresReference: String? = nil
    public var pixel: Pixel?
    public var sequestration: Sequestration?
    public var loss: Loss?
    public var `class`: ClassValue?
    public var inputs: Inputs?
    public var explanation: Explanation?
}

extension RunReader {
    /// The answer at (`lon`, `lat`) in WGS84 degrees: the values of the grid pixel that contains the point. The
    /// threshold and the model's parameters are the run's own (`run.json`), whatever today's configuration says.
    public func score(lon: Double, lat: Double, language: Language) throws -> ScoreAnswer {
        var answer = ScoreAnswer(lon: lon, lat: lat, inside: false, runId: runID, valueRule: language.valueRule)
        answer.scoresReference = record.scoresReference
        let threshold = record.model.hotspotPercentile
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
            func quantity(_ layer: OutputLayer) throws -> ScoreAnswer.Quantity {
                .init(value: try output(layer), units: layer.units)
            }
            let seqScore = try output(.sequestrationScore), lossScore = try output(.lossScore)
            answer.sequestration = .init(rate: try quantity(.sequestrationRateMedium),
                                         rateLow: try quantity(.sequestrationRateLow),
                                         rateHigh: try quantity(.sequestrationRateHigh),
                                         score: seqScore, hotspot: (seqScore ?? -1) >= threshold)
            answer.loss = .init(expected: try quantity(.lossExpected), score: lossScore,
                                hotspot: (lossScore ?? -1) >= threshold)
            let code = try output(.hotspotClass).map { UInt8($0) }
            answer.class = .init(code: code.map(Int.init), label: language.classLabel(code))
            answer.inputs = try inputs(handles, window: window, language: language)
        }
        guard answer.inside else { return answer }
        // Without a PET layer the run estimated PET at each pixel centre's latitude (the point's own on projected
        // grids, a fraction of a pixel away).
        let latitude = gridIsLonLat ? answer.pixel.map { $0.centre[1] } ?? lat : lat
        answer.explanation = explanation(answer.inputs, latitude: latitude, language: language)
        return answer
    }

    private func inputs(_ handles: PixelHandles, window: Window, language: Language) throws -> ScoreAnswer.Inputs {
        var inputs = ScoreAnswer.Inputs()
        for (role, reader) in handles.inputs {
            if role == .landcover {
                let code = try reader.readCodes(window)[0]
                let entry = code.flatMap { record.landcoverClasses["\($0)"] }
                inputs.landcover = .init(code: code.map(Int.init), group: entry?.group.name,
                                         groupLabel: language.groupLabel(entry?.group), label: entry?.label)
                continue
            }
            var stored = [Float](repeating: .nan, count: role.bandCount)
            try stored.withUnsafeMutableBufferPointer { try reader.read(window, into: $0) }
            let values = stored.map { $0.isNaN ? nil : shortest(reader.units.apply($0)) }
            let quantity = ScoreAnswer.Quantity(value: values[0], units: role.modelUnits)
            let monthly = ScoreAnswer.MonthlyQuantity(values: values, units: role.modelUnits)
            switch role {
            case .soc: inputs.soc = quantity
            case .socQ05: inputs.socQ05 = quantity
            case .socQ95: inputs.socQ95 = quantity
            case .clay: inputs.clay = quantity
            case .silt: inputs.silt = quantity
            case .bulkDensity: inputs.bulkDensity = quantity
            case .coarseFragments: inputs.cfvo = quantity
            case .tmean: inputs.tmean = monthly
            case .precip: inputs.precip = monthly
            case .pet: inputs.pet = monthly
            case .landcover: break
            }
        }
        return inputs
    }

    /// RothC's terms from the inputs read at the pixel, with the run's parameters: the same arithmetic as the
    /// pipeline's scorer.
    private func explanation(_ inputs: ScoreAnswer.Inputs?, latitude: Double, language: Language)
        -> ScoreAnswer.Explanation? {
        func monthly(_ q: ScoreAnswer.MonthlyQuantity?) -> Monthly? {
            guard let q, q.values.count == 12 else { return nil }
            var m = Monthly()
            for (i, v) in q.values.enumerated() {
                guard let v else { return nil }
                m[i] = v
            }
            return m
        }
        let p = record.model
        guard let inputs, let soc = inputs.soc?.value, let clay = inputs.clay?.value,
              let tmean = monthly(inputs.tmean), let precip = monthly(inputs.precip),
              let name = inputs.landcover?.group, let group = LandCoverGroup(name: name) else { return nil }
        let pet: Monthly
        if inputs.pet == nil && sources[.pet] == nil {
            pet = Thornthwaite.pet(tmean: tmean, latitude: latitude)
        } else {
            guard let given = monthly(inputs.pet) else { return nil }
            pet = given
        }
        var site = Site(soc: soc, clay: clay, tmean: tmean, precip: precip, pet: pet, group: group)
        // The cap's inputs as the scorer reads them: the same defaults and the same refusals.
        site.saturationStock = p.saturationStock(clayPercent: clay, siltPercent: inputs.silt?.value,
                                                 bulkDensity: inputs.bulkDensity?.value,
                                                 coarseFragmentsPercent: inputs.cfvo?.value)
        guard let s = SiteScenarios(site, parameters: p) else { return nil }
        let managed = p.managedGroups.contains(group)
        func f(_ v: Double) -> Double { shortest(v) }
        return .init(
            model: HotspotRun.modelName,
            text: language.explanation(s, managed: managed, group: language.groupLabel(group), parameters: p),
            managed: managed, dpmRpm: f(p.dpmRpm[group]), inertCarbonTHa: f(s.inertCarbon),
            equilibriumInputTHaYr: f(s.equilibriumInput),
            poolsTHa: .init(dpm: f(s.pools[0]), rpm: f(s.pools[1]), bio: f(s.pools[2]), hum: f(s.pools[3])),
            meanTemperatureModifier: f(s.meanTemperatureModifier), meanMoistureModifier: f(s.meanMoistureModifier),
            coverModifier: f(s.coverModifier), warmedTemperatureModifier: f(s.warmedTemperatureModifier),
            warmingDegC: p.warmingDegC, horizonYears: p.horizonYears, lossTHa: f(s.loss),
            warmedStockTHa: f(s.warmedStock))
    }
}

/// A value held as Float (rasters, model terms) written with the digits a Float has: 45.09467, not
/// 45.094669342041016. The value is the same Float; only the noise of widening it to Double goes.
func shortest(_ value: Double) -> Double { Double(Float(value).description) ?? value }

