import CDeflate
import Foundation

/// A PNG encoder for map tiles: 8-bit RGBA, each row filtered with "Up" (or "Sub" for the first), compressed with
/// libdeflate (the fast DEFLATE that GDAL itself links). Two to three times faster than GDAL's PNG driver through
/// libpng's adaptive filters and zlib, for files a little larger. One encoder per thread.
public final class PNGEncoder {
    private let compressor: OpaquePointer
    private var filtered: [UInt8] = []
    private var compressed: [UInt8] = []

    /// `level` 1 (fastest) to 12 (smallest).
    public init(level: Int = 6) {
        compressor = libdeflate_alloc_compressor(Int32(level))
    }

    deinit { libdeflate_free_compressor(compressor) }

    public func encode(rgba: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> Data {
        let stride = width * 4
        let rawSize = (stride + 1) * height
        if filtered.count < rawSize { filtered = [UInt8](repeating: 0, count: rawSize) }
        filtered.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let row = y * (stride + 1), source = y * stride
                if y == 0 {
                    out[row] = 1  // Sub: difference from the pixel to the left.
                    for x in 0..<stride { out[row + 1 + x] = x < 4 ? rgba[x] : rgba[x] &- rgba[x - 4] }
                } else {
                    out[row] = 2  // Up: difference from the pixel above.
                    for x in 0..<stride { out[row + 1 + x] = rgba[source + x] &- rgba[source - stride + x] }
                }
            }
        }
        let bound = libdeflate_zlib_compress_bound(compressor, rawSize)
        if compressed.count < bound { compressed = [UInt8](repeating: 0, count: bound) }
        let size = filtered.withUnsafeBytes { input in
            compressed.withUnsafeMutableBytes { output in
                libdeflate_zlib_compress(compressor, input.baseAddress, rawSize, output.baseAddress, bound)
            }
        }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        png.reserveCapacity(size + 64)
        var header = Data()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header.append(contentsOf: [8, 6, 0, 0, 0])  // 8 bits, RGBA, deflate, adaptive filters, no interlace
        Self.chunk("IHDR", header, into: &png)
        compressed.withUnsafeBufferPointer { Self.chunk("IDAT", Data(buffer: UnsafeBufferPointer(rebasing: $0[0..<size])), into: &png) }
        Self.chunk("IEND", Data(), into: &png)
        return png
    }

    private static func chunk(_ type: String, _ body: Data, into png: inout Data) {
        png.appendBigEndian(UInt32(body.count))
        var typed = Data(type.utf8)
        typed.append(body)
        let crc = typed.withUnsafeBytes { libdeflate_crc32(0, $0.baseAddress, $0.count) }
        png.append(typed)
        png.appendBigEndian(crc)
    }
}

private extension Data {
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff),
                            UInt8(value & 0xff)])
    }
}
