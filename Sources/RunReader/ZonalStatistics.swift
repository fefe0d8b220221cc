import Foundation
import GeoKit
import HotspotModel
import Pipeline

/// Area-weighted zonal statistics of a run over a region.
public struct RegionStatistics: Codable, Sendable {
    public struct Layer: Codable, Sendable {
        public var min: Double?
        public var max: Double?
        public var mean: Double?
        public var validAreaKm2: Double
        public var units: String
        /// Area-weighted percentiles (p5, p25, p50, p75, p95): the smallest value with at least that share of the
        /// valid area at or below it.
        public var percentiles: [String: Double]?
        public var histogram: AreaHistogram?
    }
    public struct Hotspots: Codable, Sendable {
        public var sequestrationKm2: Double
        public var lossKm2: Double
        public var bothKm2: Double
        public var noneKm2: Double
    }
    public struct RegionName: Codable, Sendable {
        public var id: String
        public var name: String
    }
    public var region: RegionName
    public var runId: String
    /// Area of the grid pixels whose centre is inside the region (land and sea).
    public var areaKm2: Double
    public var validAreaKm2: Double
    public var layers: [String: Layer]
    public var hotspots: Hotspots
    public var method: String

    public static let percentiles = [5, 25, 50, 75, 95]
    public static let histogramBins = 20
}

extension RunReader {
    /// Statistics over the pixels whose centre is inside the region (GDAL's rasterisation rule), each weighted by its
    /// true area on the WGS84 ellipsoid. Sequestration and loss hotspots each include the pixels that are both.
    /// `maxPixels` bounds the grid window around the region (a polygon of the user's, as downloads are bounded).
    public func statistics(of region: RegionCatalog.Region, catalog: RegionCatalog, language: Language,
                           maxPixels: Int? = nil) throws -> RegionStatistics {
        let window = try pixelWindow(west: region.bbox[0], south: region.bbox[1], east: region.bbox[2], north: region.bbox[3])
        if let maxPixels, window.pixelCount > maxPixels {
            throw ReadError.tooLarge("the area is \(window.width) x \(window.height) = \(window.pixelCount) pixels; the "
                                     + "limit is \(maxPixels): ask for a smaller area")
        }
        let mask = try regionMask(region, catalog: catalog, window: window)
        let areas = try self.areas
        var layers: [String: RegionStatistics.Layer] = [:]
        var areaKm2 = 0.0
        window.forEachRun(of: areas) { range, area in
            for i in range where mask[i] != 0 { areaKm2 += area }
        }
        var classes = [Double](repeating: 0, count: 4)
        try pixels.with { handles in
            for output in OutputLayer.allCases {
                var values = [Float](repeating: .nan, count: window.pixelCount)
                try values.withUnsafeMutableBufferPointer { try handles.outputs[output]!.read(window, into: $0) }
                var sum = 0.0, area = 0.0, low = Double.infinity, high = -Double.infinity
                var samples = AreaSamples()
                window.forEachRun(of: areas) { range, pixelArea in
                    for i in range {
                        let v = Double(values[i])
                        guard mask[i] != 0, v != output.noData, v.isFinite else { continue }
                        if output == .hotspotClass {
                            if v >= 0, v < 4 { classes[Int(v)] += pixelArea }
                            continue
                        }
                        sum += v * pixelArea
                        area += pixelArea
                        samples.append(v, area: pixelArea)
                        low = Swift.min(low, v)
                        high = Swift.max(high, v)
                    }
                }
                if output != .hotspotClass {
                    layers[output.rawValue] = .init(min: area > 0 ? low : nil, max: area > 0 ? high : nil,
                                                    mean: area > 0 ? sum / area : nil, validAreaKm2: area, units: output.units,
                                                    percentiles: samples.percentiles(RegionStatistics.percentiles),
                                                    histogram: samples.histogram(bins: RegionStatistics.histogramBins))
                }
            }
        }
        return RegionStatistics(
            region: .init(id: region.id, name: region.name(language)), runId: runID, areaKm2: areaKm2,
            validAreaKm2: classes.reduce(0, +), layers: layers,
            hotspots: .init(sequestrationKm2: classes[1] + classes[3], lossKm2: classes[2] + classes[3], bothKm2: classes[3],
                            noneKm2: classes[0]),
            method: "pixels whose centre lies inside the region (GDAL rasterisation), weighted by their true area on the "
                + "ellipsoid; valid area = land pixels with scores; percentiles: the smallest value with at least that "
                + "share of the valid area at or below it; histograms: \(RegionStatistics.histogramBins) equal bins from the "
                + "layer's minimum to its maximum there (each bin holds its lower edge, the last both), area in km2")
    }

    /// The grid window covering a lon/lat box (clipped to the grid), or a 404 problem when they do not overlap. On a
    /// projected grid the box's edges are curves: 32 points along each (those inside the projection's domain) bound it.
    func pixelWindow(west: Double, south: Double, east: Double, north: Double) throws -> Window {
        let steps = gridIsLonLat ? 1 : 32
        var points: [(Double, Double)] = []
        for k in 0...steps {
            let f = Double(k) / Double(steps)
            let lon = west + (east - west) * f, lat = south + (north - south) * f
            points += [(lon, south), (lon, north), (west, lat), (east, lat)]
        }
        var xs = points.map(\.0), ys = points.map(\.1)
        if !gridIsLonLat {
            let ok = try CoordinateTransform(from: CRS.wgs84(), to: try CRS(grid.crsDefinition)).transform(x: &xs, y: &ys)
            let inside = xs.indices.filter { ok[$0] }
            (xs, ys) = (inside.map { xs[$0] }, inside.map { ys[$0] })
        }
        guard !xs.isEmpty else { throw ReadError.notFound("the area is outside the projection of run \(runID)") }
        // On a projected grid a pixel more on each side, for the bulge of a curved edge between two of its points.
        guard let window = grid.window(covering: zip(xs, ys).map { (x: $0, y: $1) }, margin: gridIsLonLat ? 0 : 1) else {
            throw ReadError.notFound("the area does not overlap the grid of run \(runID)")
        }
        return window
    }

    /// 1 where a pixel centre of `window` is inside the region, burnt by GDAL's rasteriser.
    func regionMask(_ region: RegionCatalog.Region, catalog: RegionCatalog, window: Window) throws -> [UInt8] {
        let sub = grid.subgrid(window)
        let mask = try Dataset(creating: "", driver: "MEM", grid: sub, bands: 1, type: .byte)
        let vector = try Dataset(vector: catalog.path)
        try mask.rasterize(vector, arguments: ["-burn", "1", "-where", "id = '\(region.id)'"])
        var values = [UInt8](repeating: 0, count: window.pixelCount)
        try values.withUnsafeMutableBufferPointer {
            try mask.band(1).read(Window(column: 0, row: 0, width: window.width, height: window.height), into: $0)
        }
        return values
    }
}
