import CGDAL
import Foundation

/// Encodes RGBA pixel buffers as PNG or WebP with GDAL's drivers, in memory (`/vsimem/`), without copying the pixels:
/// a MEM dataset points at the caller's buffer.
public enum ImageEncoder {
    public enum Format: String, Sendable, CaseIterable {
        case png, webp

        var driver: String { self == .png ? "PNG" : "WEBP" }
        public var mimeType: String { self == .png ? "image/png" : "image/webp" }
    }

    /// Encodes `rgba` (`width` x `height` pixels, 4 bytes each, row by row). PNG takes `ZLEVEL`, WebP `QUALITY` or
    /// `LOSSLESS` as `options`.
    public static func encode(
        rgba: UnsafeBufferPointer<UInt8>, width: Int, height: Int, format: Format, options: [String: String] = [:]
    ) throws(GeoError) -> Data {
        GDALRuntime.initialize()
        guard rgba.count >= width * height * 4, let base = rgba.baseAddress else {
            throw .invalidArgument("RGBA buffer too small for \(width)x\(height)")
        }
        guard let mem = GDALGetDriverByName("MEM"), let driver = GDALGetDriverByName(format.driver) else {
            throw .createFailed(path: "/vsimem", reason: "GDAL lacks the MEM or \(format.driver) driver")
        }
        guard let dataset = GDALCreate(mem, "", Int32(width), Int32(height), 0, GDT_Byte, nil) else {
            throw .createFailed(path: "/vsimem", reason: GDALRuntime.lastError(or: "MEM dataset"))
        }
        defer { GDALClose(dataset) }
        for band in 0..<4 {
            let pointer = UInt(bitPattern: base + band)
            let options = StringList(["DATAPOINTER=\(pointer)", "PIXELOFFSET=4", "LINEOFFSET=\(width * 4)"])
            guard GDALAddBand(dataset, GDT_Byte, options.pointer) == CE_None else {
                throw .createFailed(path: "/vsimem", reason: GDALRuntime.lastError(or: "MEM band"))
            }
            GDALSetRasterColorInterpretation(GDALGetRasterBand(dataset, Int32(band + 1)),
                                             [GCI_RedBand, GCI_GreenBand, GCI_BlueBand, GCI_AlphaBand][band])
        }
        let path = "/vsimem/hotspot-\(UUID().uuidString).\(format.rawValue)"
        let list = StringList(options: options)
        GDALRuntime.resetError()
        guard let out = GDALCreateCopy(driver, path, dataset, 0, list.pointer, nil, nil) else {
            throw .writeFailed(path: path, reason: GDALRuntime.lastError(or: "\(format.driver) encoding failed"))
        }
        GDALClose(out)
        var length: vsi_l_offset = 0
        guard let bytes = VSIGetMemFileBuffer(path, &length, 1) else {
            throw .writeFailed(path: path, reason: "encoded image not found in memory")
        }
        defer { VSIFree(bytes) }
        return Data(bytes: bytes, count: Int(length))
    }
}
