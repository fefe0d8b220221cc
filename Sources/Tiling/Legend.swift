import Foundation
import GeoKit

/// A legend PNG for a ramp: the title, the units, then a colour bar with labelled stops (continuous), one swatch per
/// step (stepped) or per class (categorical). Text is drawn with FreeType and DejaVu Sans.
public enum Legend {
    /// The words of a legend, for legends in other languages than the ramp's own.
    public struct Texts: Sendable {
        public var title: String
        public var units: String
        /// Class labels by class code (categorical ramps); a missing code keeps the ramp's label.
        public var classLabels: [Int: String] = [:]
        /// "0 to 10", "90 or more" (stepped ramps).
        public var to = "to"
        public var orMore = "or more"
        /// A value the map's reader must see (the hotspot threshold of a score), marked under the bar with its words.
        public var threshold: (value: Double, label: String)?
        /// Classes left out (none of the run's pixels is in them).
        public var omittedClasses: Set<Int> = []

        public init(title: String, units: String, classLabels: [Int: String] = [:], to: String = "to",
                    orMore: String = "or more", threshold: (value: Double, label: String)? = nil,
                    omittedClasses: Set<Int> = []) {
            self.title = title
            self.units = units
            self.classLabels = classLabels
            self.to = to
            self.orMore = orMore
            self.threshold = threshold
            self.omittedClasses = omittedClasses
        }
    }

    public static func png(for ramp: ColourRamp, title: String) throws(GeoError) -> Data {
        try png(for: ramp, texts: Texts(title: title, units: ramp.spec.units))
    }

    public static func png(for ramp: ColourRamp, texts: Texts) throws(GeoError) -> Data {
        let spec = ramp.spec, title = texts.title
        let text = try TextRasterizer()
        let width = 300, rowHeight = 22
        let classes = spec.classes.filter { !texts.omittedClasses.contains($0.code) }
        let marked = spec.kind == .continuous ? texts.threshold : nil
        let rows = spec.kind == .continuous ? 3 : (spec.kind == .stepped ? spec.stops.count : classes.count)
        let height = 48 + rows * rowHeight + 8 + (marked == nil ? 0 : 18)
        var rgba = [UInt8](repeating: 255, count: width * height * 4)
        rgba.withUnsafeMutableBufferPointer { canvas in
            func fill(_ x0: Int, _ y0: Int, _ w: Int, _ h: Int, _ c: RampSpec.RGBA) {
                for y in y0..<min(height, y0 + h) {
                    for x in x0..<min(width, x0 + w) {
                        let i = (y * width + x) * 4, a = Int(c.a)
                        // Over white, so that translucent colours look as they will over a light base map.
                        canvas[i] = UInt8((Int(c.r) * a + 255 * (255 - a)) / 255)
                        canvas[i + 1] = UInt8((Int(c.g) * a + 255 * (255 - a)) / 255)
                        canvas[i + 2] = UInt8((Int(c.b) * a + 255 * (255 - a)) / 255)
                        canvas[i + 3] = 255
                    }
                }
            }
            let ink: (UInt8, UInt8, UInt8) = (30, 30, 30)
            text.draw(title, x: 10, y: 20, size: 15, color: ink, into: canvas, width: width, height: height)
            text.draw(texts.units, x: 10, y: 38, size: 12, color: (90, 90, 90), into: canvas, width: width, height: height)
            switch spec.kind {
            case .continuous:
                let barX = 14, barWidth = width - 28, barY = 50
                let low = spec.stops.first!.value, high = spec.stops.last!.value
                for x in 0..<barWidth {
                    let value = low + (high - low) * Double(x) / Double(barWidth - 1)
                    fill(barX + x, barY, 1, 18, ColourRamp.colour(at: value, spec: spec))
                }
                for stop in spec.stops {
                    let x = barX + Int(Double(barWidth - 1) * (stop.value - low) / (high - low))
                    fill(x, barY + 18, 1, 5, RampSpec.RGBA(r: 30, g: 30, b: 30))
                    let label = format(stop.value)
                    let w = text.width(of: label, size: 11)
                    text.draw(label, x: min(width - w - 2, max(2, x - w / 2)), y: barY + 36, size: 11, color: ink,
                              into: canvas, width: width, height: height)
                }
                if let marked, marked.value > low, marked.value < high {
                    // A bracket from the threshold to the end of the bar: where the hotspots are.
                    let x = barX + Int(Double(barWidth - 1) * (marked.value - low) / (high - low)), y = barY + 44
                    let dark = RampSpec.RGBA(r: 140, g: 20, b: 20)
                    fill(x, y, barX + barWidth - x, 2, dark)
                    fill(x, y - 4, 2, 6, dark)
                    fill(barX + barWidth - 2, y - 4, 2, 6, dark)
                    let w = text.width(of: marked.label, size: 11)
                    text.draw(marked.label, x: max(2, min(width - w - 2, x + (barX + barWidth - x) / 2 - w / 2)), y: y + 15,
                              size: 11, color: (140, 20, 20), into: canvas, width: width, height: height)
                }
            case .stepped:
                for (i, stop) in spec.stops.enumerated() {
                    let y = 48 + i * rowHeight
                    fill(12, y + 3, 26, 16, stop.color)
                    let label = i + 1 < spec.stops.count
                        ? "\(format(stop.value)) \(texts.to) \(format(spec.stops[i + 1].value))"
                        : "\(format(stop.value)) \(texts.orMore)"
                    text.draw(label, x: 46, y: y + 16, size: 12, color: ink, into: canvas, width: width, height: height)
                }
            case .categorical:
                for (i, entry) in classes.enumerated() {
                    let y = 48 + i * rowHeight
                    fill(12, y + 3, 26, 16, entry.color)
                    text.draw(texts.classLabels[entry.code] ?? entry.label, x: 46, y: y + 16, size: 12, color: ink, into: canvas, width: width,
                              height: height)
                }
            }
        }
        return try rgba.withUnsafeBufferPointer { (p) throws(GeoError) in
            try ImageEncoder.encode(rgba: p, width: width, height: height, format: .png)
        }
    }

    public static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }
}
