import Contact
import Foundation
import HotspotModel

/// The target grid of a run: CRS, square pixel size and bounds.
public struct GridSpec: Sendable, Equatable {
    public var crs: String
    public var resolution: Double
    /// [minX, minY, maxX, maxY] in the grid's CRS.
    public var bbox: [Double]

    public init(crs: String, resolution: Double, bbox: [Double]) {
        self.crs = crs
        self.resolution = resolution
        self.bbox = bbox
    }
}

/// The roles an input layer can play in the model.
public enum LayerRole: String, Sendable, CaseIterable, Codable {
    case soc, clay, silt, bulkDensity = "bulk_density", coarseFragments = "cfvo", tmean, precip, pet, landcover
    /// SoilGrids' 5 % and 95 % quantiles of the SOC stock: not modelled, carried to point answers.
    case socQ05 = "soc_q05", socQ95 = "soc_q95"

    /// Read by the scorer (the quantiles are only shown).
    public var isModelInput: Bool { self != .socQ05 && self != .socQ95 }

    /// `pet` is optional: without it, PET is Thornthwaite's from the monthly temperatures and the latitude.
    public var isRequired: Bool { [.soc, .clay, .tmean, .precip, .landcover].contains(self) }
    public var isCategorical: Bool { self == .landcover }
    /// A climatology of twelve bands, January first.
    public var isMonthly: Bool { self == .tmean || self == .precip || self == .pet }
    /// The bands the model reads.
    public var bandCount: Int { isMonthly ? 12 : 1 }

    /// The units the model expects after `scale` and `offset`.
    public var modelUnits: String {
        switch self {
        case .soc, .socQ05, .socQ95: "t C/ha"
        case .clay, .silt, .coarseFragments: "%"
        case .bulkDensity: "g/cm3"
        case .tmean: "degC"
        case .precip, .pet: "mm/month"
        case .landcover: "class"
        }
    }

    public var meaning: String {
        switch self {
        case .soc: "SOC stock, 0-30 cm"
        case .socQ05: "SOC stock, 5 % quantile"
        case .socQ95: "SOC stock, 95 % quantile"
        case .clay: "clay content"
        case .silt: "silt content"
        case .bulkDensity: "fine-earth bulk density"
        case .coarseFragments: "coarse fragments"
        case .tmean: "monthly mean air temperature"
        case .precip: "monthly precipitation"
        case .pet: "monthly potential evapotranspiration"
        case .landcover: "land-cover class"
        }
    }
}

/// One input layer: where it is and how its stored values become model units (`value * scale + offset`).
public struct LayerSpec: Sendable {
    public var role: LayerRole
    public var path: String
    public var band: Int = 1
    public var units: String
    public var scale: Double = 1
    public var offset: Double = 0
    /// Overrides the file's own nodata value.
    public var noData: Double?
    /// Overrides the automatic choice (bilinear or average for continuous layers, nearest or mode for classes).
    public var resampling: String?
    /// The land-cover legend (landcover only).
    public var classes: LandCoverClasses?

    public init(role: LayerRole, path: String, band: Int = 1, units: String, scale: Double = 1, offset: Double = 0,
                noData: Double? = nil, resampling: String? = nil, classes: LandCoverClasses? = nil) {
        self.role = role
        self.path = path
        self.band = band
        self.units = units
        self.scale = scale
        self.offset = offset
        self.noData = noData
        self.resampling = resampling
        self.classes = classes
    }
}

public struct OutputSpec: Sendable {
    public var dir: String
    /// `zstd` or `deflate`.
    public var compression: String = "zstd"
    public var level: Int = 1
    /// Published runs kept in `dir` (the newest ones; `latest`'s is always kept); nil keeps them all.
    public var keepRuns: Int?
}

public struct TilesSpec: Sendable {
    public var dir = "Tiles"
    public var zoom: [Int] = [0, 7]
    public var format = "png"
    public var ramps: [String: String] = [:]
}

/// `scores:`: `reference: run` ranks against the run's own pixels; `reference: PATH` (a run folder, or its
/// `score_reference.json`) against the distribution another run saved, e.g. a global run for a regional one.
public struct ScoresSpec: Sendable, Equatable {
    public var reference = "run"
    public init() {}
}

public struct ServerSpec: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Origins that may read cross-origin (`*`: any).
    public var cors = ["*"]
    /// Origins that may edit the partner directory cross-origin (with `Authorization`); none by default, never `*`.
    public var corsEdits: [String] = []
    public var partners = "Config/partners.gpkg"
    public var regions = "Config/regions.geojson"
    public var adminTokenEnv = "HOTSPOT_ADMIN_TOKEN"
    public var maxBatchPoints = 10000
    public var maxDownloadPixels = 100_000_000
    /// The address clients reach the server at (`https://maps.example.org`), for the absolute links in answers
    /// (TileJSON, /v1/layers, STAC). Nil: the listen address. Never the request's Host header, which any client
    /// sets (a cached answer would send the next reader to the attacker's host).
    public var publicURL: String?
    /// Slow clients: a request's head must arrive within `headTimeout` seconds of connecting, the next one within
    /// `idleTimeout` of the previous answer, a body within `bodyTimeout` of its head. Beyond `maxConnections`, the
    /// connection that has waited longest for a request head is closed to make room (a flood of half-sent requests
    /// cannot lock out real clients).
    public var headTimeout = 10.0
    public var idleTimeout = 30.0
    public var bodyTimeout = 60.0
    public var maxConnections = 4096
    /// Tiles rendered on demand are cached on disk up to these bounds, least recently used out first.
    public var tileCacheMegabytes = 512
    public var tileCacheFiles = 100_000
    /// Points scored at once over all batch requests; a batch that would pass it answers 503 with Retry-After.
    public var batchPointsInFlight = 40_000
    /// GDAL's block cache for point answers, in MiB; nil: sized to the served run (see `ServedRun`).
    public var blockCacheMegabytes: Int?
    /// The SMTP server the contact relay hands messages to; nil: no relay (POST .../contact answers 503).
    public var smtp: SMTPSpec?
    /// The relay's limits (`server.contact`; README, "Contact between partners").
    public var contact = ContactLimits()
}

/// `server.smtp`: the relay's SMTP server. The account's user and password are read from environment variables
/// (never written in the file).
public struct SMTPSpec: Sendable, Equatable {
    public var host: String
    public var port = 587
    public var startTLS = true
    public var userEnv: String?
    public var passwordEnv: String?
    /// The relay's own address: From and envelope sender of every message.
    public var from: String
    public var fromName = "4 per 1000 partner map"
    /// PEM certificates the server's certificate is checked against (default: the system's).
    public var caFile: String?
}

/// `Config/hotspot.yaml`, validated: unknown keys, wrong types and missing required layers are errors naming the key
/// and line. Relative paths are taken relative to the working directory (as GDAL's tools do); a land-cover legend
/// named without a path is looked up in `landcover/` beside the configuration file.
public struct HotspotConfiguration: Sendable {
    public var file: String
    public var grid: GridSpec
    public var layers: [LayerRole: LayerSpec]
    public var model: ModelParameters
    public var output: OutputSpec
    public var tiles: TilesSpec
    public var server: ServerSpec
    /// What the scores rank against.
    public var scores = ScoresSpec()
    /// The file's bytes, for the run's provenance hash.
    public var text: String

    /// Reads and validates a configuration file.
    public static func load(path: String) throws(ConfigError) -> HotspotConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read as UTF-8 text" : "no such file"
            throw ConfigError(.unreadable(reason), key: "", line: nil, file: path)
        }
        return try parse(text, file: path)
    }

    /// Parses configuration text; `file` names it in errors and locates land-cover legends.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> HotspotConfiguration {
        let root = try parseYAML(text, file: file)
        _ = try root.mapping(allowed: ["grid", "layers", "model", "output", "tiles", "server", "scores"])
        let directory = (file as NSString).deletingLastPathComponent
        return HotspotConfiguration(
            file: file,
            grid: try parseGrid(try root.required("grid")),
            layers: try parseLayers(try root.required("layers"), configDirectory: directory),
            model: try parseModel(try root.optional("model")),
            output: try parseOutput(try root.required("output")),
            tiles: try parseTiles(try root.optional("tiles")),
            server: try parseServer(try root.optional("server")),
            scores: try parseScores(try root.optional("scores")),
            text: text)
    }

    static func parseGrid(_ node: ConfigNode) throws(ConfigError) -> GridSpec {
        _ = try node.mapping(allowed: ["crs", "resolution", "bbox"])
        let resolutionNode = try node.required("resolution")
        let resolution = try resolutionNode.double()
        guard resolution > 0 else { throw resolutionNode.fail(.invalidValue("must be greater than 0")) }
        let bboxNode = try node.required("bbox")
        let bbox = try bboxNode.doubles(count: 4)
        guard bbox[0] < bbox[2], bbox[1] < bbox[3] else {
            throw bboxNode.fail(.invalidValue("must be [minX, minY, maxX, maxY] with min < max"))
        }
        return GridSpec(crs: try node.required("crs").string(), resolution: resolution, bbox: bbox)
    }

    static func parseLayers(
        _ node: ConfigNode, configDirectory: String
    ) throws(ConfigError) -> [LayerRole: LayerSpec] {
        var layers: [LayerRole: LayerSpec] = [:]
        for (key, value) in try node.mapping(allowed: Set(LayerRole.allCases.map(\.rawValue))) {
            let role = LayerRole(rawValue: key)!
            var allowed: Set<String> = ["path", "band", "units", "scale", "offset", "nodata", "resampling"]
            if role == .landcover { allowed.insert("classes") }
            _ = try value.mapping(allowed: allowed)
            var spec = LayerSpec(role: role, path: try value.required("path").string(),
                                 units: try value.optional("units")?.string() ?? role.modelUnits)
            if let band = try value.optional("band") {
                spec.band = try band.int()
                guard spec.band >= 1 else { throw band.fail(.invalidValue("must be 1 or more")) }
            }
            let scaleNode = try value.optional("scale"), offsetNode = try value.optional("offset")
            if let scaleNode { spec.scale = try scaleNode.double() }
            if let offsetNode { spec.offset = try offsetNode.double() }
            if let units = try value.optional("units") {
                try checkUnits(&spec, node: units, scaleGiven: scaleNode != nil, offsetGiven: offsetNode != nil)
            }
            if let noData = try value.optional("nodata") { spec.noData = try noData.double() }
            if let resampling = try value.optional("resampling") {
                let name = try resampling.string()
                let known = ["near", "nearest", "bilinear", "cubic", "average", "mode"]
                guard known.contains(name) else {
                    throw resampling.fail(.invalidValue("must be one of \(known.joined(separator: ", "))"))
                }
                spec.resampling = name
            }
            if role == .landcover {
                spec.classes = try LandCoverLegendFile.resolve(
                    try value.optional("classes"), configDirectory: configDirectory, key: value.path + ".classes")
            }
            layers[role] = spec
        }
        for role in LayerRole.allCases where role.isRequired && layers[role] == nil {
            throw ConfigError(.missingKey, key: "layers.\(role.rawValue)", line: node.line, file: node.file)
        }
        return layers
    }

    /// Declared units against the vocabulary: they set `scale` and `offset` when those are left out, and must agree
    /// with them when given. A layer that declares no units is taken as `scale`/`offset` from its stored values to
    /// the model's units.
    static func checkUnits(_ spec: inout LayerSpec, node: ConfigNode, scaleGiven: Bool, offsetGiven: Bool)
        throws(ConfigError) {
        let known = UnitVocabulary.units(for: spec.role)
        if spec.role.isMonthly, UnitVocabulary.annual.contains(spec.units) {
            throw node.fail(.invalidValue("\(spec.units) is an annual unit, but \(spec.role.rawValue) is a monthly "
                + "climatology of 12 bands in \(spec.role.modelUnits)"))
        }
        guard let conversion = known[spec.units] else {
            let names = known.keys.sorted().joined(separator: ", ")
            throw node.fail(.invalidValue("'\(spec.units)' is not a unit the model knows for \(spec.role.rawValue) "
                + "(one of \(names))"))
        }
        func same(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }
        if scaleGiven, !same(spec.scale, conversion.scale) || offsetGiven && !same(spec.offset, conversion.offset) {
            throw node.fail(.invalidValue("\(spec.units) means scale \(conversion.scale) and offset \(conversion.offset) "
                + "to \(spec.role.modelUnits), but scale \(spec.scale) and offset \(spec.offset) are given"))
        }
        if !scaleGiven { spec.scale = conversion.scale }
        if !offsetGiven { spec.offset = conversion.offset }
    }

    static func parseModel(_ node: ConfigNode?) throws(ConfigError) -> ModelParameters {
        var p = ModelParameters()
        guard let node, !node.isNull else { return p }
        let entries = try node.mapping(allowed: [
            "horizon_years", "depth_cm", "warming_degC", "hotspot_percentile", "scenarios", "managed_groups",
            "dpm_rpm", "bare_groups", "saturation_cap", "fine_silt_share", "bulk_density_default",
        ])
        for (key, value) in entries {
            switch key {
            case "horizon_years":
                let years = try value.int()
                guard (1...1000).contains(years) else { throw value.fail(.invalidValue("must be 1-1000 whole years")) }
                p.horizonYears = years
            case "depth_cm": p.depthCentimetres = try positive(value)
            case "bulk_density_default": p.bulkDensityDefault = try positive(value)
            case "warming_degC":
                p.warmingDegC = try value.double()
                guard p.warmingDegC >= 0, p.warmingDegC <= 20 else {
                    throw value.fail(.invalidValue("must be between 0 and 20 degC"))
                }
            case "hotspot_percentile":
                p.hotspotPercentile = try value.double()
                guard p.hotspotPercentile > 0, p.hotspotPercentile <= 100 else {
                    throw value.fail(.invalidValue("must be in (0, 100]"))
                }
            case "scenarios":
                for (name, share) in try value.mapping(allowed: ["low", "medium", "high"]) {
                    let number = try share.double()
                    guard number > 0, number <= 10 else { throw share.fail(.invalidValue("must be in (0, 10]")) }
                    switch name {
                    case "low": p.scenarios.low = number
                    case "medium": p.scenarios.medium = number
                    default: p.scenarios.high = number
                    }
                }
            case "managed_groups": p.managedGroups = try groups(value)
            case "bare_groups": p.bareGroups = try groups(value)
            case "dpm_rpm":
                for (name, ratio) in try value.mapping(allowed: Set(LandCoverGroup.allCases.map(\.name))) {
                    p.dpmRpm[LandCoverGroup(name: name)!] = try positive(ratio)
                }
            case "saturation_cap": p.saturationCap = try value.bool()
            default:
                p.fineSiltShare = try value.double()
                guard (0...1).contains(p.fineSiltShare) else { throw value.fail(.invalidValue("must be between 0 and 1")) }
            }
        }
        return p
    }

    static func positive(_ node: ConfigNode) throws(ConfigError) -> Double {
        let number = try node.double()
        guard number > 0, number.isFinite else { throw node.fail(.invalidValue("must be greater than 0")) }
        return number
    }

    /// A list of land-cover group names.
    static func groups(_ node: ConfigNode) throws(ConfigError) -> Set<LandCoverGroup> {
        var groups = Set<LandCoverGroup>()
        for name in try node.strings() {
            guard let group = LandCoverGroup(name: name) else {
                let names = LandCoverGroup.allCases.map(\.name).joined(separator: ", ")
                throw node.fail(.invalidValue("\(name) is not a land-cover group (one of \(names))"))
            }
            groups.insert(group)
        }
        return groups
    }

    static func parseOutput(_ node: ConfigNode) throws(ConfigError) -> OutputSpec {
        _ = try node.mapping(allowed: ["dir", "compression", "level", "keep_runs"])
        var spec = OutputSpec(dir: try node.required("dir").string())
        if let compression = try node.optional("compression") {
            spec.compression = try compression.string().lowercased()
            guard ["zstd", "deflate"].contains(spec.compression) else {
                throw compression.fail(.invalidValue("must be zstd or deflate"))
            }
        }
        if let level = try node.optional("level") {
            spec.level = try level.int()
            guard (1...22).contains(spec.level) else { throw level.fail(.invalidValue("must be between 1 and 22")) }
        }
        if let keep = try node.optional("keep_runs") {
            spec.keepRuns = try keep.int()
            guard spec.keepRuns! >= 1 else { throw keep.fail(.invalidValue("must be 1 or more (the published run is kept)")) }
        }
        return spec
    }

    static func parseTiles(_ node: ConfigNode?) throws(ConfigError) -> TilesSpec {
        var spec = TilesSpec()
        guard let node, !node.isNull else { return spec }
        _ = try node.mapping(allowed: ["dir", "zoom", "format", "ramps"])
        if let dir = try node.optional("dir") { spec.dir = try dir.string() }
        if let zoom = try node.optional("zoom") {
            let values = try zoom.doubles(count: 2)
            guard values.allSatisfy({ $0 == $0.rounded() && $0 >= 0 && $0 <= 24 }), values[0] <= values[1] else {
                throw zoom.fail(.invalidValue("must be [min, max] whole zooms with 0 <= min <= max <= 24"))
            }
            spec.zoom = values.map { Int($0) }
        }
        if let format = try node.optional("format") {
            spec.format = try format.string()
            guard ["png", "webp"].contains(spec.format) else { throw format.fail(.invalidValue("must be png or webp")) }
        }
        if let ramps = try node.optional("ramps") {
            for (key, value) in try ramps.mapping() { spec.ramps[key] = try value.string() }
        }
        return spec
    }

    static func parseScores(_ node: ConfigNode?) throws(ConfigError) -> ScoresSpec {
        var spec = ScoresSpec()
        guard let node, !node.isNull else { return spec }
        for (_, value) in try node.mapping(allowed: ["reference"]) {
            spec.reference = try value.string()
            guard !spec.reference.isEmpty else { throw value.fail(.invalidValue("must be run or a path")) }
        }
        return spec
    }

    static func parseServer(_ node: ConfigNode?) throws(ConfigError) -> ServerSpec {
        var spec = ServerSpec()
        guard let node, !node.isNull else { return spec }
        for (key, value) in try node.mapping(allowed: [
            "host", "port", "cors", "partners", "regions", "admin_token_env", "max_batch_points", "max_download_pixels",
            "public_url", "cors_edits", "head_timeout", "idle_timeout", "body_timeout", "max_connections",
            "tile_cache_mb", "tile_cache_files", "batch_points_in_flight", "block_cache_mb", "smtp", "contact",
        ]) {
            func seconds() throws(ConfigError) -> Double {
                let seconds = try value.double()
                guard seconds > 0, seconds <= 3600 else { throw value.fail(.invalidValue("must be seconds, more than 0 and at most 3600")) }
                return seconds
            }
            func count(atLeast minimum: Int) throws(ConfigError) -> Int {
                let count = try value.int()
                guard count >= minimum else { throw value.fail(.invalidValue("must be \(minimum) or more")) }
                return count
            }
            switch key {
            case "host": spec.host = try value.string()
            case "port":
                spec.port = try value.int()
                guard (1...65535).contains(spec.port) else { throw value.fail(.invalidValue("must be 1-65535")) }
            case "cors": spec.cors = try value.strings()
            case "cors_edits":
                spec.corsEdits = try value.strings()
                guard !spec.corsEdits.contains("*") else {
                    throw value.fail(.invalidValue("list the origins that may edit; '*' would let any web page edit with a stolen token"))
                }
            case "partners": spec.partners = try value.string()
            case "regions": spec.regions = try value.string()
            case "admin_token_env": spec.adminTokenEnv = try value.string()
            case "max_batch_points": spec.maxBatchPoints = try count(atLeast: 1)
            case "head_timeout": spec.headTimeout = try seconds()
            case "idle_timeout": spec.idleTimeout = try seconds()
            case "body_timeout": spec.bodyTimeout = try seconds()
            case "max_connections": spec.maxConnections = try count(atLeast: 16)
            case "tile_cache_mb": spec.tileCacheMegabytes = try count(atLeast: 1)
            case "tile_cache_files": spec.tileCacheFiles = try count(atLeast: 16)
            case "batch_points_in_flight": spec.batchPointsInFlight = try count(atLeast: 1)
            case "block_cache_mb": spec.blockCacheMegabytes = try count(atLeast: 64)
            case "smtp": spec.smtp = value.isNull ? nil : try parseSMTP(value)
            case "contact": spec.contact = try parseContact(value)
            case "public_url":
                let url = try value.string()
                guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil,
                      parsed.query == nil else {
                    throw value.fail(.invalidValue("must be an http(s) URL such as https://maps.example.org"))
                }
                spec.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            default: spec.maxDownloadPixels = try value.int()
            }
        }
        guard spec.batchPointsInFlight >= spec.maxBatchPoints else {
            throw node.fail(.invalidValue(
                "batch_points_in_flight (\(spec.batchPointsInFlight)) must be at least max_batch_points "
                    + "(\(spec.maxBatchPoints)), or the largest batch could never run"))
        }
        return spec
    }

    static func parseSMTP(_ node: ConfigNode) throws(ConfigError) -> SMTPSpec {
        var host: String?, from: String?
        var spec = SMTPSpec(host: "", from: "")
        for (key, value) in try node.mapping(allowed: ["host", "port", "starttls", "user_env", "password_env", "from", "from_name", "ca_file"]) {
            switch key {
            case "host": host = try value.string()
            case "port":
                spec.port = try value.int()
                guard (1...65535).contains(spec.port) else { throw value.fail(.invalidValue("must be 1-65535")) }
            case "starttls": spec.startTLS = try value.bool()
            case "user_env": spec.userEnv = try value.string()
            case "password_env": spec.passwordEnv = try value.string()
            case "ca_file":
                let path = try value.string()
                guard FileManager.default.isReadableFile(atPath: path) else { throw value.fail(.invalidValue("names no readable file")) }
                spec.caFile = path
            case "from":
                let address = try value.string()
                guard address.split(separator: "@").count == 2, !address.contains(where: { $0.isWhitespace || "<>\"".contains($0) }) else {
                    throw value.fail(.invalidValue("must be the relay's own e-mail address, such as contact@4p1000.org"))
                }
                from = address
            default: spec.fromName = try value.string()
            }
        }
        guard let host, !host.isEmpty else { throw node.fail(.invalidValue("smtp needs a host")) }
        guard let from else { throw node.fail(.invalidValue("smtp needs a from address (the relay's own)")) }
        spec.host = host
        spec.from = from
        return spec
    }

    static func parseContact(_ node: ConfigNode) throws(ConfigError) -> ContactLimits {
        var spec = ContactLimits()
        guard !node.isNull else { return spec }
        for (key, value) in try node.mapping(allowed: ["max_message_chars", "max_links", "per_client_per_hour",
                                                       "per_recipient_per_day", "confirm_sender", "confirmation_hours"]) {
            func count(_ range: ClosedRange<Int>) throws(ConfigError) -> Int {
                let count = try value.int()
                guard range.contains(count) else { throw value.fail(.invalidValue("must be \(range.lowerBound)-\(range.upperBound)")) }
                return count
            }
            switch key {
            case "max_message_chars": spec.maxMessageCharacters = try count(100...100_000)
            case "max_links": spec.maxLinks = try count(0...100)
            case "per_client_per_hour": spec.perClientPerHour = try count(1...10_000)
            case "per_recipient_per_day": spec.perRecipientPerDay = try count(1...100_000)
            case "confirm_sender": spec.confirmSender = try value.bool()
            default: spec.confirmationHours = try count(1...720)
            }
        }
        return spec
    }
}
