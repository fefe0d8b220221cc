import Foundation
import GeoKit
import Testing

struct DatasetTests {
    static let grid3035 = try! Grid(crs: "EPSG:3035", resolution: 1000, bounds: [4_000_000, 3_000_000, 4_020_000, 3_010_000])

    @Test func aWrittenWindowReadsBackAfterReopening() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/a.tif"
            let window = Window(column: 4, row: 2, width: 5, height: 3)
            let written: [Float] = (0..<15).map { Float($0) * 1.5 - 3.25 }
            do {
                let dataset = try Dataset(creating: path, grid: Self.grid3035, bands: 1, type: .float32)
                let band = try dataset.band(1)
                try band.setNoDataValue(-9999)
                band.setUnit("t/ha")
                band.setDescription("SOC stock, 0-30 cm")
                band.setMetadata("SOURCE", "test")
                try dataset.setMetadata("RUN", "42")
                try written.withUnsafeBufferPointer { (p) throws(GeoError) in try band.write(window, from: p) }
                try dataset.close()
            }
            let reopened = try Dataset(path: path)
            #expect(reopened.width == 20 && reopened.height == 10 && reopened.bandCount == 1)
            #expect(reopened.driverName == "GTiff")
            #expect(try reopened.grid().geoTransform == Self.grid3035.geoTransform)
            #expect(try reopened.crs().isSame(as: try CRS("EPSG:3035")))
            #expect(reopened.metadata()["RUN"] == "42")
            let band = try reopened.band(1)
            #expect(band.pixelType == .float32)
            #expect(band.noDataValue == -9999 && band.unit == "t/ha" && band.bandDescription == "SOC stock, 0-30 cm")
            #expect(band.metadata()["SOURCE"] == "test")
            var back = [Float](repeating: .nan, count: 15)
            try back.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try band.read(window, into: p) }
            #expect(back == written)
            #expect(try band.value(column: 5, row: 3) == Double(written[6]))
            // A window overlapping the written one: its first row is outside it.
            var overlap = [Double](repeating: .nan, count: 4)
            try overlap.withUnsafeMutableBufferPointer { (p) throws(GeoError) in
                try band.read(Window(column: 7, row: 1, width: 2, height: 2), into: p)
            }
            #expect(overlap[2] == Double(written[3]) && overlap[3] == Double(written[4]))
        }
    }

    @Test func valuesAreWhereGdallocationinfoFindsThem() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/a.tif"
            try writeRaster(path, grid: Self.grid3035) { Float($0 * 100 + $1) }
            let info = try runTool("gdallocationinfo", ["-valonly", path, "7", "3"])
            #expect(info.out.trimmingCharacters(in: .whitespacesAndNewlines) == "703")
            let (x, y) = Self.grid3035.centre(column: 12, row: 8)
            let geo = try runTool("gdallocationinfo", ["-valonly", "-geoloc", path, "\(x)", "\(y)"])
            #expect(geo.out.trimmingCharacters(in: .whitespacesAndNewlines) == "1208")
            #expect(try Dataset(path: path).band(1).value(column: 12, row: 8) == 1208)
        }
    }

    @Test func otherPixelTypesConvertOnRead() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/i16.tif"
            let grid = try Grid(crs: "EPSG:4326", resolution: 1, bounds: [0, 0, 3, 2])
            do {
                let dataset = try Dataset(creating: path, grid: grid, bands: 2, type: .int16)
                let values: [Int16] = [-300, -1, 0, 1, 250, 32767]
                try values.withUnsafeBufferPointer { (p) throws(GeoError) in
                    try dataset.band(2).write(Window(column: 0, row: 0, width: 3, height: 2), from: p)
                }
                try dataset.close()
            }
            let dataset = try Dataset(path: path)
            let second = try dataset.band(2)
            #expect(dataset.bandCount == 2 && second.pixelType == .int16)
            #expect(try readAll(dataset, band: 2) == [-300, -1, 0, 1, 250, 32767])
            var bytes = [UInt8](repeating: 9, count: 6)
            try bytes.withUnsafeMutableBufferPointer { (p) throws(GeoError) in
                try dataset.band(2).read(Window(column: 0, row: 0, width: 3, height: 2), into: p)
            }
            #expect(bytes == [0, 0, 0, 1, 250, 255], "GDAL clamps to the buffer's type")
        }
    }

    @Test func aMissingFileSaysNoSuchFile() {
        #expect(throws: GeoError.openFailed(path: "/nonexistent/x.tif", reason: "no such file")) {
            try Dataset(path: "/nonexistent/x.tif")
        }
        #expect(GeoError.openFailed(path: "/nonexistent/x.tif", reason: "no such file").description
                == "cannot open /nonexistent/x.tif: no such file")
    }

    @Test func aTextFileNamedTifIsNotARaster() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/x.tif"
            try "hello, not a raster\n".write(toFile: path, atomically: true, encoding: .utf8)
            #expect {
                try Dataset(path: path)
            } throws: { error in
                guard case let .openFailed(failedPath, reason) = error as? GeoError else { return false }
                return failedPath == path && !reason.isEmpty && reason != "no such file"
            }
        }
    }

    @Test func aBandThatDoesNotExistIsNoSuchBand() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/a.tif"
            try writeRaster(path, grid: try Grid(crs: "EPSG:4326", resolution: 1, bounds: [0, 0, 2, 2])) { _, _ in 1 }
            let dataset = try Dataset(path: path)
            #expect(throws: GeoError.noSuchBand(path: path, band: 2, count: 1)) { try dataset.band(2) }
            #expect(throws: GeoError.noSuchBand(path: path, band: 0, count: 1)) { try dataset.band(0) }
            #expect(GeoError.noSuchBand(path: path, band: 2, count: 1).description == "\(path) has no band 2 (it has 1)")
        }
    }

    @Test func readingOutsideTheRasterOrIntoAShortBufferFails() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/a.tif"
            try writeRaster(path, grid: try Grid(crs: "EPSG:4326", resolution: 1, bounds: [0, 0, 4, 4])) { _, _ in 1 }
            let band = try Dataset(path: path).band(1)
            var buffer = [Float](repeating: 0, count: 4)
            #expect {
                try buffer.withUnsafeMutableBufferPointer { (p) throws(GeoError) in
                    try band.read(Window(column: 3, row: 3, width: 2, height: 2), into: p)
                }
            } throws: { error in
                guard case .readFailed(let failedPath, _) = error as? GeoError else { return false }
                return failedPath == path
            }
            #expect {
                try buffer.withUnsafeMutableBufferPointer { (p) throws(GeoError) in
                    try band.read(Window(column: 0, row: 0, width: 3, height: 3), into: p)
                }
            } throws: { error in
                guard case .invalidArgument = error as? GeoError else { return false }
                return true
            }
        }
    }

    @Test func creatingWithAnUnknownDriverFails() throws {
        try withTemporaryFolder { folder in
            #expect {
                try Dataset(creating: folder + "/a.xyz", driver: "NoSuchDriver", grid: Self.grid3035, bands: 1, type: .byte)
            } throws: { error in
                guard case .createFailed = error as? GeoError else { return false }
                return true
            }
        }
    }

    @Test func aRasterWithoutGeoreferencingSaysSo() throws {
        try withTemporaryFolder { folder in
            let png = folder + "/plain.png"
            var rgba = [UInt8](repeating: 255, count: 4 * 4 * 4)
            rgba[0] = 0
            let data = try rgba.withUnsafeBufferPointer { (p) throws(GeoError) in
                try ImageEncoder.encode(rgba: p, width: 4, height: 4, format: .png)
            }
            try data.write(to: URL(fileURLWithPath: png))
            #expect(throws: GeoError.notGeoreferenced(path: png)) { try Dataset(path: png).grid() }
        }
    }
}
