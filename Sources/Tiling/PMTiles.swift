import Foundation
import GeoKit

/// PMTiles v3 (protomaps.com/docs/pmtiles, spec v3): a pyramid in one file that a static web server or object store
/// serves with HTTP Range requests. Layout: a 127-byte header, the root directory, the metadata JSON, the leaf
/// directories, then the tile data in tile-id order ("clustered"). Directories and metadata are gzip members; tiles
/// are stored as they are (PNG or WebP). Identical tiles (uniform land, one class) are stored once.
public enum PMTiles {
    /// The header and the root directory must fit in the first 16 KiB that readers fetch.
    static let firstReadBytes = 16_384
    static let headerBytes = 127

    /// A tile's id: the tiles of all lower zooms, then the tile's position along the zoom's Hilbert curve.
    public static func tileID(_ tile: Tile) -> UInt64 {
        let z = tile.z
        var id: UInt64 = 0
        for level in 0..<z { id += 1 << (2 * UInt64(level)) }
        let n = UInt64(1) << z
        var x = UInt64(tile.x), y = UInt64(tile.y)
        var s = n >> 1
        while s > 0 {
            let rx: UInt64 = x & s != 0 ? 1 : 0, ry: UInt64 = y & s != 0 ? 1 : 0
            id += s * s * ((3 * rx) ^ ry)
            // Rotate the quadrant so the curve stays continuous (flipping with n instead of s changes only bits
            // above s, which later steps never read).
            if ry == 0 {
                if rx == 1 {
                    x = n - 1 - x
                    y = n - 1 - y
                }
                swap(&x, &y)
            }
            s >>= 1
        }
        return id
    }

    /// A directory entry: `runLength` consecutive tile ids with the same content, or (run length 0) a leaf directory.
    struct Entry: Equatable {
        var tileID: UInt64
        var offset: UInt64
        var length: UInt64
        var runLength: UInt64
    }

    /// A directory as the spec lays it out: count, then columns of id deltas, run lengths, lengths and offsets (0
    /// when the entry follows the previous one), all as varints.
    static func serialize(_ entries: [Entry]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * 6 + 8)
        appendVarint(UInt64(entries.count), to: &bytes)
        var last: UInt64 = 0
        for entry in entries {
            appendVarint(entry.tileID - last, to: &bytes)
            last = entry.tileID
        }
        for entry in entries { appendVarint(entry.runLength, to: &bytes) }
        for entry in entries { appendVarint(entry.length, to: &bytes) }
        for (i, entry) in entries.enumerated() {
            let follows = i > 0 && entry.offset == entries[i - 1].offset + entries[i - 1].length
            appendVarint(follows ? 0 : entry.offset + 1, to: &bytes)
        }
        return bytes
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// The gzip root directory and leaf directories: all entries in the root when it fits the first read, else
    /// leaves of a growing number of entries until the root that points to them fits.
    static func directories(_ entries: [Entry]) -> (root: [UInt8], leaves: [UInt8]) {
        let rootLimit = firstReadBytes - headerBytes
        let whole = Gzip.compress(serialize(entries))
        if whole.count <= rootLimit { return (whole, []) }
        var leafSize = max(4096, entries.count / 2000)
        while true {
            var leaves: [UInt8] = [], rootEntries: [Entry] = []
            for start in stride(from: 0, to: entries.count, by: leafSize) {
                let leaf = Gzip.compress(serialize(Array(entries[start..<min(entries.count, start + leafSize)])))
                rootEntries.append(Entry(tileID: entries[start].tileID, offset: UInt64(leaves.count),
                                         length: UInt64(leaf.count), runLength: 0))
                leaves += leaf
            }
            let root = Gzip.compress(serialize(rootEntries))
            if root.count <= rootLimit { return (root, leaves) }
            leafSize += leafSize / 5
        }
    }

    struct Header {
        var rootLength: UInt64, metadataLength: UInt64, leavesLength: UInt64, dataLength: UInt64
        var addressedTiles: UInt64, entries: UInt64, contents: UInt64
        var tileType: UInt8
        var zooms: ClosedRange<Int>
        /// west, south, east, north and the centre (lon, lat, zoom).
        var bounds: [Double], center: [Double]

        var bytes: [UInt8] {
            var b = Array("PMTiles".utf8) + [3]
            func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
            func i32(_ degrees: Double) { withUnsafeBytes(of: Int32((degrees * 1e7).rounded()).littleEndian) { b += $0 } }
            let root = UInt64(headerBytes), metadata = root + rootLength, leaves = metadata + metadataLength
            let data = leaves + leavesLength
            for v in [root, rootLength, metadata, metadataLength, leaves, leavesLength, data, dataLength,
                      addressedTiles, entries, contents] { u64(v) }
            // Clustered; directories gzip; tiles stored as they are; PNG or WebP.
            b += [1, 2, 1, tileType, UInt8(zooms.lowerBound), UInt8(zooms.upperBound)]
            for v in bounds { i32(v) }
            b.append(UInt8(center[2]))
            i32(center[0])
            i32(center[1])
            return b
        }
    }
}

extension PMTiles {
    /// Writes a PMTiles file at `path` from `tiles` and their bytes (`tileData`): tile data first into a temporary
    /// file (memory holds one tile, the directory and a 24-byte key per distinct tile), then header, directories and metadata, and the data
    /// after them; the file appears under its name only when complete.
    static func write(
        to path: String, tiles: [Tile], tileData: (Tile) throws(TilingError) -> Data, metadata object: [String: Any],
        tileType: UInt8, zooms: ClosedRange<Int>, bounds: [Double], center: [Double]
    ) throws(TilingError) {
        let dataPath = path + ".data.partial", partial = path + ".partial"
        defer {
            unlink(dataPath)
            unlink(partial)
        }
        do {
            _ = FileManager.default.createFile(atPath: dataPath, contents: nil)
            let data = try FileHandle(forWritingTo: URL(fileURLWithPath: dataPath))
            var entries: [Entry] = []
            // Contents already written, by a 128-bit hash of their bytes (two independent 64-bit hashes) and length:
            // a pyramid's many small tiles cost 24 bytes each here, not their bytes.
            var stored: [ContentKey: UInt64] = [:]
            var size: UInt64 = 0, contents: UInt64 = 0
            for (id, tile) in tiles.map({ (tileID($0), $0) }).sorted(by: { $0.0 < $1.0 }) {
                let bytes = try tileData(tile)
                let key = ContentKey(bytes)
                var place = stored[key].map { (offset: $0, length: UInt64(bytes.count)) }
                if place == nil {
                    try data.write(contentsOf: bytes)
                    place = (size, UInt64(bytes.count))
                    stored[key] = size
                    size += UInt64(bytes.count)
                    contents += 1
                }
                if var last = entries.last, last.tileID + last.runLength == id, last.offset == place!.offset,
                   last.length == place!.length {
                    last.runLength += 1
                    entries[entries.count - 1] = last
                } else {
                    entries.append(.init(tileID: id, offset: place!.offset, length: place!.length, runLength: 1))
                }
            }
            try data.close()

            let (root, leaves) = directories(entries)
            let metadata = Gzip.compress(Array(try JSONSerialization.data(withJSONObject: object,
                                                                           options: [.sortedKeys, .withoutEscapingSlashes])))
            let header = Header(
                rootLength: UInt64(root.count), metadataLength: UInt64(metadata.count), leavesLength: UInt64(leaves.count),
                dataLength: size, addressedTiles: UInt64(tiles.count), entries: UInt64(entries.count), contents: contents,
                tileType: tileType, zooms: zooms, bounds: bounds, center: center)

            _ = FileManager.default.createFile(atPath: partial, contents: nil)
            let out = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
            try out.write(contentsOf: header.bytes + root + metadata + leaves)
            let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: dataPath))
            while let chunk = try input.read(upToCount: 4 << 20), !chunk.isEmpty { try out.write(contentsOf: chunk) }
            try input.close()
            try out.synchronize()
            try out.close()
            guard rename(partial, path) == 0 else {
                throw TilingError.unwritable(path: path, reason: String(cString: strerror(errno)))
            }
        } catch let error as TilingError {
            throw error
        } catch {
            throw .unwritable(path: path, reason: error.localizedDescription)
        }
    }
}

/// Identifies a tile's content: FNV-1a and a multiply-rotate hash, 64 bits each, and the length. Two different tiles
/// with the same key would need both hashes to collide at once.
struct ContentKey: Hashable {
    let fnv: UInt64, mix: UInt64, length: Int

    init(_ bytes: Data) {
        var fnv: UInt64 = 0xcbf2_9ce4_8422_2325, mix: UInt64 = 0x9E37_79B9_7F4A_7C15
        bytes.withUnsafeBytes { raw in
            for byte in raw {
                fnv = (fnv ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                mix = ((mix ^ UInt64(byte)) &* 0xBF58_476D_1CE4_E5B9).rotateLeft(by: 31)
            }
        }
        self.fnv = fnv
        self.mix = mix
        length = bytes.count
    }
}

extension UInt64 {
    fileprivate func rotateLeft(by n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}

extension TilePackage {
    /// Writes `Tiles/<layer>.pmtiles` (PMTiles v3) from the pyramid's files, with the layer's metadata.
    public static func writePMTiles(job: TileJob, tiles: [Tile], tileJSON: TileJSON) throws(TilingError) -> String {
        let path = (job.outputDirectory as NSString).appendingPathComponent("\(job.layer).pmtiles")
        let metadata: [String: Any] = [
            "name": job.layer, "description": job.description, "attribution": job.attribution, "type": "overlay",
            "version": "1.0.0", "format": job.format.rawValue, "legend": "legend.png", "units": job.ramp.spec.units,
            "minzoom": job.zooms.lowerBound, "maxzoom": job.zooms.upperBound,
        ]
        try PMTiles.write(to: path, tiles: tiles, tileData: { tile throws(TilingError) in
            guard let bytes = FileManager.default.contents(atPath: job.tilePath(tile)) else {
                throw .unwritable(path: path, reason: "tile \(tile) is missing from \(job.layerDirectory)")
            }
            return bytes
        }, metadata: metadata, tileType: job.format == .webp ? 4 : 2, zooms: job.zooms, bounds: tileJSON.bounds,
           center: tileJSON.center)
        return path
    }
}
