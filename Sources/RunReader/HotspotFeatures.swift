import Foundation
import GeoKit
import Pipeline

/// The run's hotspot polygons (`hotspots.gpkg`, see `HotspotPolygons`) as GeoJSON features, read once: the
/// `hotspots` collection of OGC API - Features. Runs of earlier versions have none.
public struct HotspotFeatures: Sendable {
    public struct Feature: Sendable {
        /// `region.class`, e.g. `europe.loss` (`none.loss` outside every region).
        public var id: String
        public var classCode: Int
        public var region: String?
        /// West, south, east, north.
        public var bbox: [Double]
        /// The whole GeoJSON Feature (`id`, `geometry`, `properties`).
        public var json: Data
    }

    public let features: [Feature]

    /// West, south, east, north of all features (nil without any).
    public var bbox: [Double]? {
        guard !features.isEmpty else { return nil }
        return [features.map { $0.bbox[0] }.min()!, features.map { $0.bbox[1] }.min()!,
                features.map { $0.bbox[2] }.max()!, features.map { $0.bbox[3] }.max()!]
    }

    static let integers: Set<String> = ["class", "pixels", "parts"]
    static let reals: Set<String> = ["area_km2", "pixel_area_km2", "mean_sequestration_score", "mean_loss_score"]

    init(path: String, layer name: String) throws(ReadError) {
        do {
            let dataset = try Dataset(vector: path)
            guard let layer = dataset.layer(named: name) else {
                throw GeoError.readFailed(path: path, reason: "no layer \(name)")
            }
            features = try layer.features(geoJSONPrecision: 6).map { feature in
                guard let id = feature.fields["id"], let geometry = feature.geoJSON, let bbox = feature.bbox else {
                    throw GeoError.readFailed(path: path, reason: "feature \(feature.fid) has no id or geometry")
                }
                var properties: [String: Any] = [:]
                for name in layer.fieldNames where name != "id" {
                    guard let text = feature.fields[name] else {
                        properties[name] = NSNull()
                        continue
                    }
                    if Self.integers.contains(name) { properties[name] = Int(text) ?? 0 }
                    else if Self.reals.contains(name) { properties[name] = Double(text) ?? 0 }
                    else { properties[name] = text }
                }
                let encoded = (try? JSONSerialization.data(withJSONObject: properties,
                                                           options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
                var json = Data("{\"type\":\"Feature\",\"id\":".utf8)
                json.append((try? JSONSerialization.data(withJSONObject: id, options: .fragmentsAllowed)) ?? Data())
                json.append(Data(",\"geometry\":".utf8))
                json.append(Data(geometry.utf8))
                json.append(Data(",\"properties\":".utf8))
                json.append(encoded)
                json.append(Data("}".utf8))
                return Feature(id: id, classCode: Int(feature.fields["class"] ?? "") ?? 0, region: feature.fields["region"],
                               bbox: bbox, json: json)
            }
        } catch {
            throw .failed("the hotspot polygons of the run (\(path)): \(error)")
        }
    }

    init(features: [Feature]) { self.features = features }
}

extension RunReader {
    /// The run's hotspot polygons; empty for a run made before they existed.
    public var hotspots: HotspotFeatures {
        get throws(ReadError) {
            try lazyHotspots.value { () throws(ReadError) in
                guard let polygons = record.hotspotPolygons, let file = polygons.files["gpkg"] else {
                    return HotspotFeatures(features: [])
                }
                return try HotspotFeatures(path: Storage.join(directory, file.file), layer: polygons.layer)
            }
        }
    }
}
