import ArgumentParser
import DemoData
import Foundation
import GeoKit

struct DemoDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Generate the synthetic demo inputs (deterministic from the seed; marked synthetic in every file).",
        discussion: examples("hotspot demo-data --out Rasters/demo", "hotspot demo-data --out /tmp/demo --resolution 0.5 --bbox -10,35,5,45"))

    @OptionGroup var common: ConfigOption

    @Option(help: "Output folder.")
    var out = "Rasters/demo"

    @Option(help: "Pixel size of the target grid in degrees.")
    var resolution = 0.05

    @Option(parsing: .unconditional, help: "Region as W,S,E,N in degrees (default: the whole demo grid).")
    var bbox = "-180,-60,180,84"

    @Option(help: "Random seed.")
    var seed: UInt64 = 41000

    @Option(help: "Land mask GeoTIFF (0 sea, 1 land, 2 lake).")
    var landmask = "Config/demo/landmask.tif"

    func validate() throws {
        guard resolution > 0, resolution <= 10 else { throw ValidationError("--resolution must be in (0, 10] degrees") }
        guard parsedBBox != nil else { throw ValidationError("--bbox must be four numbers W,S,E,N with W < E and S < N") }
    }

    var parsedBBox: [Double]? {
        let values = bbox.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == 4, values[0] < values[2], values[1] < values[3], values[0] >= -180, values[2] <= 180,
              values[1] >= -90, values[3] <= 90 else { return nil }
        return values
    }

    func run() throws {
        let generator = DemoDataGenerator(outputDirectory: out, resolution: resolution, bbox: parsedBBox!, seed: seed,
                                          landMaskPath: landmask)
        let start = Date()
        try failingInOneSentence { try generator.generate(log: { Terminal.info("demo-data: \($0)") }) }
        Terminal.info(String(format: "demo-data: wrote synthetic layers to %@ in %.1f s", out, Date().timeIntervalSince(start)))
    }
}
