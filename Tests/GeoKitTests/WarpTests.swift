import Foundation
import GeoKit
import Testing

struct WarpTests {
    /// A small EPSG:3035 raster over southern Germany with a smooth field, a nodata corner and a few holes.
    static let source = try! Grid(crs: "EPSG:3035", resolution: 2000, bounds: [3_800_000, 2_800_000, 4_200_000, 3_200_000])
    static let target = try! Grid(crs: "EPSG:4326", resolution: 0.05, bounds: [8, 48, 12, 51])

    static func writeSource(_ path: String) throws {
        try writeRaster(path, grid: source, noData: -9999) { c, r in
            if c > 180 && r < 10 || (c * 7 + r * 3) % 97 == 0 { return -9999 }
            return Float(sin(Double(c) / 9) * 50 + Double(r) + Double(c * r % 13) / 7)
        }
    }

    @Test(arguments: [Resampling.bilinear, .nearest, .average, .cubic])
    func warpingEqualsTheGdalwarpCommandPixelForPixel(_ resampling: Resampling) throws {
        try withTemporaryFolder { folder in
            try Self.writeSource(folder + "/src.tif")
            let warped = try Dataset(path: folder + "/src.tif").warped(onto: Self.target, resampling: resampling)
            #expect(warped.width == Self.target.width && warped.height == Self.target.height)
            #expect(try warped.grid().geoTransform == Self.target.geoTransform)
            #expect(try warped.band(1).noDataValue == -9999)
            let ours = try readAll(warped)
            let arguments = Dataset.warpArguments(onto: Self.target, resampling: resampling)
            let result = try runTool("gdalwarp", ["-q"] + arguments + [folder + "/src.tif", folder + "/gdal.tif"])
            #expect(result.status == 0, "\(result.err)")
            let theirs = try readAll(try Dataset(path: folder + "/gdal.tif"))
            #expect(ours.count == theirs.count)
            var different = 0, firstDifference = ""
            for i in ours.indices where ours[i].bitPattern != theirs[i].bitPattern {
                if different == 0 { firstDifference = "pixel \(i): \(ours[i]) vs \(theirs[i])" }
                different += 1
            }
            #expect(different == 0, "\(different) pixels differ, first \(firstDifference)")
            #expect(ours.contains(-9999) && ours.contains { $0 != -9999 }, "the comparison covers data and nodata")
        }
    }

    /// Integer-coded layers (SoilGrids stores Int16) are interpolated in Float32, then rounded by nobody: warping in
    /// the source's Int16 rounded every interpolated value before `scale` was applied.
    @Test func integerLayersAreWarpedInFloat32() throws {
        try withTemporaryFolder { folder in
            let dataset = try Dataset(creating: folder + "/int16.tif", grid: Self.source, bands: 1, type: .int16)
            var values = [Int16](repeating: 0, count: Self.source.pixelCount)
            for i in values.indices { values[i] = Int16((i % Self.source.width) % 2) * 3 }  // 0, 3, 0, 3 ...
            try values.withUnsafeBufferPointer { (p) throws(GeoError) in
                try dataset.band(1).write(Window(column: 0, row: 0, width: Self.source.width, height: Self.source.height), from: p)
            }
            try dataset.close()
            let warped = try Dataset(path: folder + "/int16.tif").warped(onto: Self.target, resampling: .bilinear, float: true)
            let ours = try readAll(warped)
            #expect(ours.contains { $0 != $0.rounded() }, "interpolated values keep their fractions")
            let arguments = Dataset.warpArguments(onto: Self.target, resampling: .bilinear, float: true)
            #expect(arguments.contains("-wt") && arguments.contains("Float32"))
            let result = try runTool("gdalwarp", ["-q"] + arguments + [folder + "/int16.tif", folder + "/gdal.tif"])
            #expect(result.status == 0, "\(result.err)")
            let theirs = try readAll(try Dataset(path: folder + "/gdal.tif"))
            #expect(ours == theirs, "the same as gdalwarp -ot Float32 -wt Float32")
        }
    }

    @Test func warpArgumentsDescribeTheTargetGrid() {
        let arguments = Dataset.warpArguments(onto: Self.target, resampling: .bilinear, noData: -1)
        #expect(arguments == ["-srcnodata", "-1.0", "-dstnodata", "-1.0", "-t_srs", "EPSG:4326",
                              "-te", "8.0", "48.0", "12.0", "51.0", "-ts", "80", "60", "-r", "bilinear"])
    }

    static func writeTwoBands(_ path: String) throws {
        let dataset = try Dataset(creating: path, grid: source, bands: 2, type: .float32)
        let ones = [Float](repeating: 1, count: source.pixelCount), twos = ones.map { $0 * 2 }
        let all = Window(column: 0, row: 0, width: source.width, height: source.height)
        try ones.withUnsafeBufferPointer { (p) throws(GeoError) in try dataset.band(1).write(all, from: p) }
        try twos.withUnsafeBufferPointer { (p) throws(GeoError) in try dataset.band(2).write(all, from: p) }
        try dataset.close()
    }

    @Test func aSecondBandCanBeWarpedWhileItsDatasetIsKept() throws {
        try withTemporaryFolder { folder in
            try Self.writeTwoBands(folder + "/two.tif")
            let original = try Dataset(path: folder + "/two.tif")
            let warped = try original.warped(onto: Self.target, resampling: .nearest, bands: [2])
            #expect(warped.bandCount == 1)
            let values = try readAll(warped)
            #expect(values.contains(2) && !values.contains(1), "band 2, not band 1")
            withExtendedLifetime(original) {}
        }
    }

    /// The band-selecting VRT refers to its source: `translate` keeps that source open for as long as the VRT lives.
    @Test
    func aSecondBandCanBeWarpedFromADatasetThatIsNotKept() throws {
        try withTemporaryFolder { folder in
            try Self.writeTwoBands(folder + "/two.tif")
            let warped = try Dataset(path: folder + "/two.tif").warped(onto: Self.target, resampling: .nearest, bands: [2])
            let values = try readAll(warped)
            #expect(values.contains(2) && !values.contains(1))
        }
    }
}

struct COGTests {
    @Test func writeCOGMakesACloudOptimizedGeoTIFFWithTheSameValues() throws {
        try withTemporaryFolder { folder in
            let grid = try Grid(crs: "EPSG:4326", resolution: 0.01, bounds: [0, 0, 10, 6])
            try writeRaster(folder + "/a.tif", grid: grid, noData: -1) { Float(($0 + 3 * $1) % 250) }
            try Dataset(path: folder + "/a.tif").writeCOG(to: folder + "/cog.tif", predictor: true,
                                                          overviewResampling: .average)
            let info = try runTool("gdalinfo", [folder + "/cog.tif"])
            #expect(info.status == 0)
            #expect(info.out.contains("LAYOUT=COG"), "\(info.out)")
            #expect(info.out.contains("COMPRESSION=ZSTD") && info.out.contains("Overviews:"))
            #expect(info.out.contains("NoData Value=-1"))
            let cog = try Dataset(path: folder + "/cog.tif")
            let original = try Dataset(path: folder + "/a.tif")
            #expect(try cog.grid() == original.grid())
            #expect(try readAll(cog) == readAll(original))
            let band = try cog.band(1)
            #expect(band.blockSize == (512, 512) && band.overviewCount >= 1)
        }
    }

    @Test func writeCOGTakesTheChosenCodec() throws {
        try withTemporaryFolder { folder in
            let grid = try Grid(crs: "EPSG:4326", resolution: 0.05, bounds: [0, 0, 10, 6])
            try writeRaster(folder + "/a.tif", grid: grid) { Float($0 * $1) }
            try Dataset(path: folder + "/a.tif").writeCOG(to: folder + "/cog.tif", compression: .deflate(level: 6),
                                                          predictor: false, overviewResampling: .nearest, blockSize: 256)
            let info = try runTool("gdalinfo", [folder + "/cog.tif"])
            #expect(info.out.contains("LAYOUT=COG") && info.out.contains("COMPRESSION=DEFLATE"))
        }
    }
}
