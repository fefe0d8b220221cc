import Foundation
import GeoKit
import Synchronization

/// The directory, stored in a GeoPackage (layer `partners`, points in EPSG:4326: QGIS opens it as it is) and served
/// from an in-memory snapshot. Edits are serialised (one writer) and each is one transaction: the file is never left
/// half-written, and the snapshot is replaced only after the commit.
public final class PartnerStore: @unchecked Sendable {
    public let path: String
    static let layerName = "partners"
    static let textFields = ["id", "name", "type", "country", "themes", "website", "description_en", "description_fr",
                             "description_es", "email", "created", "updated"]

    private let lock = Mutex(())
    /// The GeoPackage and its layer; nil until the first edit when there was no file.
    private var file: (dataset: Dataset, layer: VectorLayer)?
    private var fids: [String: Int64]
    private var current: PartnerIndex
    /// Features of the GeoPackage that are not partners (edited outside hotspot, say in QGIS): left in the file,
    /// out of the directory, and said by whoever opens the store.
    public let skipped: [Skipped]

    public struct Skipped: Sendable, CustomStringConvertible {
        public var fid: Int64
        public var reason: String
        public var description: String { "feature \(fid): \(reason)" }
    }

    /// Opens the store at `path`. Where there is none, the directory is empty and the GeoPackage is made by the
    /// first edit: reading (a server, `partners list`) never leaves an empty file behind.
    public init(path: String) throws {
        self.path = path
        if FileManager.default.fileExists(atPath: path) {
            let dataset = try Dataset(vectorForUpdate: path)
            guard let layer = dataset.layer(named: Self.layerName) else {
                throw GeoError.openFailed(path: path, reason: "no '\(Self.layerName)' layer: not a partner store")
            }
            file = (dataset, layer)
        } else {
            file = nil
        }
        var fids: [String: Int64] = [:]
        var partners: [Partner] = []
        var skipped: [Skipped] = []
        for feature in file?.layer.features() ?? [] {
            do throws(PartnerError) {
                let partner = try Self.partner(from: feature)
                guard fids[partner.id] == nil else { throw PartnerError("id", "\(partner.id) is there twice") }
                fids[partner.id] = feature.fid
                partners.append(partner)
            } catch {
                skipped.append(Skipped(fid: feature.fid, reason: error.description))
            }
        }
        self.fids = fids
        self.skipped = skipped
        current = PartnerIndex(partners)
    }

    /// Whether the GeoPackage exists (it is made by the first edit).
    public var exists: Bool { lock.withLock { _ in file != nil } }

    /// The directory as it is now (immutable; edits make a new one).
    public var snapshot: PartnerIndex {
        lock.withLock { _ in current }
    }

    public enum EditError: Error, Sendable, Equatable {
        case exists(String)
        case notFound(String)
    }

    /// Adds a new partner (its id must be new).
    public func insert(_ partner: Partner) throws {
        try partner.validate()
        try edit { partners, layer in
            guard fids[partner.id] == nil else { throw EditError.exists(partner.id) }
            fids[partner.id] = try layer.insert(fields: Self.fields(of: partner), point: (partner.lon, partner.lat))
            partners.append(partner)
        }
    }

    /// Replaces an existing partner, keeping its creation time.
    public func replace(_ partner: Partner) throws -> Partner {
        try partner.validate()
        var stored = partner
        try edit { partners, layer in
            guard let fid = fids[partner.id], let index = partners.firstIndex(where: { $0.id == partner.id }) else {
                throw EditError.notFound(partner.id)
            }
            stored.created = partners[index].created
            try layer.update(fid: fid, fields: Self.fields(of: stored), point: (stored.lon, stored.lat))
            partners[index] = stored
        }
        return stored
    }

    public func delete(id: String) throws {
        try edit { partners, layer in
            guard let fid = fids[id] else { throw EditError.notFound(id) }
            try layer.delete(fid: fid)
            fids[id] = nil
            partners.removeAll { $0.id == id }
        }
    }

    /// Adds many partners in one transaction (all or nothing); `replace` empties the store first.
    public func importAll(_ incoming: [Partner], replace: Bool) throws {
        for partner in incoming { try partner.validate() }
        try edit { partners, layer in
            if replace {
                try layer.deleteAll()
                fids = [:]
                partners = []
            }
            for partner in incoming {
                if let fid = fids[partner.id] {
                    try layer.update(fid: fid, fields: Self.fields(of: partner), point: (partner.lon, partner.lat))
                    partners.removeAll { $0.id == partner.id }
                } else {
                    fids[partner.id] = try layer.insert(fields: Self.fields(of: partner), point: (partner.lon, partner.lat))
                }
                partners.append(partner)
            }
        }
    }

    /// One edit: under the lock, in a transaction; the snapshot changes only if it commits.
    private func edit(_ body: (inout [Partner], VectorLayer) throws -> Void) throws {
        try lock.withLock { _ throws(any Error) in
            var partners = current.partners
            let savedFids = fids
            let file = try self.file ?? Self.create(path)
            self.file = file
            do {
                try file.dataset.transaction { try body(&partners, file.layer) }
            } catch {
                fids = savedFids
                throw error
            }
            current = PartnerIndex(partners, version: current.version + 1)
        }
    }

    /// An empty store: a GeoPackage with the partner layer (points in EPSG:4326, a spatial index).
    static func create(_ path: String) throws -> (dataset: Dataset, layer: VectorLayer) {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let dataset = try Dataset(creatingVector: path, driver: "GPKG")
        let layer = try dataset.createPointLayer(named: layerName, crs: CRS.wgs84(), textFields: textFields,
                                                 options: ["SPATIAL_INDEX=YES", "IDENTIFIER=Partners (demo)"])
        return (dataset, layer)
    }

    static func fields(of p: Partner) -> [String: String?] {
        ["id": p.id, "name": p.name, "type": p.type.rawValue, "country": p.country,
         "themes": p.themes.map(\.rawValue).joined(separator: ";"), "website": p.website,
         "description_en": p.description["en"], "description_fr": p.description["fr"], "description_es": p.description["es"],
         "email": p.email, "created": p.created, "updated": p.updated]
    }

    /// The partner a feature holds, or why it holds none.
    static func partner(from feature: VectorFeature) throws(PartnerError) -> Partner {
        let f = feature.fields
        guard let point = feature.point else { throw PartnerError("geometry", "has no point") }
        for field in ["id", "name", "country"] where f[field] == nil { throw PartnerError(field, "is missing") }
        guard let type = f["type"].flatMap(PartnerType.init(rawValue:)) else {
            throw PartnerError("type", "'\(f["type"] ?? "")' is not one of \(PartnerType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let themes = (f["themes"] ?? "").split(separator: ";").map(String.init)
        if let unknown = themes.first(where: { Theme(rawValue: $0) == nil }) {
            throw PartnerError("themes", "'\(unknown)' is not a theme")
        }
        var description: [String: String] = [:]
        for language in Partner.languages { if let text = f["description_\(language)"] { description[language] = text } }
        let partner = Partner(id: f["id"]!, name: f["name"]!, type: type, country: f["country"]!, lon: point.x, lat: point.y,
                              themes: themes.compactMap(Theme.init(rawValue:)), website: f["website"],
                              description: description, email: f["email"], created: f["created"] ?? "",
                              updated: f["updated"] ?? "")
        try partner.validate()
        return partner
    }
}
