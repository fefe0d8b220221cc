import Foundation

/// Which tiles of a layer's pyramid one task of a sharded `hotspot tiles` makes. The pyramid is cut at a split zoom:
/// shard I of N takes the tiles at and below it whose ancestor at the split zoom is in its contiguous range of
/// ancestors (ranges balanced by how many tiles they hold); the zooms above the split, a few tiles, are the merge's,
/// made once every shard is done (parents after children). Every tile is rendered from the source and its overviews,
/// never from its children, so the union is the same files as an unsharded pyramid.
public enum TilePartition: Sendable, Equatable {
    case shard(index: Int, count: Int)
    case merge

    /// The coarsest zoom of `tiles` with at least four tiles a shard (so that the ranges can balance), else the finest.
    public static func splitZoom(of tiles: [Tile], shards: Int) -> Int {
        var perZoom: [Int: Int] = [:]
        for tile in tiles { perZoom[tile.z, default: 0] += 1 }
        let zooms = perZoom.keys.sorted()
        return zooms.first { perZoom[$0]! >= 4 * shards } ?? zooms.last ?? 0
    }

    /// The tiles of `all` (the whole pyramid, every shard computing the same list) that this part makes.
    public func select(_ all: [Tile], shards count: Int) -> [Tile] {
        let split = Self.splitZoom(of: all, shards: count)
        switch self {
        case .merge:
            return all.filter { $0.z < split }
        case let .shard(index, _):
            let range = Self.ancestorRanges(all, split: split, shards: count)[index]
            return all.filter { $0.z >= split && range.contains(Self.ancestor(of: $0, at: split)) }
        }
    }

    static func ancestor(of tile: Tile, at zoom: Int) -> Tile {
        let shift = tile.z - zoom
        return Tile(z: zoom, x: tile.x >> shift, y: tile.y >> shift)
    }

    /// N contiguous runs of the split zoom's tiles (in row order), each with about a 1/N share of the tiles below.
    static func ancestorRanges(_ all: [Tile], split: Int, shards: Int) -> [Set<Tile>] {
        let roots = all.filter { $0.z == split }.sorted()
        var weight: [Tile: Int] = [:]
        for tile in all where tile.z >= split { weight[ancestor(of: tile, at: split), default: 0] += 1 }
        let total = roots.reduce(0) { $0 + weight[$1, default: 0] }
        var ranges = [Set<Tile>](repeating: [], count: shards)
        var cumulative = 0
        for root in roots {
            // A root goes to the shard whose share its middle falls in.
            let middle = 2 * cumulative + weight[root, default: 0]
            ranges[min(shards - 1, middle * shards / max(1, 2 * total))].insert(root)
            cumulative += weight[root, default: 0]
        }
        return ranges
    }
}

/// `Tiles/<layer>/.shards/<I>-of-<N>.json`: shard I of N finished its tiles of the pyramid described by `state`.
struct TileShardMark: Codable, Equatable {
    var state: TileState
    var index: Int
    var count: Int
    var tiles: Int

    static func folder(in directory: String) -> String { (directory as NSString).appendingPathComponent(".shards") }

    static func path(in directory: String, index: Int, count: Int) -> String {
        (folder(in: directory) as NSString).appendingPathComponent("\(index)-of-\(count).json")
    }

    func save(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: Self.folder(in: directory), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: Self.path(in: directory, index: index, count: count)),
                                       options: .atomic)
    }

    /// The marks of `directory` made for `state`'s inputs.
    static func load(from directory: String, matching state: TileState) -> [TileShardMark] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder(in: directory))) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            FileManager.default.contents(atPath: (folder(in: directory) as NSString).appendingPathComponent(name))
                .flatMap { try? JSONDecoder().decode(TileShardMark.self, from: $0) }
        }.filter { $0.state.sameInputs(as: state) }
    }

    /// The shard count whose shards are all marked, else the missing shards of the most advanced count (none: no
    /// shard has finished).
    static func complete(_ marks: [TileShardMark]) -> (count: Int, missing: [Int]) {
        let byCount = Dictionary(grouping: marks, by: \.count)
        if let count = byCount.keys.sorted().first(where: { Set(byCount[$0]!.map(\.index)).count == $0 }) {
            return (count, [])
        }
        guard let (count, done) = byCount.max(by: { ($0.value.count, $1.key) < ($1.value.count, $0.key) }) else {
            return (0, [])
        }
        return (count, (0..<count).filter { index in !done.contains { $0.index == index } })
    }
}
