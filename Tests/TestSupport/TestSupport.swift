import DemoData
import Foundation
import GeoKit
import HotspotConfig
import Pipeline

/// The repository root (for Config/ and the committed land mask).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A temporary folder removed when the value is released.
public final class TemporaryFolder: Sendable {
    public let path: String

    public init(_ name: String = "hotspot-test") {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(name)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

/// Runs a command-line tool; returns its exit status, stdout and stderr. It blocks the calling thread: a tool that
/// talks to a test server in this process must go through `runToolDetached`.
@discardableResult
public func runTool(_ tool: String, _ arguments: [String], cwd: String? = nil) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read before waiting: a full pipe would block the tool.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// Runs a tool on a thread of its own, so that waiting for it never holds one of Swift's few cooperative threads
/// (a test server in the same process needs them to answer the tool); the tool is killed after `timeout` seconds.
public func runToolDetached(_ tool: String, _ arguments: [String], timeout: Double) async throws
    -> (status: Int32, out: String, err: String)
{
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["timeout", "--kill-after=5", String(Int(timeout)), tool] + arguments
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            do { try process.run() } catch { return continuation.resume(throwing: error) }
            // Both pipes are drained at once: a tool blocked on a full stderr would never close stdout.
            let errDone = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var errData = Data()
            Thread.detachNewThread {
                errData = err.fileHandleForReading.readDataToEndOfFile()
                errDone.signal()
            }
            let outData = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            errDone.wait()
            let errText = String(decoding: errData, as: UTF8.self)
            continuation.resume(returning: (process.terminationStatus, String(decoding: outData, as: UTF8.self), errText))
        }
    }
}

/// The demo inputs at 0.5 degree (720 x 288), made once per test process and only read afterwards.
public enum DemoFixture {
    public static let resolution = 0.5
    static let folder = TemporaryFolder("hotspot-demo")
    public static let directory: String = {
        let generator = DemoDataGenerator(outputDirectory: folder.path, resolution: resolution, seed: 7,
                                          landMaskPath: repositoryRoot + "/Config/demo/landmask.tif")
        try! generator.generate()
        return folder.path
    }()

    /// A configuration over the demo inputs writing to `output`; `edit` may change the YAML text.
    public static func config(output: String, edit: (String) -> String = { $0 }) throws -> HotspotConfiguration {
        try HotspotConfiguration.parse(edit(configText(output: output)), file: repositoryRoot + "/Config/test.yaml")
    }

    /// The same on another target grid (`crs`, `resolution` in its units, `bbox` in its coordinates).
    public static func config(output: String, crs: String, resolution: Double, bbox: [Double]) throws -> HotspotConfiguration {
        try config(output: output) {
            $0.replacingOccurrences(of: "crs: \"EPSG:4326\"", with: "crs: \"\(crs)\"")
                .replacingOccurrences(of: "resolution: \(DemoFixture.resolution)", with: "resolution: \(resolution)")
                .replacingOccurrences(of: "bbox: [-180, -60, 180, 84]", with: "bbox: \(bbox)")
        }
    }

    /// The YAML of `config(output:)`, for the command line.
    public static func configText(output: String) throws -> String {
        try String(contentsOfFile: repositoryRoot + "/Config/hotspot.yaml", encoding: .utf8)
            .replacingOccurrences(of: "Rasters/demo/", with: directory + "/")
            .replacingOccurrences(of: "resolution: 0.05", with: "resolution: \(resolution)")
            .replacingOccurrences(of: "dir: Rasters/derived", with: "dir: \(output)")
    }

    /// The `hotspot` executable built beside the test bundle.
    public static var hotspotBinary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hotspot").path
    }

    public static func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// One pipeline run over the demo inputs, made once per test process and only read afterwards.
    public static let runFolder = TemporaryFolder("hotspot-run")
    public static let run: HotspotRun.Result = {
        try! HotspotRun.execute(try! config(output: runFolder.file("derived")))
    }()
}

/// A whole single-band raster read into memory (test rasters are small).
public struct RasterArray {
    public let grid: Grid
    public let values: [Double]
    public let noData: Double?

    public init(path: String, band index: Int = 1) throws {
        let dataset = try Dataset(path: path)
        let band = try dataset.band(index)
        grid = try dataset.grid()
        noData = band.noDataValue
        var values = [Double](repeating: 0, count: grid.pixelCount)
        let window = Window(column: 0, row: 0, width: grid.width, height: grid.height)
        try values.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try band.read(window, into: p) }
        self.values = values
    }

    public func isNoData(_ i: Int) -> Bool { values[i] == noData || values[i].isNaN }
}

/// `gdallocationinfo -valonly -geoloc` at a lon/lat: the value GDAL reads for the pixel containing the point.
public func gdalLocationValue(_ path: String, lon: Double, lat: Double) throws -> Double? {
    let result = try runTool("gdallocationinfo", ["-valonly", "-geoloc", path, "\(lon)", "\(lat)"])
    return Double(result.out.trimmingCharacters(in: .whitespacesAndNewlines))
}

/// Geodesic distances (metres) between lon/lat pairs from an independent oracle: `Tests/PartnersTests/geodesic_oracle.py`
/// (pyproj's Geod when installed, else Vincenty in Python).
public func oracleDistances(_ pairs: [(Double, Double, Double, Double)]) throws -> [Double] {
    struct OracleFailed: Error, CustomStringConvertible { var description: String }
    let input = try JSONSerialization.data(withJSONObject: ["pairs": pairs.map { [$0.0, $0.1, $0.2, $0.3] }])
    let inputPath = NSTemporaryDirectory() + "geod-\(UUID().uuidString).json"
    try input.write(to: URL(fileURLWithPath: inputPath))
    defer { try? FileManager.default.removeItem(atPath: inputPath) }
    let script = repositoryRoot + "/Tests/PartnersTests/geodesic_oracle.py"
    let result = try runTool("/bin/sh", ["-c", "/usr/bin/python3 '\(script)' < '\(inputPath)'"])
    guard result.status == 0, let json = try? JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any],
          let distances = json["distances_m"] as? [Double] else {
        throw OracleFailed(description: "geodesic_oracle.py failed: \(result.err)")
    }
    return distances
}

/// Areas (km2) of `size`-pixel squares of a grid centred at (column, row), by the first-principles quadrature of
/// `Tests/GeoKitTests/pixel_area_oracle.py` (GDAL's osr and the ellipsoid's radii of curvature).
public func oraclePixelAreas(_ grid: Grid, squares: [(column: Double, row: Double, size: Double)],
                             subdivisions: Int = 16) throws -> [Double] {
    struct OracleFailed: Error, CustomStringConvertible { var description: String }
    let t = grid.geoTransform
    let query: [String: Any] = [
        "crs": grid.crsDefinition, "subdivisions": subdivisions,
        "geotransform": [t.originX, t.pixelWidth, t.rowRotation, t.originY, t.columnRotation, t.pixelHeight],
        "squares": squares.map { [$0.column, $0.row, $0.size] },
    ]
    let input = NSTemporaryDirectory() + "pixel-areas-\(UUID().uuidString).json"
    try JSONSerialization.data(withJSONObject: query).write(to: URL(fileURLWithPath: input))
    defer { try? FileManager.default.removeItem(atPath: input) }
    let script = repositoryRoot + "/Tests/GeoKitTests/pixel_area_oracle.py"
    let result = try runTool("/bin/sh", ["-c", "/usr/bin/python3 '\(script)' < '\(input)'"])
    guard result.status == 0, let areas = try? JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [Double] else {
        throw OracleFailed(description: "pixel_area_oracle.py failed: \(result.err)")
    }
    return areas
}

/// A PNG read with GDAL: four bands (grey and alpha PNGs are spread to RGBA).
public struct RasterArrayRGBA {
    public let bands: [[UInt8]]
    public let width: Int
    public let height: Int
    public var alpha: [UInt8] { bands[3] }

    public init(path: String) throws {
        let dataset = try Dataset(path: path)
        (width, height) = (dataset.width, dataset.height)
        var bands: [[UInt8]] = []
        for b in 1...dataset.bandCount {
            var values = [UInt8](repeating: 0, count: dataset.width * dataset.height)
            let window = Window(column: 0, row: 0, width: dataset.width, height: dataset.height)
            try values.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try dataset.band(b).read(window, into: p) }
            bands.append(values)
        }
        if bands.count == 2 { bands = [bands[0], bands[0], bands[0], bands[1]] }
        self.bands = bands
    }

    /// A pixel's colour; every fully transparent pixel is the same.
    public func rgba(_ i: Int) -> [UInt8] { bands[3][i] == 0 ? [0, 0, 0, 0] : bands.map { $0[i] } }
}
