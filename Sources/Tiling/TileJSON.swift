import Foundation

/// TileJSON 3.0.0 for a layer's pyramid. Bounds are west < east within [-180, 180] (never wrapping across the
/// antimeridian) and latitudes within the Web Mercator square.
public struct TileJSON: Codable, Sendable, Equatable {
    public var tilejson = "3.0.0"
    public var name: String
    public var description: String
    public var version = "1.0.0"
    public var attribution: String
    public var scheme = "xyz"
    public var tiles: [String]
    public var minzoom: Int
    public var maxzoom: Int
    public var bounds: [Double]
    public var center: [Double]
    public var legend: String?
    public var units: String?

    public init(job: TileJob, bounds b: (west: Double, south: Double, east: Double, north: Double),
                tileURL: String? = nil, legendURL: String? = "legend.png") {
        name = job.layer
        description = job.description
        attribution = job.attribution
        tiles = [tileURL ?? "{z}/{x}/{y}.\(job.format.rawValue)"]
        minzoom = job.zooms.lowerBound
        maxzoom = job.zooms.upperBound
        let west = max(-180, min(b.west, b.east)), east = min(180, max(b.west, b.east))
        let south = max(-WebMercator.maxLatitude, b.south), north = min(WebMercator.maxLatitude, b.north)
        bounds = [west, south, east, north].map { ($0 * 1e6).rounded() / 1e6 }
        center = [((west + east) / 2 * 1e6).rounded() / 1e6, ((south + north) / 2 * 1e6).rounded() / 1e6,
                  Double(min(job.zooms.upperBound, max(job.zooms.lowerBound, 2)))]
        legend = legendURL
        units = job.ramp.spec.units
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
