import Foundation

/// A colour ramp as configured in `Config/ramps/<name>.yaml`: continuous (interpolated between stops), stepped
/// (each stop's colour up to the next stop) or categorical (a colour and label per class code). Colours are `#rrggbb`
/// or `#rrggbbaa`.
public struct RampSpec: Sendable, Equatable {
    public enum Kind: String, Sendable { case continuous, stepped, categorical }

    public struct RGBA: Sendable, Equatable {
        public var r, g, b, a: UInt8

        public init(r: UInt8, g: UInt8, b: UInt8, a: UInt8 = 255) {
            self.r = r
            self.g = g
            self.b = b
            self.a = a
        }

        /// Parses `#rrggbb` or `#rrggbbaa`.
        public init?(hex: String) {
            var digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
            if digits.count == 6 { digits += "ff" }
            guard digits.count == 8, let value = UInt32(digits, radix: 16) else { return nil }
            self.init(r: UInt8(value >> 24), g: UInt8((value >> 16) & 0xff), b: UInt8((value >> 8) & 0xff),
                      a: UInt8(value & 0xff))
        }

        public var hex: String { String(format: "#%02x%02x%02x%02x", r, g, b, a) }
    }

    public var name: String
    public var kind: Kind
    public var units: String
    /// Value and colour, ascending (continuous and stepped).
    public var stops: [(value: Double, color: RGBA)]
    /// Code, colour and label (categorical).
    public var classes: [(code: Int, color: RGBA, label: String)]

    public static func == (a: RampSpec, b: RampSpec) -> Bool {
        a.name == b.name && a.kind == b.kind && a.units == b.units
            && a.stops.map(\.value) == b.stops.map(\.value) && a.stops.map(\.color) == b.stops.map(\.color)
            && a.classes.map(\.code) == b.classes.map(\.code) && a.classes.map(\.color) == b.classes.map(\.color)
    }

    public init(name: String, kind: Kind, units: String, stops: [(value: Double, color: RGBA)],
                classes: [(code: Int, color: RGBA, label: String)]) {
        self.name = name
        self.kind = kind
        self.units = units
        self.stops = stops
        self.classes = classes
    }
}
