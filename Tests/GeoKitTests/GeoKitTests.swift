import Foundation
import GeoKit
import Testing

final class Scratch {
    let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("geokit-\(UUID().uuidString)")
    init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

func tool(_ name: String, _ arguments: [String]) throws -> (status: Int32, out: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Writes a small Float32 GeoTIFF whose value at (column, row) is `value(column, row)`.
func writeRaster(_ path: String, grid: Grid, noData: Double? = nil, value: (Int, Int) -> Float) throws {
    let dataset = try Dataset(creating: path, grid: grid, bands: 1, type: .float32)
    if let noData { try dataset.band(1).setNoDataValue(noData) }
    var values = [Float](repeating: 0, count: grid.pixelCount)
    for r in 0..<grid.height { for c in 0..<grid.width { values[r * grid.width + c] = value(c, r) } }
    try values.withUnsafeBufferPointer { (p) throws(GeoError) in
        try dataset.band(1).write(Window(column: 0, row: 0, width: grid.width, height: grid.height), from: p)
    }
    try dataset.close()
}

struct CRSTests {
    @Test(arguments: ["EPSG:4326", "EPSG:3035", "+proj=moll +datum=WGS84 +units=m", "OGC:CRS84"])
    func definitionsParse(_ definition: String) throws {
        let crs = try CRS(definition)
        let again = try CRS(crs.wkt)
        #expect(crs.isSame(as: again))
    }

    @Test(arguments: ["EPSG:999999", "nonsense", ""])
    func invalidDefinitionsThrowInvalidCRS(_ definition: String) {
        #expect {
            try CRS(definition)
        } throws: { error in
            guard case .invalidCRS(let given, _) = error as? GeoError else { return false }
            return given == definition
        }
    }

    @Test func toWebMercatorMatchesTheSphericalFormulas() throws {
        let transform = try CoordinateTransform(from: try CRS("EPSG:4326"), to: try CRS("EPSG:3857"))
        let (x, y) = try transform.transform(x: 10, y: 50)
        let r = 6_378_137.0
        #expect(abs(x - r * 10 * .pi / 180) < 1e-6)
        #expect(abs(y - r * log(tan(.pi / 4 + 50 * .pi / 360))) < 1e-6)
    }
}

struct GridTests {
    @Test func sizesAndPixelLookupFollowGDALConventions() throws {
        let grid = try Grid(crs: "EPSG:4326", resolution: 0.5, bounds: [-10, 30, 40, 70])
        #expect(grid.width == 100 && grid.height == 80)
        #expect(grid.pixel(containingX: -10, y: 70)! == (0, 0))
        #expect(grid.pixel(containingX: 39.999, y: 30.001)! == (99, 79))
        #expect(grid.pixel(containingX: 40, y: 50) == nil, "the east edge belongs to no pixel")
        #expect(grid.pixel(containingX: 0, y: 30) == nil, "the south edge belongs to no pixel")
        #expect(grid.centre(column: 0, row: 0) == (-9.75, 69.75))
    }

    @Test func aBoxThatIsNotAWholeNumberOfPixelsIsRejected() {
        #expect(throws: GeoError.self) { try Grid(crs: "EPSG:4326", resolution: 0.3, bounds: [0, 0, 1, 1]) }
        #expect(throws: GeoError.self) { try Grid(crs: "EPSG:4326", resolution: 0.5, bounds: [1, 0, 0, 1]) }
    }

    @Test func rowAreasAddUpToTheWGS84Ellipsoid() throws {
        let grid = try Grid(crs: "EPSG:4326", resolution: 1, bounds: [-180, -90, 180, 90])
        let rows = try grid.rowAreasSquareMetres()
        let total = rows.reduce(0, +) * 360 / 1e6
        // The WGS 84 ellipsoid's surface: 510,065,621.72 km2.
        #expect(abs(total - 510_065_621.72) / 510_065_621.72 < 1e-6, "\(total) km2")
        // A 1x1 degree pixel at the equator: 12,308.8 km2 on the ellipsoid.
        #expect(abs(rows[89] / 1e6 - 12_308.8) < 0.5, "\(rows[89] / 1e6) km2")
        #expect(rows[0] < rows[45] && rows[45] < rows[89], "pixels shrink towards the poles")
    }
}

struct DatasetTests {
    @Test func aWrittenRasterReadsBackWithItsMetadata() throws {
        let scratch = Scratch()
        let grid = try Grid(crs: "EPSG:3035", resolution: 1000, bounds: [4_000_000, 3_000_000, 4_020_000, 3_010_000])
        try writeRaster(scratch.file("a.tif"), grid: grid, noData: -1) { Float($0 * 100 + $1) }
        let dataset = try Dataset(path: scratch.file("a.tif"), access: .update)
        let band = try dataset.band(1)
        band.setUnit("t/ha")
        band.setDescription("test")
        try dataset.close()
        let reopened = try Dataset(path: scratch.file("a.tif"))
        #expect(try reopened.grid().geoTransform == grid.geoTransform)
        #expect(try reopened.crs().isSame(as: try CRS("EPSG:3035")))
        let again = try reopened.band(1)
        #expect(again.noDataValue == -1 && again.unit == "t/ha" && again.bandDescription == "test")
        #expect(try again.value(column: 7, row: 3) == 703)
        var window = [Float](repeating: 0, count: 6)
        try window.withUnsafeMutableBufferPointer { (p) throws(GeoError) in
            try again.read(Window(column: 4, row: 8, width: 3, height: 2), into: p)
        }
        #expect(window == [408, 508, 608, 409, 509, 609])
        let info = try tool("gdallocationinfo", ["-valonly", scratch.file("a.tif"), "7", "3"])
        #expect(info.out.trimmingCharacters(in: .whitespacesAndNewlines) == "703")
    }

    @Test func aMissingFileSaysNoSuchFile() {
        #expect(throws: GeoError.openFailed(path: "/nonexistent/x.tif", reason: "no such file")) {
            try Dataset(path: "/nonexistent/x.tif")
        }
    }

    @Test func aTextFileIsNotARaster() throws {
        let scratch = Scratch()
        try "hello".write(toFile: scratch.file("x.tif"), atomically: true, encoding: .utf8)
        #expect {
            try Dataset(path: scratch.file("x.tif"))
        } throws: { error in
            guard case .openFailed(_, let reason) = error as? GeoError else { return false }
            return !reason.isEmpty && reason != "no such file"
        }
    }

    @Test func aBandThatDoesNotExistIsAnError() throws {
        let scratch = Scratch()
        try writeRaster(scratch.file("a.tif"), grid: try Grid(crs: "EPSG:4326", resolution: 1, bounds: [0, 0, 2, 2])) { _, _ in 1 }
        #expect(throws: GeoError.noSuchBand(path: scratch.file("a.tif"), band: 2, count: 1)) {
            try Dataset(path: scratch.file("a.tif")).band(2)
        }
    }

    @Test(arguments: [Resampling.bilinear, .nearest, .average])
    func warpingEqualsTheGdalwarpCommand(_ resampling: Resampling) throws {
        let scratch = Scratch()
        let source = try Grid(crs: "EPSG:3035", resolution: 2000, bounds: [3_800_000, 2_800_000, 4_200_000, 3_200_000])
        try writeRaster(scratch.file("src.tif"), grid: source, noData: -9999) { c, r in
            c > 180 && r < 10 ? -9999 : Float(sin(Double(c) / 9) * 50 + Double(r))
        }
        let target = try Grid(crs: "EPSG:4326", resolution: 0.05, bounds: [8, 48, 12, 51])
        let warped = try Dataset(path: scratch.file("src.tif")).warped(onto: target, resampling: resampling)
        var ours = [Float](repeating: 0, count: target.pixelCount)
        try ours.withUnsafeMutableBufferPointer { (p) throws(GeoError) in
            try warped.band(1).read(Window(column: 0, row: 0, width: target.width, height: target.height), into: p)
        }
        let result = try tool("gdalwarp", ["-q"] + Dataset.warpArguments(onto: target, resampling: resampling)
                              + [scratch.file("src.tif"), scratch.file("gdal.tif")])
        #expect(result.status == 0)
        let theirs = try Dataset(path: scratch.file("gdal.tif"))
        var expected = [Float](repeating: 0, count: target.pixelCount)
        try expected.withUnsafeMutableBufferPointer { (p) throws(GeoError) in
            try theirs.band(1).read(Window(column: 0, row: 0, width: target.width, height: target.height), into: p)
        }
        let worst = zip(ours, expected).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-4, "worst difference \(worst)")
    }

    @Test func writeCOGMakesACloudOptimizedGeoTIFF() throws {
        let scratch = Scratch()
        try writeRaster(scratch.file("a.tif"), grid: try Grid(crs: "EPSG:4326", resolution: 0.01, bounds: [0, 0, 10, 6])) {
            Float($0 + $1)
        }
        try Dataset(path: scratch.file("a.tif")).writeCOG(to: scratch.file("cog.tif"), predictor: true, overviewResampling: .average)
        let info = try tool("gdalinfo", [scratch.file("cog.tif")])
        #expect(info.out.contains("LAYOUT=COG") && info.out.contains("Overviews:"))
    }

    @Test func pngAndWebPEncodingOpenInGDAL() throws {
        let scratch = Scratch()
        var rgba = [UInt8](repeating: 0, count: 64 * 32 * 4)
        for i in 0..<64 * 32 { rgba[i * 4] = UInt8(i % 256); rgba[i * 4 + 3] = i % 3 == 0 ? 0 : 255 }
        let png = rgba.withUnsafeBufferPointer { PNGEncoder().encode(rgba: $0, width: 64, height: 32) }
        try png.write(to: URL(fileURLWithPath: scratch.file("a.png")))
        let back = try Dataset(path: scratch.file("a.png"))
        #expect(back.width == 64 && back.height == 32 && back.bandCount == 4)
        var red = [UInt8](repeating: 0, count: 64 * 32), alpha = red
        try red.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try back.band(1).read(Window(column: 0, row: 0, width: 64, height: 32), into: p) }
        try alpha.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try back.band(4).read(Window(column: 0, row: 0, width: 64, height: 32), into: p) }
        #expect(red == (0..<64 * 32).map { UInt8($0 % 256) })
        #expect(alpha == (0..<64 * 32).map { $0 % 3 == 0 ? 0 : 255 })
        let webp = try rgba.withUnsafeBufferPointer { (p) throws(GeoError) in
            try ImageEncoder.encode(rgba: p, width: 64, height: 32, format: .webp, options: ["LOSSLESS": "YES"])
        }
        #expect(webp.prefix(4) == Data("RIFF".utf8))
    }
}
