import Foundation
import GeoKit

/// One layer's pyramid to make: which raster, how to colour it, which zooms, where.
public struct TileJob: Sendable {
    public static let maxZoom = 18

    public var layer: String
    public var sourcePath: String
    public var sourceSHA256: String
    public var runID: String
    public var ramp: ColourRamp
    public var rampName: String
    public var sampling: TileSampling
    public var format: ImageEncoder.Format
    public var zooms: ClosedRange<Int>
    /// `Tiles/`: the layer goes to `Tiles/<layer>/`.
    public var outputDirectory: String
    public var attribution: String
    public var description: String

    public init(layer: String, sourcePath: String, sourceSHA256: String, runID: String, ramp: ColourRamp, rampName: String,
                sampling: TileSampling, format: ImageEncoder.Format, zooms: ClosedRange<Int>, outputDirectory: String,
                attribution: String, description: String) {
        self.layer = layer
        self.sourcePath = sourcePath
        self.sourceSHA256 = sourceSHA256
        self.runID = runID
        self.ramp = ramp
        self.rampName = rampName
        self.sampling = sampling
        self.format = format
        self.zooms = zooms
        self.outputDirectory = outputDirectory
        self.attribution = attribution
        self.description = description
    }

    public var layerDirectory: String { (outputDirectory as NSString).appendingPathComponent(layer) }

    public func tilePath(_ tile: Tile) -> String {
        "\(layerDirectory)/\(tile.z)/\(tile.x)/\(tile.y).\(format.rawValue)"
    }

    /// Parses `MIN-MAX` (or a single zoom).
    public static func zoomRange(_ text: String) throws(TilingError) -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard (parts.count == 1 || parts.count == 2), let low = parts.first ?? nil, let high = parts.last ?? nil,
              low >= 0, low <= high, high <= maxZoom else { throw .badZoomRange(text) }
        return low...high
    }

    /// The layers tiles are made for, with their default ramp and sampling.
    public static let defaultLayers: [(layer: String, ramp: String, sampling: TileSampling)] = [
        ("sequestration_score", "score_greens", .bilinear),
        ("loss_score", "score_reds", .bilinear),
        ("hotspot_class", "hotspot_classes", .nearest),
        ("sequestration_rate_medium", "rate_viridis", .bilinear),
        ("loss_expected", "loss_magma", .bilinear),
    ]
}

extension TileJob {
    /// The encoded image of `tile`, or nil when the raster has no data under it (an empty tile is skipped).
    /// `rgba` is the caller's scratch of `tileSize`^2 x 4 bytes, kept across tiles.
    public func image(of tile: Tile, renderer: TileRenderer, png: PNGEncoder, rgba: inout [UInt8]) throws(GeoError) -> Data? {
        guard let values = try renderer.values(for: tile) else { return nil }
        let size = renderer.tileSize
        return try values.withUnsafeBufferPointer { (v) throws(GeoError) in
            try rgba.withUnsafeMutableBufferPointer { (out) throws(GeoError) in
                ramp.paint(v, into: out)
                return format == .png
                    ? png.encode(rgba: UnsafeBufferPointer(out), width: size, height: size)
                    : try ImageEncoder.encode(rgba: UnsafeBufferPointer(out), width: size, height: size, format: .webp,
                                              options: ["LOSSLESS": "YES"])
            }
        }
    }

    /// Whether the tiles under `layerDirectory` were rendered from this job's source with its ramp, format and
    /// renderer (finished or not: every tile file there is whole), so they can be served as they are.
    public var pyramidOnDiskMatches: Bool {
        guard let state = TileState.load(from: layerDirectory) else { return false }
        return state.renderer == TileState.rendererVersion && state.sourceSHA256 == sourceSHA256
            && state.ramp == TilePyramid.rampSignature(self) && state.format == format.rawValue
    }
}

