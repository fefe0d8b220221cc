import Dispatch
import Foundation
import GeoKit
import HotspotConfig
import HotspotModel
import Synchronization

/// Turns the intermediate rasters into the run's five COGs, with nodata, units, description and provenance metadata.
/// Nothing time-dependent goes into the rasters, so two runs on the same inputs give byte-identical files.
struct OutputWriter {
    struct Provenance {
        var configSHA256: String
        var model: ModelParameters
        var synthetic: Bool
        var inputs: [String]
    }

    /// The intermediates to turn into COGs, and the folder the COGs go to (a run's, or a shard's).
    let work: WorkFolder
    let destination: String
    let compression: OutputSpec
    let provenance: Provenance
    /// True when the passes filled the intermediates' overviews; GDAL computes them otherwise.
    let overviewsPresent: Bool
    /// The hotspot classes' colours and names, written into the class COG (GIS clients draw it without a style).
    let classPalette: [PaletteEntry]

    struct PaletteEntry {
        var code: Int
        var r, g, b, a: UInt8
        var label: String
    }

    func writeAll(workers: Int, report: (@Sendable (RunProgress) -> Void)?) throws(PipelineError)
        -> [String: RunRecord.Output] {
        let layers = OutputLayer.allCases
        let progress = ProgressCounter(phase: .writingCOGs, total: layers.count, report: report)
        let results = ResultBox(count: layers.count)
        // Two files at once: each COG's compression is itself threaded, but its overviews are not.
        nonisolated(unsafe) let writer = self
        DispatchQueue.concurrentPerform(iterations: layers.count) { i in
            do throws(PipelineError) {
                results.set(i, .success(try writer.write(layers[i])))
            } catch {
                results.set(i, .failure(error))
            }
            progress.step()
        }
        var out: [String: RunRecord.Output] = [:]
        for (i, layer) in layers.enumerated() {
            switch results.get(i) {
            case let .success(output): out[layer.rawValue] = output
            case let .failure(error): throw error
            case nil: throw .output(path: layer.fileName, reason: "not written")
            }
        }
        return out
    }

    func write(_ layer: OutputLayer) throws(PipelineError) -> RunRecord.Output {
        let source = Intermediate.path(layer, in: work)
        let target = Storage.join(destination, layer.fileName)
        do throws(GeoError) {
            let dataset = try Dataset(path: source, access: .update)
            let band = try dataset.band(1)
            band.setDescription(layer.rawValue)
            band.setUnit(layer.units)
            try band.setNoDataValue(layer.noData)
            for (key, value) in bandMetadata(layer) { band.setMetadata(key, value) }
            if let colours = colourTable(layer) {
                // TIFF palettes hold no alpha and GeoTIFF no category names (GDAL would put them in a side file):
                // the names go in the band's metadata, and the QGIS style beside the COG has both.
                try band.setColorTable(colours)
            }
            for (key, value) in datasetMetadata(layer) { try dataset.setMetadata(key, value) }
            let codec: COGCompression = compression.compression == "deflate"
                ? .deflate(level: compression.level) : .zstd(level: compression.level)
            try dataset.writeCOG(to: target, compression: codec, predictor: true,
                                 overviewResampling: overviewsPresent ? nil : layer.overviewResampling)
            try dataset.close()
        } catch {
            throw .output(path: target, reason: error.description)
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: target))?[.size] as? Int64) ?? 0
        return RunRecord.Output(file: layer.fileName, units: layer.units, description: layer.description,
                                noData: layer.noData, sizeBytes: size, sha256: try Checksum.file(target))
    }

    /// The band's metadata: description, units and, for the classes, their names.
    func bandMetadata(_ layer: OutputLayer) -> [(String, String)] {
        var items = [("DESCRIPTION", layer.description), ("UNITS", layer.units)]
        if layer == .hotspotClass, let top = classPalette.map(\.code).max(), top < 255 {
            var names = [String](repeating: "", count: top + 1)
            for entry in classPalette where entry.code >= 0 { names[entry.code] = entry.label }
            items.append(("CLASSES", names.enumerated().map { "\($0.offset)=\($0.element)" }.joined(separator: ";")))
        }
        return items
    }

    /// The class palette, indexed by code (nil for the other layers).
    func colourTable(_ layer: OutputLayer) -> [(r: UInt8, g: UInt8, b: UInt8, a: UInt8)]? {
        guard layer == .hotspotClass, let top = classPalette.map(\.code).max(), top < 255 else { return nil }
        var colours = [(r: UInt8, g: UInt8, b: UInt8, a: UInt8)](repeating: (0, 0, 0, 0), count: top + 1)
        for entry in classPalette where entry.code >= 0 { colours[entry.code] = (entry.r, entry.g, entry.b, entry.a) }
        return colours
    }

    /// The dataset's provenance metadata, in the order it is written.
    func datasetMetadata(_ layer: OutputLayer) -> [(String, String)] {
        var items = [("TITLE", "Soil Carbon Hotspots: \(layer.rawValue)"), ("CONFIG_SHA256", provenance.configSHA256),
                     ("MODEL", modelSummary), ("INPUTS", provenance.inputs.joined(separator: ";")),
                     ("SOFTWARE", "hotspot \(SoftwareVersion.hotspot), GDAL \(GDALRuntime.version)")]
        if provenance.synthetic { items.append(("SYNTHETIC", "YES: computed from synthetic demo inputs, not real data")) }
        return items
    }

    var modelSummary: String {
        let p = provenance.model
        return "RothC-26.3 scenarios: horizon_years=\(p.horizonYears) depth_cm=\(p.depthCentimetres) "
            + "warming_degC=\(p.warmingDegC) scenarios=\(p.scenarios.low),\(p.scenarios.medium),\(p.scenarios.high) "
            + "hotspot_percentile=\(p.hotspotPercentile)"
    }
}

/// Results of the parallel COG writes, one slot each.
private final class ResultBox: Sendable {
    private let slots: Mutex<[Result<RunRecord.Output, PipelineError>?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func set(_ i: Int, _ value: Result<RunRecord.Output, PipelineError>) { slots.withLock { $0[i] = value } }

    func get(_ i: Int) -> Result<RunRecord.Output, PipelineError>? { slots.withLock { $0[i] } }
}
