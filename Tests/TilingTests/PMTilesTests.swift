import Foundation
import GeoKit
import Testing
import TestSupport
@testable import Tiling

/// PMTiles packages, read back with the reference reader (PyPI `pmtiles`, installed by `make test` into .build/venv).
@Suite struct PMTilesTests {
    static let python = repositoryRoot + "/.build/venv/bin/python"

    func reference(_ script: String) throws -> (status: Int32, out: String, err: String) {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("\(Self.python) is missing: run `make test`, which installs the pmtiles reader")
            return (1, "", "")
        }
        return try runTool(Self.python, ["-c", script])
    }

    @Test func tileIDsFollowTheSpecsHilbertCurve() throws {
        // By hand: zoom 0 is 0; zoom 1 starts at 1 and goes (0,0) (0,1) (1,1) (1,0); zoom 2 starts at 5.
        #expect(PMTiles.tileID(Tile(z: 0, x: 0, y: 0)) == 0)
        #expect([(0, 0), (0, 1), (1, 1), (1, 0)].map { PMTiles.tileID(Tile(z: 1, x: $0.0, y: $0.1)) } == [1, 2, 3, 4])
        #expect(PMTiles.tileID(Tile(z: 2, x: 0, y: 0)) == 5)
        #expect(PMTiles.tileID(Tile(z: 3, x: 0, y: 0)) == 21)
        // And the reference implementation on tiles spread over zooms 0-22.
        var generator = SystemRandomNumberGenerator()
        let tiles = (0..<300).map { i -> Tile in
            let z = i % 23
            return Tile(z: z, x: Int.random(in: 0..<(1 << z), using: &generator), y: Int.random(in: 0..<(1 << z), using: &generator))
        }
        let ours = tiles.map { String(PMTiles.tileID($0)) }.joined(separator: ",")
        let result = try reference("""
            from pmtiles.tile import zxy_to_tileid
            print(",".join(str(zxy_to_tileid(z, x, y)) for z, x, y in \(tiles.map { [$0.z, $0.x, $0.y] })))
            """)
        #expect(result.out.trimmingCharacters(in: .whitespacesAndNewlines) == ours, "\(result.err)")
    }

    @Test func aPyramidPackageReadsBackTileForTile() throws {
        let folder = TemporaryFolder()
        let job = try TilePyramidTests.job(folder, layer: "hotspot_class", zooms: 0...4)
        let summary = try TilePyramid.generate(job)
        let tileJSON = TileJSON(job: job, bounds: summary.bounds)
        let path = try TilePackage.writePMTiles(job: job, tiles: summary.tiles, tileJSON: tileJSON)
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        #expect(!FileManager.default.fileExists(atPath: path + ".data.partial"))
        let result = try reference("""
            import os
            from pmtiles.reader import Reader, MmapSource, all_tiles
            from pmtiles.tile import TileType, Compression
            with open('\(path)', 'rb') as f:
                reader = Reader(MmapSource(f)); h = reader.header(); m = reader.metadata()
                assert h['tile_type'] == TileType.PNG and h['tile_compression'] == Compression.NONE, h
                assert (h['min_zoom'], h['max_zoom']) == (0, 4) and h['clustered'], h
                assert abs(h['min_lon_e7'] / 1e7 - \(tileJSON.bounds[0])) < 1e-6 and abs(h['max_lat_e7'] / 1e7 - \(tileJSON.bounds[3])) < 1e-6, h
                assert m['name'] == 'hotspot_class' and m['format'] == 'png', m
                n = 0
                for (z, x, y), data in all_tiles(MmapSource(f)):
                    with open(os.path.join('\(job.layerDirectory)', str(z), str(x), f'{y}.png'), 'rb') as t:
                        assert data == t.read(), (z, x, y)
                    n += 1
                assert reader.get(4, 0, 0) is None or os.path.exists('\(job.layerDirectory)/4/0/0.png')
                print(n, h['addressed_tiles_count'], h['tile_contents_count'])
            """)
        #expect(result.status == 0, "\(result.err)")
        let counts = result.out.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(counts.count == 3 && counts[0] == summary.tiles.count && counts[1] == summary.tiles.count)
        // Distinct contents, counted independently of the writer: what the package stores once must be exactly that.
        let distinct = Set(try summary.tiles.map { try Data(contentsOf: URL(fileURLWithPath: job.tilePath($0))) }).count
        #expect(counts.count == 3 && counts[2] == distinct, "identical tiles are stored once")
    }

    /// 60,000 tiles overflow the 16 KiB root: leaf directories, runs of identical tiles and shared contents.
    @Test func largePyramidsGetLeafDirectoriesAndRuns() throws {
        let folder = TemporaryFolder()
        let path = folder.file("big.pmtiles")
        let tiles = (0..<60_000).map { Tile(z: 8, x: $0 % 256, y: $0 / 256) }
        // Lengths that vary as real tiles' do, so that the directory does not compress into the root.
        func content(_ tile: Tile) -> Data {
            var h = UInt32(truncatingIfNeeded: (tile.y * 256 + tile.x) &* 2_654_435_761)
            h ^= h >> 16
            return Data((tile.y >= 200 ? "sea" : "t\(tile.x),\(tile.y)" + String(repeating: "-", count: Int(h % 61))).utf8)
        }
        try PMTiles.write(to: path, tiles: tiles, tileData: { content($0) }, metadata: ["name": "big"], tileType: 2,
                          zooms: 8...8, bounds: [-180, -85, 180, 85], center: [0, 0, 8])
        let result = try reference("""
            from pmtiles.reader import Reader, MmapSource, all_tiles
            def pad(i):
                h = (i * 2654435761) & 0xffffffff
                return (h ^ (h >> 16)) % 61
            with open('\(path)', 'rb') as f:
                h = Reader(MmapSource(f)).header()
                assert h['leaf_directory_length'] > 0 and 127 + h['root_length'] <= 16384, h
                n = 0
                for (z, x, y), data in all_tiles(MmapSource(f)):
                    assert z == 8 and y * 256 + x < 60000, (z, x, y)
                    assert data == (b'sea' if y >= 200 else (f't{x},{y}' + '-' * pad(y * 256 + x)).encode()), (x, y, data)
                    n += 1
                print(n, h['tile_entries_count'], h['tile_contents_count'])
            """)
        #expect(result.status == 0, "\(result.err)")
        let counts = result.out.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(counts.first == 60_000)
        #expect(counts.count == 3 && counts[2] == 200 * 256 + 1, "the sea is stored once")
        #expect(counts.count == 3 && counts[1] < 60_000, "runs of sea tiles share entries")
    }
}
