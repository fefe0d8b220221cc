import Foundation
import GeoKit

/// Single-file packages of a finished pyramid.
public enum TilePackage {
    /// Writes `Tiles/<layer>.mbtiles` (MBTiles 1.3: metadata with name, format, bounds, center, zooms, type, json).
    public static func writeMBTiles(job: TileJob, tiles: [Tile], tileJSON: TileJSON) throws(TilingError) -> String {
        let path = (job.outputDirectory as NSString).appendingPathComponent("\(job.layer).mbtiles")
        do throws(GeoError) {
            let writer = try MBTilesWriter(path: path)
            for tile in tiles {
                guard let data = FileManager.default.contents(atPath: job.tilePath(tile)) else { continue }
                try writer.add(z: tile.z, x: tile.x, y: tile.y, data: data)
            }
            let layerJSON = "{\"tilejson\":\"3.0.0\",\"legend\":\"legend.png\",\"units\":\"\(job.ramp.spec.units)\"}"
            try writer.setMetadata([
                "name": job.layer, "format": job.format.rawValue, "type": "overlay", "version": "1.0.0",
                "description": job.description, "attribution": job.attribution,
                "bounds": tileJSON.bounds.map { "\($0)" }.joined(separator: ","),
                "center": tileJSON.center.map { "\($0)" }.joined(separator: ","),
                "minzoom": "\(job.zooms.lowerBound)", "maxzoom": "\(job.zooms.upperBound)", "json": layerJSON,
            ])
            try writer.finish()
        } catch {
            throw .geo(error)
        }
        return path
    }
}
