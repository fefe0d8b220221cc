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

/// How a layer is drawn outside the map: its ramp as the configuration names it, for the run's colour table and
/// QGIS styles.
extension HotspotConfiguration {
    public func ramp(forLayer name: String) throws(ConfigError) -> RampSpec {
        let ramp = tiles.ramps[name] ?? TileJob.defaultLayers.first(where: { $0.layer == name })?.ramp ?? name
        return try RampSpec.load(named: ramp,
                                 configDirectory: (file as NSString).deletingLastPathComponent)
    }

    /// The QGIS style of each layer that has a ramp, by layer name.
    public func qgisStyles() throws(ConfigError) -> [String: String] {
        var styles: [String: String] = [:]
        for layer in TileJob.defaultLayers.map(\.layer) { styles[layer] = QGISStyle.qml(for: try ramp(forLayer: layer)) }
        return styles
    }

    /// The hotspot classes' colours and labels (code, red, green, blue, alpha, label), from the class ramp.
    public func classPalette() throws(ConfigError) -> [(code: Int, r: UInt8, g: UInt8, b: UInt8, a: UInt8, label: String)] {
        try ramp(forLayer: "hotspot_class").classes.map { ($0.code, $0.color.r, $0.color.g, $0.color.b, $0.color.a, $0.label) }
    }
}
