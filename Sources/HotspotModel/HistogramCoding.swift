import Foundation

/// Little-endian bytes, for the files a sharded run's phases hand each other (histograms and rank tables): exact
/// integers and float bit patterns, so a merge reads back exactly what a shard summed.
public struct ByteWriter {
    public private(set) var data = Data()

    public init(magic: String) { data.append(contentsOf: Array(magic.utf8)) }

    public mutating func put<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    public mutating func put(_ value: Float) { put(value.bitPattern) }
    public mutating func put(_ value: Double) { put(value.bitPattern) }
}

/// Reads what `ByteWriter` wrote; a short or foreign file is an error, never a wrong value.
public struct ByteReader {
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    private let data: Data
    private var offset: Int

    public init(_ data: Data, magic: String) throws(Malformed) {
        let expected = Array(magic.utf8)
        guard data.count >= expected.count, Array(data.prefix(expected.count)) == expected else {
            throw Malformed(description: "not a \(magic.trimmingCharacters(in: .whitespacesAndNewlines)) file")
        }
        self.data = data
        offset = data.startIndex + expected.count
    }

    public mutating func get<T: FixedWidthInteger>(_: T.Type = T.self) throws(Malformed) -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= data.endIndex else { throw Malformed(description: "the file ends too early") }
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { target in
            data.copyBytes(to: target.bindMemory(to: UInt8.self), from: offset..<offset + size)
        }
        offset += size
        return T(littleEndian: value)
    }

    public mutating func getFloat() throws(Malformed) -> Float { Float(bitPattern: try get(UInt32.self)) }
    public mutating func getDouble() throws(Malformed) -> Double { Double(bitPattern: try get(UInt64.self)) }

    /// A count that must not exceed `limit` (a damaged file must not allocate terabytes).
    public mutating func count(atMost limit: Int) throws(Malformed) -> Int {
        let n = Int(try get(UInt64.self))
        guard n <= limit else { throw Malformed(description: "a count of \(n) passes \(limit)") }
        return n
    }

    public var atEnd: Bool { offset == data.endIndex }
}

extension PercentileHistogram {
    /// The bins that hold values, with their sums (what `merge` reads); the per-call repeat stamps are not kept,
    /// since they only matter while values are added.
    public func encode(into writer: inout ByteWriter) {
        let used = area.indices.filter { count[$0] > 0 }
        writer.put(totalUnits)
        writer.put(Int64(totalCount))
        writer.put(UInt64(used.count))
        for b in used {
            writer.put(UInt32(b))
            writer.put(area[b])
            writer.put(count[b])
            writer.put(low[b])
            writer.put(high[b])
            writer.put(repeats[b])
        }
    }

    public init(from reader: inout ByteReader) throws(ByteReader.Malformed) {
        var h = PercentileHistogram()
        h.totalUnits = try reader.get()
        h.totalCount = Int(try reader.get(Int64.self))
        let bins = h.area.count
        for _ in 0..<(try reader.count(atMost: bins)) {
            let b = Int(try reader.get(UInt32.self))
            guard b < bins else { throw .init(description: "bin \(b) is outside the histogram") }
            h.area[b] = try reader.get()
            h.count[b] = try reader.get()
            h.low[b] = try reader.getFloat()
            h.high[b] = try reader.getFloat()
            h.repeats[b] = try reader.get()
        }
        self = h
    }

    /// The refinement installed by `refine(with:)`, when there is one (a rank table keeps it).
    public var installedRefinement: BinRefinement? { refinement }
}

extension BinRefinement {
    /// The refined bins and their non-empty slots.
    public func encode(into writer: inout ByteWriter) {
        let bins = heavy.indices.filter { heavy[$0] >= 0 }
        writer.put(UInt64(bins.count))
        for b in bins { writer.put(UInt32(b)) }
        let used = area.indices.filter { area[$0] != 0 }
        writer.put(UInt64(used.count))
        for s in used {
            writer.put(UInt32(s))
            writer.put(area[s])
        }
    }

    public init(from reader: inout ByteReader) throws(ByteReader.Malformed) {
        let bins = 1 << PercentileHistogram.binBits
        var heavy = [Int32](repeating: -1, count: bins)
        let refined = try reader.count(atMost: 1 << 16)
        for k in 0..<refined {
            let b = Int(try reader.get(UInt32.self))
            guard b < bins else { throw .init(description: "bin \(b) is outside the histogram") }
            heavy[b] = Int32(k)
        }
        var area = [UInt64](repeating: 0, count: refined * Self.subCount)
        for _ in 0..<(try reader.count(atMost: area.count)) {
            let s = Int(try reader.get(UInt32.self))
            guard s < area.count else { throw .init(description: "slot \(s) is outside the refinement") }
            area[s] = try reader.get()
        }
        self.init(heavy: heavy, area: area)
    }
}
