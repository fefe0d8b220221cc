import Foundation
import GeoKit
import HotspotConfig
import HotspotModel

/// `run.json`: everything needed to know what a run did and to reproduce it.
public struct RunRecord: Codable, Sendable {
    public struct Input: Codable, Sendable {
        public var role: String
        public var path: String
        public var band: Int
        public var units: String
        public var scale: Double
        public var offset: Double
        public var noData: Double?
        public var sizeBytes: Int64?
        /// SHA-256 of the file; nil for remote (`/vsi...`) inputs.
        public var sha256: String?
        public var crs: String
        public var width: Int
        public var height: Int
        public var geoTransform: [Double]
        public var alignment: String
        /// The configured resampling, when one was forced (nil: chosen by the layer's kind and resolution).
        public var resampling: String?
        /// The `gdalwarp` arguments that reproduce the alignment, when warped.
        public var gdalwarpArguments: [String]?
        public var synthetic: Bool

        enum CodingKeys: String, CodingKey {
            case role, path, band, units, scale, offset, noData = "nodata", sizeBytes = "size_bytes", sha256, crs, width,
                 height, geoTransform = "geotransform", alignment, resampling, gdalwarpArguments = "gdalwarp_arguments",
                 synthetic
        }
    }

    public struct Output: Codable, Sendable {
        public var file: String
        public var units: String
        public var description: String
        public var noData: Double
        public var sizeBytes: Int64
        public var sha256: String

        enum CodingKeys: String, CodingKey {
            case file, units, description, noData = "nodata", sizeBytes = "size_bytes", sha256
        }
    }

    public struct Software: Codable, Sendable {
        public var hotspot: String
        public var gdal: String
        /// Absent in runs of earlier versions.
        public var proj: String?
        public var geos: String?

        public init(hotspot: String, gdal: String, proj: String? = nil, geos: String? = nil) {
            self.hotspot = hotspot
            self.gdal = gdal
            self.proj = proj
            self.geos = geos
        }

        /// The versions this process runs with.
        public static var current: Software {
            Software(hotspot: SoftwareVersion.hotspot, gdal: GDALRuntime.version, proj: GDALRuntime.projVersion,
                     geos: GDALRuntime.geosVersion)
        }

        /// One line for `--version` and logs.
        public var line: String {
            "hotspot \(hotspot) (GDAL \(gdal), PROJ \(proj ?? "?"), GEOS \(geos ?? "?"))"
        }
    }

    /// The target grid as numbers.
    public struct GridRecord: Codable, Sendable, Equatable {
        public var crs: String
        public var resolution: Double
        /// [minX, minY, maxX, maxY] in the grid's CRS.
        public var bbox: [Double]
        public var width: Int
        public var height: Int
    }

    public var runID: String
    public var createdAt: String
    public var config: String
    public var configSHA256: String
    public var grid: GridRecord
    public var inputs: [Input]
    /// The model and every parameter it ran with: answers about the run come from here, never from today's config.
    public var modelName: String
    public var model: ModelParameters
    public var landcoverLegend: String
    /// The legend's table (code -> group and label) as the run used it.
    public var landcoverClasses: [String: LegendEntry]
    /// What the scores rank against: `run` (the run's own valid pixels) or `run ID (PATH)`, the reference
    /// distribution another run saved (`score_reference.json`).
    public var scoresReference: String
    public var scoreDefinition: String
    public var outputs: [String: Output]
    public var statistics: [String: LayerStatistics]
    public var hotspotClasses: ClassStatistics
    public var timingsSeconds: [String: Double]
    public var software: Software
    public var synthetic: Bool
    /// A sharded run's shards, each with its rows and where and when its tasks ran (absent for a plain run).
    public var shards: [Shard]? = nil
    /// The hotspot polygons (absent in runs of earlier versions).
    public var hotspotPolygons: PolygonRecord? = nil

    /// `hotspots.gpkg` and `hotspots.fgb`: how they were made, and their checksums.
    public struct PolygonRecord: Codable, Sendable {
        public var layer: String
        /// By format (`gpkg`, `fgb`).
        public var files: [String: File]
        public var features: Int
        /// The pixel size of the class raster level polygonized, and the simplification tolerance (grid units).
        public var resolution: Double
        public var tolerance: Double
        public var regions: Source?
        public var method: String

        public struct File: Codable, Sendable {
            public var file: String
            public var driver: String
            public var sizeBytes: Int64
            public var sha256: String

            enum CodingKeys: String, CodingKey { case file, driver, sizeBytes = "size_bytes", sha256 }
        }

        public struct Source: Codable, Sendable {
            public var file: String
            public var sha256: String
        }
    }

    /// One shard of a sharded run, as `run.json` records it.
    public struct Shard: Codable, Sendable, Equatable {
        public var index: Int
        /// The grid rows `[first, end)`.
        public var rows: [Int]
        public var scoredBy: ShardTask?
        public var classifiedBy: ShardTask?

        enum CodingKeys: String, CodingKey { case index, rows, scoredBy = "scored_by", classifiedBy = "classified_by" }
    }

    /// Where and when a shard's task ran (provenance of a sharded run).
    public struct ShardTask: Codable, Sendable, Equatable {
        public var host: String
        public var pid: Int32
        /// The engine's task id (Slurm's job and array index, Kubernetes' pod), when there was one.
        public var job: String?
        public var finishedAt: String
        public var seconds: Double
        public var software: String

        enum CodingKeys: String, CodingKey {
            case host, pid, job, finishedAt = "finished_at", seconds, software
        }
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", createdAt = "created_at", config, configSHA256 = "config_sha256", grid, inputs,
             modelName = "model_name", model, landcoverLegend = "landcover_legend",
             landcoverClasses = "landcover_classes", scoresReference = "scores_reference",
             scoreDefinition = "score_definition",
             outputs, statistics, hotspotClasses = "hotspot_classes", timingsSeconds = "timings_seconds", software,
             synthetic, shards, hotspotPolygons = "hotspot_polygons"
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

extension RunRecord {
    /// The layers as the run read them (paths, bands, units, nodata, the legend it used), so that whoever reads the run
    /// later (the server, `hotspot query`) sees its inputs as it did, whatever today's configuration says.
    public func layerSpecs() throws(PipelineError) -> [LayerRole: LayerSpec] {
        var specs: [LayerRole: LayerSpec] = [:]
        let legend = LandCoverClasses(name: landcoverLegend, classes: landcoverClasses.compactMap { code, entry in
            Int(code).map { LandCoverClass(code: $0, group: entry.group, label: entry.label) }
        }.sorted { $0.code < $1.code })
        for input in inputs {
            guard let role = LayerRole(rawValue: input.role) else {
                throw .unsuitableLayer(role: input.role, path: input.path, reason: "is not a layer role this version knows")
            }
            specs[role] = LayerSpec(role: role, path: input.path, band: input.band, units: input.units,
                                    scale: input.scale, offset: input.offset, noData: input.noData,
                                    resampling: input.resampling, classes: role == .landcover ? legend : nil)
        }
        return specs
    }
}

/// One land-cover code of the legend a run used.
public struct LegendEntry: Codable, Sendable, Equatable {
    public var group: LandCoverGroup
    public var label: String
}

/// The software version written into provenance.
public enum SoftwareVersion {
    /// 0.2: model v2 (RothC-26.3 scenarios).
    public static let hotspot = "0.2.0"
}

extension RunRecord {
    /// Credits for maps of this run: the run and its inputs, and a warning when the inputs are synthetic.
    public var attribution: String {
        "Soil Carbon Hotspots run \(runID); inputs: "
            + inputs.map { "\($0.role) (\(($0.path as NSString).lastPathComponent))" }.joined(separator: ", ")
            + (synthetic ? ". SYNTHETIC DEMO DATA, not real measurements" : "")
    }
}
