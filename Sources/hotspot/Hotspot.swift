import ArgumentParser
import Pipeline

@main
struct Hotspot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspot",
        abstract: "Soil Carbon Hotspots: where soil organic carbon can be gained, and where its loss is most urgent to stop.",
        version: RunRecord.Software.current.line,
        subcommands: [DemoDataCommand.self, RunCommand.self, SlurmCommand.self, TilesCommand.self, ServeCommand.self, QueryCommand.self,
                      RegionCommand.self, PartnersCommand.self])
}

/// The option every command shares.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Configuration file.")
    var config = "Config/hotspot.yaml"
}
