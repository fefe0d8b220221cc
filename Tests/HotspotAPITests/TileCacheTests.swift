import Foundation
import TestSupport
import Testing

/// The on-demand tile cache (#14): anonymous requests cannot grow it without bound.
@Suite struct TileCacheTests {
    /// Files under the server's cache folder, and their bytes.
    static func usage(_ folder: String) -> (files: Int, bytes: Int) {
        var files = 0, bytes = 0
        let walker = FileManager.default.enumerator(atPath: folder)
        while let relative = walker?.nextObject() as? String {
            let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + relative)
            if attributes?[.type] as? FileAttributeType == .typeRegular {
                files += 1
                bytes += attributes?[.size] as? Int ?? 0
            }
        }
        return (files, bytes)
    }

    /// Tiles where the raster has no data are answered (a transparent PNG) and never stored.
    @Test func emptyTilesAreNotCached() async throws {
        let output = (DemoFixture.run.directory as NSString).deletingLastPathComponent
        let server = try await TestServer(configuration: try TestServer.configuration(output: output))
        // z18 tiles in the South Pacific, far from any land of the demo world.
        let empty = try await server.get("/tiles/loss_score/18/10/150000.png")
        #expect(empty.status == 200 && empty.header("Content-Type") == "image/png")
        for x in 0..<200 {
            #expect(try await server.get("/tiles/loss_score/18/\(x)/150000.png").body == empty.body)
        }
        #expect(Self.usage(server.options.cacheDirectory).files == 0)
        // A tile with data is cached.
        #expect(try await server.get("/tiles/loss_score/3/4/2.png").status == 200)
        #expect(Self.usage(server.options.cacheDirectory).files == 1)
    }

    /// With `tile_cache_files: 16`, 80 distinct tiles leave at most 16 files, and a tile asked for again and again
    /// stays (least recently used out first); the answers stay right after eviction (rendered again).
    @Test func theCacheIsBoundedLeastRecentlyUsedFirst() async throws {
        let output = (DemoFixture.run.directory as NSString).deletingLastPathComponent
        let server = try await TestServer(configuration: try TestServer.configuration(output: output) {
            $0.replacingOccurrences(of: "tile_cache_files: 100000", with: "tile_cache_files: 16")
        })
        let favourite = "/tiles/sequestration_score/5/16/10.png"
        let first = try await server.get(favourite)
        #expect(first.status == 200)
        var distinct = 0
        for x in 0..<32 {
            for y in 8..<13 where distinct < 80 {
                let answer = try await server.get("/tiles/sequestration_score/6/\(x + 20)/\(y + 12).png")
                #expect(answer.status == 200)
                distinct += 1
                _ = try await server.get(favourite)
            }
        }
        let usage = Self.usage(server.options.cacheDirectory)
        #expect(usage.files <= 16 && usage.files >= 8, "\(usage)")
        let favouriteFile = try #require(FileManager.default.subpaths(atPath: server.options.cacheDirectory)?
            .first { $0.hasSuffix("sequestration_score/5/16/10.png") }, "the favourite tile was evicted")
        #expect(FileManager.default.contents(atPath: server.options.cacheDirectory + "/" + favouriteFile) == first.body)
        // An evicted tile is rendered again, byte-identical.
        let again = try await server.get("/tiles/sequestration_score/6/20/20.png")
        let fresh = try await TestServer(configuration: try TestServer.configuration(output: output))
        #expect(again.body == (try await fresh.get("/tiles/sequestration_score/6/20/20.png")).body)
    }

    /// A cache left by an earlier process is counted at start and trimmed to the bound.
    @Test func anEarlierProcesssCacheIsTrimmedAtStart() async throws {
        let output = (DemoFixture.run.directory as NSString).deletingLastPathComponent
        let bounded = try TestServer.configuration(output: output) {
            $0.replacingOccurrences(of: "tile_cache_files: 100000", with: "tile_cache_files: 16")
        }
        let server = try await TestServer(configuration: bounded)
        let cache = server.options.cacheDirectory
        let folder = cache + "/" + DemoFixture.run.runID + "/loss_score/9/0"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for y in 0..<40 { try Data(repeating: 1, count: 100).write(to: URL(fileURLWithPath: "\(folder)/\(y).png")) }
        #expect(Self.usage(cache).files == 40)
        // A second server over the same cache folder.
        let second = try await TestServer(configuration: bounded, cacheDirectory: cache)
        #expect(try await second.get("/health").status == 200)
        #expect(Self.usage(cache).files <= 16, "\(Self.usage(cache))")
    }
}
