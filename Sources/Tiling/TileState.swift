import Foundation

/// `Tiles/<layer>/.state.json`: what the pyramid there was made from, and whether it is complete. A complete pyramid of
/// the same source, ramp, format and zooms is not redone; an incomplete one is resumed; any change starts afresh.
struct TileState: Codable, Equatable {
    /// Bumped when rendering changes, so that tiles of an older renderer are redone.
    static let rendererVersion = 2

    var renderer = TileState.rendererVersion
    var sourceSHA256: String
    var runID: String
    var ramp: String
    var format: String
    var zooms: [Int]
    var complete: Bool

    func sameInputs(as other: TileState) -> Bool {
        renderer == other.renderer && sourceSHA256 == other.sourceSHA256 && ramp == other.ramp && format == other.format && zooms == other.zooms
    }

    static func path(in directory: String) -> String { (directory as NSString).appendingPathComponent(".state.json") }

    static func load(from directory: String) -> TileState? {
        guard let data = FileManager.default.contents(atPath: path(in: directory)) else { return nil }
        return try? JSONDecoder().decode(TileState.self, from: data)
    }

    func save(to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: TileState.path(in: directory)), options: .atomic)
    }
}
