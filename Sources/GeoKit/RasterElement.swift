import CGDAL

/// A Swift type a band can be read into or written from, with its GDAL data type.
public protocol RasterElement: Sendable {
    static var gdalType: GDALDataType { get }
}

extension Float: RasterElement { public static var gdalType: GDALDataType { GDT_Float32 } }
extension Double: RasterElement { public static var gdalType: GDALDataType { GDT_Float64 } }
extension UInt8: RasterElement { public static var gdalType: GDALDataType { GDT_Byte } }
extension Int16: RasterElement { public static var gdalType: GDALDataType { GDT_Int16 } }
extension UInt16: RasterElement { public static var gdalType: GDALDataType { GDT_UInt16 } }
extension Int32: RasterElement { public static var gdalType: GDALDataType { GDT_Int32 } }

/// The storage type of a band.
public enum PixelType: String, Sendable, CaseIterable {
    case byte = "Byte", uint16 = "UInt16", int16 = "Int16", uint32 = "UInt32", int32 = "Int32"
    case float32 = "Float32", float64 = "Float64"

    var gdal: GDALDataType {
        switch self {
        case .byte: GDT_Byte
        case .uint16: GDT_UInt16
        case .int16: GDT_Int16
        case .uint32: GDT_UInt32
        case .int32: GDT_Int32
        case .float32: GDT_Float32
        case .float64: GDT_Float64
        }
    }

    init?(gdal: GDALDataType) {
        guard let type = Self.allCases.first(where: { $0.gdal == gdal }) else { return nil }
        self = type
    }

    public var isInteger: Bool { self != .float32 && self != .float64 }
}

/// Resampling methods, named as GDAL names them.
public enum Resampling: String, Sendable, CaseIterable, Codable {
    case nearest = "near", bilinear, cubic, average, mode

    var rasterIO: GDALRIOResampleAlg {
        switch self {
        case .nearest: GRIORA_NearestNeighbour
        case .bilinear: GRIORA_Bilinear
        case .cubic: GRIORA_Cubic
        case .average: GRIORA_Average
        case .mode: GRIORA_Mode
        }
    }
}
