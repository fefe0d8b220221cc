import CSVFormat
import Foundation
import Partners
import RunReader

/// `POST /v1/score`: the points of a body (`{"points": [[lon, lat], ...]}`, a GeoJSON FeatureCollection of points, or
/// CSV with `lon` and `lat` columns), and the answers as JSON, GeoJSON or CSV.
enum BatchScore {
    enum Format: Equatable {
        case json, geojson, csv
    }

    /// The answer format from `Accept` (JSON unless GeoJSON or CSV is asked for).
    static func format(accept: String?) -> Format {
        guard let accept = accept?.lowercased() else { return .json }
        if accept.contains("text/csv") { return .csv }
        if accept.contains("application/geo+json") { return .geojson }
        return .json
    }

    static func points(body: Data, contentType: String?, limit: Int) throws -> [(lon: Double, lat: Double)] {
        guard let contentType else {
            throw Problem(.unsupportedMediaType, "say what the body is: Content-Type application/json, application/geo+json or text/csv")
        }
        let type = contentType.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        let points: [(Double, Double)]
        switch type {
        case "text/csv": points = try csvPoints(body, limit: limit)
        case "application/json", "application/geo+json": points = try jsonPoints(body, limit: limit)
        default:
            throw Problem(.unsupportedMediaType, "send application/json, application/geo+json or text/csv (got \(type))")
        }
        guard !points.isEmpty else { throw Problem(.badRequest, "the body has no points", parameter: "points") }
        return points
    }

    private static func tooMany(_ count: Int, _ limit: Int) -> Problem {
        Problem(.contentTooLarge, "\(count) points is more than the \(limit) a request may ask for: split the batch")
    }

    private static func checked(_ lon: Any?, _ lat: Any?, at index: Int) throws -> (Double, Double) {
        guard let x = jsonNumber(lon), let y = jsonNumber(lat) else {
            throw Problem.badParameter("points[\(index)]", "point \(index) must be [lon, lat] with two numbers")
        }
        return (try checkedNumber("\(x)", "points[\(index)].lon", in: -180...180),
                try checkedNumber("\(y)", "points[\(index)].lat", in: -90...90))
    }

    private static func jsonPoints(_ body: Data, limit: Int) throws -> [(Double, Double)] {
        guard let root = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw Problem(.badRequest, "the body is not a JSON object: send {\"points\": [[lon, lat], ...]} or a GeoJSON "
                          + "FeatureCollection of points")
        }
        if let list = root["points"] {
            guard let points = list as? [Any] else { throw Problem.badParameter("points", "points must be a list of [lon, lat]") }
            if points.count > limit { throw tooMany(points.count, limit) }
            var out: [(Double, Double)] = []
            for (i, point) in points.enumerated() {
                guard let pair = point as? [Any], pair.count == 2 else {
                    throw Problem.badParameter("points[\(i)]", "point \(i) must be [lon, lat]")
                }
                out.append(try checked(pair[0], pair[1], at: i))
            }
            return out
        }
        guard root["type"] as? String == "FeatureCollection", let features = root["features"] as? [Any] else {
            throw Problem(.badRequest, "the body must have \"points\" or be a GeoJSON FeatureCollection")
        }
        if features.count > limit { throw tooMany(features.count, limit) }
        var out: [(Double, Double)] = []
        for (i, feature) in features.enumerated() {
            // RFC 7946: a Feature's properties are an object or null.
            if let properties = (feature as? [String: Any])?["properties"], !(properties is NSNull || properties is [String: Any]) {
                throw Problem.badParameter("features[\(i)].properties", "feature \(i)'s properties must be an object or null")
            }
            guard let geometry = (feature as? [String: Any])?["geometry"] as? [String: Any],
                  geometry["type"] as? String == "Point", let xy = geometry["coordinates"] as? [Any], xy.count >= 2 else {
                throw Problem.badParameter("features[\(i)]", "feature \(i) must have a Point geometry")
            }
            out.append(try checked(xy[0], xy[1], at: i))
        }
        return out
    }

    private static func csvPoints(_ body: Data, limit: Int) throws -> [(Double, Double)] {
        guard let text = String(data: body, encoding: .utf8) else { throw Problem(.badRequest, "the CSV is not UTF-8") }
        // RFC 4180: a quoted cell may hold commas ("Madrid, Spain").
        let rows = CSV.parse(text).filter { !$0.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        guard let header = rows.first else { throw Problem(.badRequest, "the CSV is empty") }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let lonColumn = names.firstIndex(where: { ["lon", "longitude", "x"].contains($0) }),
              let latColumn = names.firstIndex(where: { ["lat", "latitude", "y"].contains($0) }) else {
            throw Problem(.badRequest, "the CSV header must name a lon and a lat column (got \(header.joined(separator: ",").prefix(80)))")
        }
        if rows.count - 1 > limit { throw tooMany(rows.count - 1, limit) }
        var out: [(Double, Double)] = []
        for (i, row) in rows.dropFirst().enumerated() {
            let cells = row.map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > max(lonColumn, latColumn) else {
                throw Problem.badParameter("row \(i + 2)", "CSV row \(i + 2) has \(cells.count) cells, fewer than the header")
            }
            out.append((try checkedNumber(cells[lonColumn], "row \(i + 2) lon", in: -180...180),
                        try checkedNumber(cells[latColumn], "row \(i + 2) lat", in: -90...90)))
        }
        return out
    }

    static let csvHeader = "lon,lat,inside,sequestration_rate_low,sequestration_rate_medium,sequestration_rate_high,"
        + "sequestration_score,loss_expected,loss_score,class_code,class_label,landcover_code,equilibrium_input_t_ha_yr"

    /// How a format frames the answers, so that they can be written a chunk at a time: what comes before the first,
    /// between two, and after the last. The bytes equal the whole document encoded at once (`BatchAnswer.json`; the
    /// GeoJSON with sorted keys as `JSONEncoder.api` writes it).
    struct Framing: Sendable {
        var head: Data
        var separator: Data
        var tail: Data
        var encode: @Sendable (ScoreAnswer) throws -> Data

        /// The bytes of `answers`, the `first` of them opening the document.
        func chunk(_ answers: [ScoreAnswer], first: Bool) throws -> Data {
            var out = first ? head : Data()
            for (i, answer) in answers.enumerated() {
                if !(first && i == 0) { out.append(separator) }
                out.append(try encode(answer))
            }
            return out
        }
    }

    static func framing(_ format: Format, runID: String) throws -> Framing {
        let quotedRun = try JSONEncoder.api.encode(runID)
        switch format {
        case .json:
            return Framing(head: Data(#"{"points":["#.utf8), separator: Data(",".utf8),
                           tail: Data(#"],"run_id":"#.utf8) + quotedRun + Data("}".utf8), encode: { $0.json })
        case .geojson:
            return Framing(head: Data(#"{"features":["#.utf8), separator: Data(",".utf8),
                           tail: Data(#"],"run_id":"#.utf8) + quotedRun + Data(#","type":"FeatureCollection"}"#.utf8),
                           encode: { try JSONEncoder.api.encode(Feature(geometry: .init(coordinates: [$0.lon, $0.lat]), properties: $0)) })
        case .csv:
            return Framing(head: Data((csvHeader + "\n").utf8), separator: Data(), tail: Data(), encode: { Data((csvRow($0) + "\n").utf8) })
        }
    }

    private struct Feature: Encodable {
        struct Point: Encodable {
            var type = "Point"
            var coordinates: [Double]
        }
        var geometry: Point
        var properties: ScoreAnswer
        var type = "Feature"
    }

    private static func csvRow(_ a: ScoreAnswer) -> String {
        func f(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        let row: [String] = [
            "\(a.lon)", "\(a.lat)", "\(a.inside)", f(a.sequestration?.rateLow.value), f(a.sequestration?.rate.value),
            f(a.sequestration?.rateHigh.value), f(a.sequestration?.score),
            f(a.loss?.expected.value), f(a.loss?.score), a.class?.code.map(String.init) ?? "",
            a.class?.label ?? "", a.inputs?.landcover?.code.map(String.init) ?? "",
            f(a.explanation?.equilibriumInputTHaYr),
        ]
        return row.map(CSV.quote).joined(separator: ",")
    }
}
