import Foundation
import GeoKit
import Testing

struct ImageEncoderTests {
    @Test func pngAndWebPEncodingsOpenInGDAL() throws {
        try withTemporaryFolder { folder in
            var rgba = [UInt8](repeating: 0, count: 64 * 32 * 4)
            for i in 0..<64 * 32 {
                rgba[i * 4] = UInt8(i % 256)
                rgba[i * 4 + 3] = i % 3 == 0 ? 0 : 255
            }
            let png = rgba.withUnsafeBufferPointer { PNGEncoder().encode(rgba: $0, width: 64, height: 32) }
            try png.write(to: URL(fileURLWithPath: folder + "/a.png"))
            let back = try Dataset(path: folder + "/a.png")
            #expect(back.width == 64 && back.height == 32 && back.bandCount == 4)
            #expect(try readAll(back, band: 1) == (0..<64 * 32).map { Float($0 % 256) })
            #expect(try readAll(back, band: 4) == (0..<64 * 32).map { $0 % 3 == 0 ? 0 : 255 })
            let webp = try rgba.withUnsafeBufferPointer { (p) throws(GeoError) in
                try ImageEncoder.encode(rgba: p, width: 64, height: 32, format: .webp, options: ["LOSSLESS": "YES"])
            }
            #expect(webp.prefix(4) == Data("RIFF".utf8))
            try webp.write(to: URL(fileURLWithPath: folder + "/a.webp"))
            // Lossless WebP keeps every colour where the pixel is visible (it may change those under alpha 0).
            let webpBack = try Dataset(path: folder + "/a.webp")
            let red = try readAll(webpBack, band: 1), alpha = try readAll(webpBack, band: 4)
            #expect(alpha == (0..<64 * 32).map { $0 % 3 == 0 ? 0 : 255 })
            #expect((0..<64 * 32).allSatisfy { alpha[$0] == 0 || red[$0] == Float($0 % 256) })
        }
    }
}
