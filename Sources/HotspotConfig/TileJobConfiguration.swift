import Foundation
import GeoKit
import Tiling

extension TileJob {
    /// The job for one of `defaultLayers` of a run, with the ramp the configuration names for it (or the default).
    public static func forLayer(
        _ name: String, configuration config: HotspotConfiguration, runID: String, sourcePath: String, sourceSHA256: String,
        description: String, attribution: String, format: ImageEncoder.Format, zooms: ClosedRange<Int>,
        outputDirectory: String
    ) throws -> TileJob {
        guard let defaults = defaultLayers.first(where: { $0.layer == name }) else {
            throw TilingError.unknownLayer(name, known: defaultLayers.map(\.layer))
        }
        let rampName = config.tiles.ramps[name] ?? defaults.ramp
        let configDirectory = (config.file as NSString).deletingLastPathComponent
        let ramp = ColourRamp(try RampSpec.load(named: rampName, configDirectory: configDirectory))
        return TileJob(layer: name, sourcePath: sourcePath, sourceSHA256: sourceSHA256, runID: runID, ramp: ramp,
                       rampName: rampName, sampling: defaults.sampling, format: format, zooms: zooms,
                       outputDirectory: outputDirectory, attribution: attribution, description: description)
    }
}
