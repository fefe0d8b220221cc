import ArgumentParser
import Foundation
import GeoKit
import HotspotAPI
import HotspotConfig
import RunReader
import Hummingbird
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API, tiles, downloads and the map page of the latest run (switches to a new run by itself).",
        discussion: examples("hotspot serve --config Config/hotspot.yaml", "hotspot serve --config Config/hotspot.yaml --host 0.0.0.0 --port 8080"))

    @OptionGroup var common: ConfigOption
    @Option(help: "Address to listen on (default: server.host).") var host: String?
    @Option(help: "Port (default: server.port).") var port: Int?

    func run() async throws {
        guard let config = loadConfiguration() else { throw ExitCode.failure }
        if let port, !(0...65535).contains(port) {
            Terminal.error("--port must be between 0 and 65535")
            throw ExitCode.validationFailure
        }
        var logger = Logger(label: "hotspot")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let options = ServerOptions(configuration: config, host: host, port: port)
        do {
            try ListenAddress.checkAvailable(host: options.host, port: options.port)
            let app = try HotspotServer.makeApplication(options, logger: logger) { port in
                Terminal.info("serving on http://\(options.host):\(port) (map: /map, API: /openapi.json)")
            }
            try await app.runService()
        } catch let error as ServerSetupError {
            Terminal.error(error.description)
            throw ExitCode.failure
        } catch let error as ReadError {
            Terminal.error(error.description)
            throw ExitCode.failure
        } catch let error as GeoError {
            Terminal.error(error.description)
            throw ExitCode.failure
        }
    }
}

extension ServeCommand {
    func loadConfiguration() -> HotspotConfiguration? {
        do {
            return try HotspotConfiguration.load(path: common.config)
        } catch {
            Terminal.error(error.description)
            return nil
        }
    }
}

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Print the score answer at a point, as GET /v1/score gives it (JSON).",
        discussion: examples("hotspot query --lon -3.7 --lat 40.4", "hotspot query --lon 2.35 --lat 48.85 --lang fr"))

    @OptionGroup var common: ConfigOption
    // `.unconditional`: half the planet has negative coordinates, and `--lon -3.7` must not read as an option.
    @Option(parsing: .unconditional, help: "Longitude, degrees (WGS84).") var lon: String
    @Option(parsing: .unconditional, help: "Latitude, degrees (WGS84).") var lat: String
    @Option(help: "Language of the labels: en, fr or es.") var lang = Language.en
    @Option(name: .customLong("run"), help: "The run (default: <output.dir>/latest).") var runPath: String?

    func run() throws {
        try failingInOneSentence {
            let config = try HotspotConfiguration.load(path: common.config)
            let x = try checkedNumber(lon, "lon", in: -180...180), y = try checkedNumber(lat, "lat", in: -90...90)
            let language = lang
            let run = try RunReader(directory: runPath ?? (config.output.dir as NSString).appendingPathComponent("latest"))
            let answer = try run.score(lon: x, lat: y, language: language)
            let encoder = JSONEncoder.api
            encoder.outputFormatting.insert(.prettyPrinted)
            print(String(decoding: try encoder.encode(answer), as: UTF8.self))
        }
    }
}

struct RegionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "region",
        abstract: "Clip a layer of the latest run to a box, a named region or a polygon file as a COG (as GET "
            + "/v1/download), or print the statistics of a region or polygon (as GET /v1/regions/{id}/stats).",
        discussion: examples("hotspot region --region europe", "hotspot region --layer loss_score --bbox -10,35,5,45 --out iberia.tif",
                             "hotspot region --polygon farm.geojson"))

    @OptionGroup var common: ConfigOption
    @Option(parsing: .unconditional, help: "west,south,east,north in degrees (--bbox -10,35,5,45).") var bbox: String?
    @Option(help: "A region id of server.regions.") var region: String?
    @Option(help: "A GeoJSON file of polygons (WGS84) to clip to or to summarise, instead of a named region.")
    var polygon: String?
    @Option(help: "The layer to clip (sequestration_score, loss_score, hotspot_class, sequestration_rate_low|medium|high, loss_expected).")
    var layer: String?
    @Option(help: "The COG to write; without it, print the region's statistics.") var out: String?
    @Option(name: .customLong("run"), help: "The run (default: <output.dir>/latest).") var runPath: String?

    func run() throws {
        try failingInOneSentence {
            let config = try HotspotConfiguration.load(path: common.config)
            guard polygon == nil || (region == nil && bbox == nil) else {
                throw ValidationError("give one of --bbox, --region and --polygon")
            }
            let scratch = NSTemporaryDirectory() + "hotspot-polygon-\(UUID().uuidString).geojson"
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            // A polygon file becomes a catalogue of one region, so that it is clipped and summarised as regions are.
            let catalog = if let polygon { try RegionCatalog(polygonFile: polygon, scratch: scratch) }
                else { try RegionCatalog(path: config.server.regions) }
            let region = polygon == nil ? self.region : RegionCatalog.polygonID
            let run = try RunReader(directory: runPath ?? (config.output.dir as NSString).appendingPathComponent("latest"))
            guard let out else {
                guard let region else {
                    throw ValidationError("statistics need --region or --polygon (or give --out)")
                }
                let stats = try run.statistics(of: try catalog.region(region), catalog: catalog, language: .en)
                let encoder = JSONEncoder.api
                encoder.outputFormatting.insert(.prettyPrinted)
                print(String(decoding: try encoder.encode(stats), as: UTF8.self))
                return
            }
            try run.clip(layer: layer, bbox: bbox, region: region, catalog: catalog, to: out,
                         maxPixels: config.server.maxDownloadPixels)
            Terminal.info("wrote \(out)")
        }
    }
}
