import Foundation

/// JSON written by hand for the hottest answers. A point score is asked thousands of times a second, and Foundation's
/// `JSONEncoder` (snake_case keys, sorted) took a third of the server's CPU for it. Callers write members in sorted key
/// order; the text equals `JSONEncoder.api`'s byte for byte (the tests compare them), so ETags do not change.
struct JSONText {
    private(set) var bytes: [UInt8] = []
    /// Whether the next member or element is the first of its object or array (no comma before it).
    private var first = true

    init(capacity: Int = 2048) { bytes.reserveCapacity(capacity) }

    var data: Data { Data(bytes) }

    mutating func object(_ fill: (inout JSONText) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        first = true
        fill(&self)
        bytes.append(UInt8(ascii: "}"))
        first = false
    }

    mutating func array<S: Sequence>(_ elements: S, _ write: (inout JSONText, S.Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        first = true
        for element in elements {
            separate()
            write(&self, element)
            first = false
        }
        bytes.append(UInt8(ascii: "]"))
        first = false
    }

    /// A member `"key": value`; `key` must already be in its wire form (snake_case).
    mutating func member(_ key: String, _ value: (inout JSONText) -> Void) {
        separate()
        string(key)
        bytes.append(UInt8(ascii: ":"))
        value(&self)
        first = false
    }

    mutating func member(_ key: String, _ value: String) { member(key) { $0.string(value) } }
    mutating func member(_ key: String, _ value: Double) { member(key) { $0.number(value) } }
    mutating func member(_ key: String, _ value: Int) { member(key) { $0.bytes.append(contentsOf: String(value).utf8) } }
    mutating func member(_ key: String, _ value: Bool) { member(key) { $0.bytes.append(contentsOf: (value ? "true" : "false").utf8) } }
    /// Nil members are left out, as `JSONEncoder` leaves them.
    mutating func member(_ key: String, _ value: String?) { if let value { member(key, value) } }
    mutating func member(_ key: String, _ value: Double?) { if let value { member(key, value) } }
    mutating func member(_ key: String, _ value: Int?) { if let value { member(key, value) } }

    mutating func null() { bytes.append(contentsOf: "null".utf8) }

    private mutating func separate() {
        if !first { bytes.append(UInt8(ascii: ",")) }
    }

    /// As `JSONEncoder` writes a Double: its shortest round-trip digits, without a trailing ".0"; non-finite values
    /// as the strings `JSONEncoder.api` uses.
    mutating func number(_ value: Double) {
        guard value.isFinite else {
            string(value.isNaN ? "nan" : value < 0 ? "-inf" : "inf")
            return
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// A string with JSON's escapes (slashes and non-ASCII characters as they are, as `JSONEncoder.api` writes them).
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
            case 0x0A: bytes.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [92, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [92, UInt8(ascii: "f")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension ScoreAnswer {
    /// This answer as `JSONEncoder.api` would write it, several times faster. Keys in sorted order.
    func write(to json: inout JSONText) {
        json.object { json in
            if let code = self.class {
                json.member("class") { json in
                    json.object { json in
                        json.member("code", code.code)
                        json.member("label", code.label)
                    }
                }
            }
            if let e = explanation {
                json.member("explanation") { json in
                    json.object { json in
                        json.member("cover_modifier", e.coverModifier)
                        json.member("dpm_rpm", e.dpmRpm)
                        json.member("equilibrium_input_t_ha_yr", e.equilibriumInputTHaYr)
                        json.member("horizon_years", e.horizonYears)
                        json.member("inert_carbon_t_ha", e.inertCarbonTHa)
                        json.member("loss_t_ha", e.lossTHa)
                        json.member("managed", e.managed)
                        json.member("mean_moisture_modifier", e.meanMoistureModifier)
                        json.member("mean_temperature_modifier", e.meanTemperatureModifier)
                        json.member("model", e.model)
                        json.member("pools_t_ha") { json in
                            json.object { json in
                                json.member("bio", e.poolsTHa.bio)
                                json.member("dpm", e.poolsTHa.dpm)
                                json.member("hum", e.poolsTHa.hum)
                                json.member("rpm", e.poolsTHa.rpm)
                            }
                        }
                        json.member("text", e.text)
                        json.member("warmed_stock_t_ha", e.warmedStockTHa)
                        json.member("warmed_temperature_modifier", e.warmedTemperatureModifier)
                        json.member("warming_deg_c", e.warmingDegC)
                    }
                }
            }
            if let inputs {
                json.member("inputs") { json in
                    json.object { json in
                        Self.write("bulk_density", inputs.bulkDensity, to: &json)
                        Self.write("cfvo", inputs.cfvo, to: &json)
                        Self.write("clay", inputs.clay, to: &json)
                        if let cover = inputs.landcover {
                            json.member("landcover") { json in
                                json.object { json in
                                    json.member("code", cover.code)
                                    json.member("group", cover.group)
                                    json.member("group_label", cover.groupLabel)
                                    json.member("label", cover.label)
                                }
                            }
                        }
                        Self.write("pet", inputs.pet, to: &json)
                        Self.write("precip", inputs.precip, to: &json)
                        Self.write("silt", inputs.silt, to: &json)
                        Self.write("soc", inputs.soc, to: &json)
                        Self.write("soc_q05", inputs.socQ05, to: &json)
                        Self.write("soc_q95", inputs.socQ95, to: &json)
                        Self.write("tmean", inputs.tmean, to: &json)
                    }
                }
            }
            json.member("inside", inside)
            json.member("lat", lat)
            json.member("lon", lon)
            if let loss {
                json.member("loss") { json in
                    json.object { json in
                        Self.write("expected", loss.expected, to: &json)
                        json.member("hotspot", loss.hotspot)
                        json.member("score", loss.score)
                    }
                }
            }
            if let pixel {
                json.member("pixel") { json in
                    json.object { json in
                        json.member("centre") { json in json.array(pixel.centre) { $0.number($1) } }
                        json.member("column", pixel.column)
                        json.member("row", pixel.row)
                    }
                }
            }
            json.member("run_id", runId)
            json.member("scores_reference", scoresReference)
            if let sequestration {
                json.member("sequestration") { json in
                    json.object { json in
                        json.member("hotspot", sequestration.hotspot)
                        Self.write("rate", sequestration.rate, to: &json)
                        Self.write("rate_high", sequestration.rateHigh, to: &json)
                        Self.write("rate_low", sequestration.rateLow, to: &json)
                        json.member("score", sequestration.score)
                    }
                }
            }
            json.member("value_rule", valueRule)
        }
    }

    private static func write(_ key: String, _ quantity: Quantity?, to json: inout JSONText) {
        guard let quantity else { return }
        json.member(key) { json in
            json.object { json in
                json.member("units", quantity.units)
                json.member("value", quantity.value)
            }
        }
    }

    /// Monthly values: nil months are written as JSON's null, as `JSONEncoder` writes an optional in an array.
    private static func write(_ key: String, _ quantity: MonthlyQuantity?, to json: inout JSONText) {
        guard let quantity else { return }
        json.member(key) { json in
            json.object { json in
                json.member("units", quantity.units)
                json.member("values") { json in
                    json.array(quantity.values) { json, value in
                        if let value { json.number(value) } else { json.null() }
                    }
                }
            }
        }
    }

    /// The answer's JSON text.
    public var json: Data {
        var text = JSONText()
        write(to: &text)
        return text.data
    }
}

/// Answers for many points (`POST /v1/score`).
public struct BatchAnswer: Encodable {
    public var runId: String
    public var points: [ScoreAnswer]

    public init(runId: String, points: [ScoreAnswer]) {
        self.runId = runId
        self.points = points
    }

    /// As `JSONEncoder.api` writes it (keys sorted), through the fast writer of the point answers.
    public var json: Data {
        var text = JSONText(capacity: 1500 * points.count + 64)
        text.object { text in
            text.member("points") { text in text.array(points) { $1.write(to: &$0) } }
            text.member("run_id", runId)
        }
        return text.data
    }
}

extension JSONEncoder {
    /// API answers: snake_case keys, stable key order (so ETags are stable), no escaped slashes.
    public static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                     nan: "nan")
        return encoder
    }
}
