import Foundation
import HotspotConfig
import Testing

/// The repository root, found from this file's absolute path (tests may run from any working directory).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// `Config/` of the repository: the shipped configuration, legends and ramps.
let configDirectory = repositoryRoot + "/Config"

/// The name test texts are parsed under: beside the shipped configuration, so that `esa_cci` resolves.
let testFile = configDirectory + "/test.yaml"

/// A minimal valid configuration (line numbers in the margin are those errors report), with `edit` applied.
func yaml(_ edit: (String) -> String = { $0 }) -> String {
    edit("""
        grid:
          crs: "EPSG:4326"
          resolution: 0.5
          bbox: [-10, 30, 40, 70]
        layers:
          soc: { path: soc.tif }
          clay: { path: clay.tif, scale: 0.1 }
          tmean: { path: tmean.tif }
          precip: { path: precip.tif }
          landcover: { path: lc.tif, classes: esa_cci }
        output:
          dir: out

        """)
}

/// The minimal configuration with `line` (no newline) replaced by `replacement`.
func yaml(replacing line: String, with replacement: String) -> String {
    let text = yaml()
    precondition(text.contains(line), "the fixture has no line \(line)")
    return text.replacingOccurrences(of: line, with: replacement)
}

/// The minimal configuration with `lines` appended (they start at line 13).
func yaml(appending lines: String) -> String { yaml() + lines }

func parse(_ text: String, file: String = testFile) throws(ConfigError) -> HotspotConfiguration {
    try HotspotConfiguration.parse(text, file: file)
}

/// The error parsing `text` gives, or nil (recording an issue) when it is accepted.
func configError(_ text: String, file: String = testFile,
                 sourceLocation: SourceLocation = #_sourceLocation) -> ConfigError? {
    do {
        _ = try parse(text, file: file)
        Issue.record("the configuration was accepted", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// A temporary folder of its own for one test, removed by `body`'s end.
func withTemporaryFolder<R>(_ body: (String) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("hotspot-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}
