import Dispatch
import Foundation
import GeoKit
import HotspotModel

/// `hotspot demo-data`: a deterministic synthetic input set on the default target grid, every file marked synthetic.
///
/// Land and sea come from GSHHG shorelines (`Config/demo/landmask.tif`, made once with GMT). To exercise alignment
/// on every run, the layers come in three grids: soil on the target grid, climate at twice its pixel size, and land
/// cover in EASE-Grid 2.0 (EPSG:6933, equal-area metres) at about 0.55 of its pixel size, so the pipeline must
/// interpolate climate and aggregate land cover by mode.
public struct DemoDataGenerator: Sendable {
    public var outputDirectory: String
    public var resolution: Double
    public var bbox: [Double]
    public var seed: UInt64
    public var landMaskPath: String

    public init(outputDirectory: String, resolution: Double = 0.05, bbox: [Double] = [-180, -60, 180, 84],
                seed: UInt64 = 4_1000, landMaskPath: String = "Config/demo/landmask.tif") {
        self.outputDirectory = outputDirectory
        self.resolution = resolution
        self.bbox = bbox
        self.seed = seed
        self.landMaskPath = landMaskPath
    }

    /// Writes every layer; each file appears under its final name only once complete.
    public func generate(log: (String) -> Void = { _ in }) throws(GeoError) {
        GDALRuntime.initialize()
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw .createFailed(path: outputDirectory, reason: error.localizedDescription)
        }
        let world = SyntheticWorld(seed: seed)
        let mask = try LandMask(path: landMaskPath)
        let wgs84 = CRS.wgs84().wkt
        let target = try Grid(crs: wgs84, resolution: resolution, bounds: bbox)

        // Land cover first: the soil layers follow the same classes.
        let ease = try CRS("EPSG:6933")
        let toEASE = try CoordinateTransform(from: CRS.wgs84(), to: ease)
        let fromEASE = try CoordinateTransform(from: ease, to: CRS.wgs84())
        let cell = (resolution * 111_320 * 0.55).rounded()
        let lonMin = max(-180.0, bbox[0] - 2 * resolution), lonMax = min(180.0, bbox[2] + 2 * resolution)
        let west = try toEASE.transform(x: lonMin, y: 0).x, east = try toEASE.transform(x: lonMax, y: 0).x
        let south = try toEASE.transform(x: 0, y: max(-85, bbox[1] - 2 * resolution)).y
        let north = try toEASE.transform(x: 0, y: min(85, bbox[3] + 2 * resolution)).y
        // Whole-metre origin; past +-180 the extent is widened by a pixel so that the grid's edge pixels are covered.
        let x0 = (west / cell).rounded(.down) * cell - (lonMin <= -180 ? cell : 0)
        let x1 = (east / cell).rounded(.up) * cell + (lonMax >= 180 ? cell : 0)
        let y0 = (south / cell).rounded(.down) * cell, y1 = (north / cell).rounded(.up) * cell
        let coverGrid = try Grid(crs: ease.wkt, resolution: cell, bounds: [x0, y0, x1, y1])
        // Cylindrical projection: longitude depends on x only, latitude on y only.
        var xs = (0..<coverGrid.width).map { coverGrid.centre(column: $0, row: 0).x }
        var ys = [Double](repeating: 0, count: coverGrid.width)
        _ = fromEASE.transform(x: &xs, y: &ys)
        let lons = xs.map { $0 > 180 ? $0 - 360 : ($0 < -180 ? $0 + 360 : $0) }
        var rowX = [Double](repeating: 0, count: coverGrid.height)
        var rowY = (0..<coverGrid.height).map { coverGrid.centre(column: 0, row: $0).y }
        _ = fromEASE.transform(x: &rowX, y: &rowY)
        let lats = rowY
        log("landcover: \(coverGrid.width)x\(coverGrid.height) EPSG:6933 at \(Int(cell)) m")
        try write(name: "landcover.tif", grid: coverGrid, noData: 0, units: "class",
                  description: "Synthetic land cover, ESA CCI codes (EASE-Grid 2.0)") { (row: Int, out: UnsafeMutableBufferPointer<UInt8>) in
            let lat = lats[row]
            for c in 0..<coverGrid.width {
                out[c] = world.landcover(lon: lons[c], lat: lat, mask: mask.value(lon: lons[c], lat: lat))
            }
        }

        let soilNoData: Int16 = -32768
        log("soil: \(target.width)x\(target.height) at \(resolution) deg")
        // SOC stock stored as SoilGrids stores it: Int16 in 0.1 t/ha (the configuration's scale 0.1 gives t/ha).
        try write(name: "soc.tif", grid: target, noData: Double(soilNoData), units: "0.1 t/ha",
                  description: "Synthetic SOC stock 0-30 cm (0.1 t/ha, scale 0.1 for t/ha)") {
            (row: Int, out: UnsafeMutableBufferPointer<Int16>) in
            for c in 0..<target.width {
                let p = target.centre(column: c, row: row)
                let m = mask.value(lon: p.x, lat: p.y)
                guard m == 1 else { out[c] = soilNoData; continue }
                let soc = world.soc(lon: p.x, lat: p.y, code: world.landcover(lon: p.x, lat: p.y, mask: m))
                out[c] = Int16(min(3276.7, soc) * 10)
            }
        }
        // Stored as SoilGrids stores texture: g/kg in Int16, so the configuration's scale 0.1 gives %.
        for (name, isClay) in [("clay.tif", true), ("silt.tif", false)] {
            try write(name: name, grid: target, noData: Double(soilNoData), units: "g/kg",
                      description: "Synthetic \(isClay ? "clay" : "silt") content 0-30 cm (g/kg, scale 0.1 for %)") {
                (row: Int, out: UnsafeMutableBufferPointer<Int16>) in
                for c in 0..<target.width {
                    let p = target.centre(column: c, row: row)
                    guard mask.value(lon: p.x, lat: p.y) == 1 else { out[c] = soilNoData; continue }
                    let texture = world.texture(lon: p.x, lat: p.y)
                    out[c] = Int16(((isClay ? texture.clay : texture.silt) * 10).rounded())
                }
            }
        }

        // Climate everywhere (sea included), at twice the pixel size, widened to whole coarse pixels.
        let coarse = resolution * 2
        let climateBounds = [
            (bbox[0] / coarse).rounded(.down) * coarse, (bbox[1] / coarse).rounded(.down) * coarse,
            (bbox[2] / coarse).rounded(.up) * coarse, (bbox[3] / coarse).rounded(.up) * coarse,
        ]
        let climate = try Grid(crs: wgs84, resolution: coarse, bounds: climateBounds)
        log("climate: \(climate.width)x\(climate.height) at \(coarse) deg")
        // Monthly climatologies, as WorldClim 2.1 ships them (twelve bands here, January first).
        let monthly: [(String, String, String, @Sendable (Double, Double) -> Monthly)] = [
            ("tmean.tif", "degC", "Synthetic monthly mean air temperature", world.monthlyTmean),
            ("precip.tif", "mm/month", "Synthetic monthly precipitation", world.monthlyPrecip),
            ("pet.tif", "mm/month", "Synthetic monthly potential evapotranspiration (Thornthwaite)", world.monthlyPET),
        ]
        for (name, units, description, values) in monthly {
            try write(name: name, grid: climate, bands: 12, noData: -9999, units: units, description: description) {
                (row: Int, out: [UnsafeMutableBufferPointer<Float>]) in
                for c in 0..<climate.width {
                    let p = climate.centre(column: c, row: row)
                    let v = values(p.x, p.y)
                    for m in 0..<12 { out[m][c] = Float(v[m]) }
                }
            }
        }
        let readme = """
            Synthetic demo data made by `hotspot demo-data --resolution \(resolution) --seed \(seed)`.
            NOT REAL DATA: climate, land cover and soil are drawn from formulas and noise; only the land/sea mask
            follows real GSHHG shorelines. Every GeoTIFF carries the metadata item SYNTHETIC=YES.

            """
        _ = FileManager.default.createFile(atPath: (outputDirectory as NSString).appendingPathComponent("README.txt"),
                                       contents: Data(readme.utf8))
    }

    /// Writes one single-band DEFLATE-tiled GeoTIFF, rows made in parallel, to a temporary name renamed into place.
    func write<T: RasterElement & Numeric>(
        name: String, grid: Grid, noData: Double, units: String, description: String,
        row makeRow: @escaping @Sendable (Int, UnsafeMutableBufferPointer<T>) -> Void
    ) throws(GeoError) {
        try write(name: name, grid: grid, bands: 1, noData: noData, units: units, description: description) {
            (row: Int, out: [UnsafeMutableBufferPointer<T>]) in makeRow(row, out[0])
        }
    }

    /// Writes a DEFLATE-tiled GeoTIFF of `bands` bands (band-interleaved), each row's bands made together.
    func write<T: RasterElement & Numeric>(
        name: String, grid: Grid, bands: Int, noData: Double, units: String, description: String,
        row makeRow: @escaping @Sendable (Int, [UnsafeMutableBufferPointer<T>]) -> Void
    ) throws(GeoError) {
        let path = (outputDirectory as NSString).appendingPathComponent(name)
        let temporary = path + ".partial.tif"
        let type: PixelType = T.self == Float.self ? .float32 : (T.self == Int16.self ? .int16 : .byte)
        let dataset = try Dataset(creating: temporary, grid: grid, bands: bands, type: type, options: [
            "TILED": "YES", "COMPRESS": "DEFLATE", "PREDICTOR": type == .float32 ? "3" : "2", "ZLEVEL": "6",
            "BIGTIFF": "IF_SAFER", "NUM_THREADS": "ALL_CPUS", "INTERLEAVE": "BAND",
        ])
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]
        for b in 1...bands {
            let band = try dataset.band(b)
            try band.setNoDataValue(noData)
            band.setUnit(units)
            band.setDescription(bands == 12 ? "\(description), \(months[b - 1])" : description)
        }
        try dataset.setMetadata("SYNTHETIC", "YES")
        try dataset.setMetadata("DESCRIPTION", "\(description). SYNTHETIC DEMO DATA, not real measurements (seed \(seed))")
        let rows = 256, plane = rows * grid.width
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: bands * plane)
        defer { buffer.deallocate() }
        nonisolated(unsafe) let shared = buffer
        for start in stride(from: 0, to: grid.height, by: rows) {
            let height = min(rows, grid.height - start)
            // Rows are independent: fill them on all cores, then write the strip band by band.
            DispatchQueue.concurrentPerform(iterations: height) { r in
                makeRow(start + r, (0..<bands).map { b in
                    UnsafeMutableBufferPointer(rebasing: shared[(b * plane + r * grid.width)..<(b * plane + (r + 1) * grid.width)])
                })
            }
            for b in 0..<bands {
                try dataset.band(b + 1).write(
                    Window(column: 0, row: start, width: grid.width, height: height),
                    from: UnsafeBufferPointer(rebasing: buffer[(b * plane)..<(b * plane + height * grid.width)]))
            }
        }
        try dataset.close()
        guard rename(temporary, path) == 0 else {
            throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

/// The GSHHG land mask (0 ocean, 1 land, 2 lake) held in memory, looked up by nearest pixel.
struct LandMask: Sendable {
    let values: [UInt8]
    let grid: Grid

    init(path: String) throws(GeoError) {
        let dataset = try Dataset(path: path)
        grid = try dataset.grid()
        var values = [UInt8](repeating: 0, count: grid.pixelCount)
        let window = Window(column: 0, row: 0, width: grid.width, height: grid.height)
        let band = try dataset.band(1)
        try values.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try band.read(window, into: p) }
        self.values = values
    }

    func value(lon: Double, lat: Double) -> UInt8 {
        guard let (c, r) = grid.pixel(containingX: lon, y: lat) else { return 0 }
        return values[r * grid.width + c]
    }
}
