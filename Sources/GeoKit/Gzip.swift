import CDeflate
import Foundation

/// gzip (RFC 1952) members through libdeflate, for formats that store gzip-compressed parts (PMTiles directories and
/// metadata).
public enum Gzip {
    public static func compress(_ data: [UInt8], level: Int = 9) -> [UInt8] {
        guard let compressor = libdeflate_alloc_compressor(Int32(level)) else { fatalError("libdeflate: out of memory") }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_gzip_compress_bound(compressor, data.count)
        var output = [UInt8](repeating: 0, count: bound)
        let size = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                libdeflate_gzip_compress(compressor, input.baseAddress, data.count, out.baseAddress, bound)
            }
        }
        return Array(output.prefix(size))
    }

    /// The data of a gzip member, or nil if it is not one.
    public static func decompress(_ data: [UInt8]) -> [UInt8]? {
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        // ISIZE, the member's last four bytes, is the size modulo 2^32: enough for what we store.
        guard data.count >= 18 else { return nil }
        let size = Int(UInt32(data[data.count - 4]) | UInt32(data[data.count - 3]) << 8
                       | UInt32(data[data.count - 2]) << 16 | UInt32(data[data.count - 1]) << 24)
        var output = [UInt8](repeating: 0, count: size)
        var written = 0
        let result = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                libdeflate_gzip_decompress(decompressor, input.baseAddress, data.count, out.baseAddress, size, &written)
            }
        }
        return result == LIBDEFLATE_SUCCESS && written == size ? output : nil
    }
}
