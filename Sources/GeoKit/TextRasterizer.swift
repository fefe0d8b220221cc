import CFreeType
import Foundation

/// Draws text into RGBA buffers with FreeType (for legends). Not shared across threads.
public final class TextRasterizer {
    private var library: FT_Library?
    private var face: FT_Face?
    public let fontPath: String

    /// The fonts tried when none is given: Debian's DejaVu Sans (fonts-dejavu-core).
    public static let defaultFonts = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    ]

    public init(fontPath: String? = nil) throws(GeoError) {
        guard let path = fontPath ?? Self.defaultFonts.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw .openFailed(path: Self.defaultFonts[0], reason: "no font found (install fonts-dejavu-core)")
        }
        self.fontPath = path
        guard FT_Init_FreeType(&library) == 0 else { throw .openFailed(path: path, reason: "FreeType failed to start") }
        guard FT_New_Face(library, path, 0, &face) == 0 else {
            FT_Done_FreeType(library)
            throw .openFailed(path: path, reason: "not a font FreeType can read")
        }
    }

    deinit {
        FT_Done_Face(face)
        FT_Done_FreeType(library)
    }

    /// Width in pixels of `text` at `size` pixels.
    public func width(of text: String, size: Int) -> Int {
        FT_Set_Pixel_Sizes(face, 0, FT_UInt(size))
        var width = 0
        for scalar in text.unicodeScalars where FT_Load_Char(face, FT_ULong(scalar.value), FT_Int32(FT_LOAD_DEFAULT)) == 0 {
            width += Int(face!.pointee.glyph.pointee.advance.x >> 6)
        }
        return width
    }

    /// Draws `text` with its baseline at (x, y) into `rgba` (`width` x `height`), blending by glyph coverage.
    public func draw(
        _ text: String, x: Int, y: Int, size: Int, color: (UInt8, UInt8, UInt8),
        into rgba: UnsafeMutableBufferPointer<UInt8>, width: Int, height: Int
    ) {
        FT_Set_Pixel_Sizes(face, 0, FT_UInt(size))
        var penX = x
        for scalar in text.unicodeScalars {
            guard FT_Load_Char(face, FT_ULong(scalar.value), FT_Int32(FT_LOAD_RENDER)) == 0 else { continue }
            let glyph = face!.pointee.glyph.pointee
            let bitmap = glyph.bitmap
            let left = penX + Int(glyph.bitmap_left), top = y - Int(glyph.bitmap_top)
            for row in 0..<Int(bitmap.rows) {
                for column in 0..<Int(bitmap.width) {
                    let px = left + column, py = top + row
                    guard px >= 0, py >= 0, px < width, py < height else { continue }
                    let coverage = Int(bitmap.buffer[row * Int(bitmap.pitch) + column])
                    guard coverage > 0 else { continue }
                    let i = (py * width + px) * 4
                    for (k, c) in [color.0, color.1, color.2].enumerated() {
                        rgba[i + k] = UInt8((Int(c) * coverage + Int(rgba[i + k]) * (255 - coverage)) / 255)
                    }
                    rgba[i + 3] = UInt8(max(Int(rgba[i + 3]), coverage))
                }
            }
            penX += Int(glyph.advance.x >> 6)
        }
    }
}
