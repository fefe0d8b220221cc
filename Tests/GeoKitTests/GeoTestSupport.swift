import Foundation
import GeoKit
import Testing

/// Runs `body` with a temporary folder of its own (temporary directory + UUID), removed afterwards. Datasets opened
/// inside are released before the folder goes.
@discardableResult
func withTemporaryFolder<R>(_ body: (String) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("geokit-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// Runs one of GDAL's command-line tools (`/usr/bin/<name>`); returns its exit status, stdout and stderr.
@discardableResult
func runTool(
    _ name: String, _ arguments: [String], input: String? = nil
) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/\(name)")
    process.arguments = arguments
    let out = Pipe(), err = Pipe(), stdin = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input == nil ? FileHandle.nullDevice : stdin
    try process.run()
    if let input {
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
    }
    // Read both pipes before waiting, stderr on another thread: a full pipe would block the tool.
    let errData = DataBox(), reading = DispatchGroup()
    let errHandle = err.fileHandleForReading
    DispatchQueue.global().async(group: reading) { errData.data = errHandle.readDataToEndOfFile() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    reading.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self),
            String(decoding: errData.data, as: UTF8.self))
}

private final class DataBox: @unchecked Sendable {
    // Written by one reader thread before `DispatchGroup.wait()` returns, read after.
    var data = Data()
}

/// Writes a Float32 GeoTIFF on `grid` whose value at (column, row) is `value(column, row)`.
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

/// Band `band` of a dataset, whole, as Float.
func readAll(_ dataset: Dataset, band: Int = 1) throws -> [Float] {
    var values = [Float](repeating: 0, count: dataset.width * dataset.height)
    let window = Window(column: 0, row: 0, width: dataset.width, height: dataset.height)
    let b = try dataset.band(band)
    try values.withUnsafeMutableBufferPointer { (p) throws(GeoError) in try b.read(window, into: p) }
    return values
}
