/// A rectangle of pixels: the unit of every read and write.
public struct Window: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var column: Int
    public var row: Int
    public var width: Int
    public var height: Int

    public init(column: Int, row: Int, width: Int, height: Int) {
        self.column = column
        self.row = row
        self.width = width
        self.height = height
    }

    public var pixelCount: Int { width * height }
    public var description: String { "\(width)x\(height) at (\(column), \(row))" }

    /// Splits a `width` x `height` raster into strips of whole rows, `rows` high (the last may be shorter).
    public static func strips(width: Int, height: Int, rows: Int) -> [Window] {
        stride(from: 0, to: height, by: max(1, rows)).map {
            Window(column: 0, row: $0, width: width, height: min(rows, height - $0))
        }
    }
}
