import Foundation
import GeoKit
import Synchronization

/// The directory, kept in a GeoPackage (the embedded default) or a PostgreSQL/PostGIS database, layer `partners`,
/// points in EPSG:4326 (QGIS opens either as it is), and served from an in-memory snapshot.
///
/// Several processes may share one store (replicas behind a proxy, `hotspot partners import` beside a server). Each
/// edit is one transaction that starts from the store as it is: on PostgreSQL it first locks `partners_version`, a
/// one-row table that a trigger bumps at every change of the partners, so edits from all replicas are serialised and
/// none is lost; where the store moved since this process read it, it is read again before the edit. `refresh()`
/// (the server calls it every second) compares that mark, or SQLite's `data_version` for a GeoPackage, and reloads
/// on a change: an edit on one replica is answered by the others after the next refresh. The snapshot is replaced
/// only after a commit, so readers never see half an edit and never wait for one.
public final class PartnerStore: @unchecked Sendable {
    public let location: PartnerLocation
    /// The location for messages (a password hidden).
    public var path: String { location.description }
    static let layerName = "partners"
    static let textFields = ["id", "name", "type", "country", "themes", "website", "description_en", "description_fr",
                             "description_es", "email", "created", "updated"]

    /// Serialises edits and refreshes; guards `dataset`, `layer`, `fids` and `mark`.
    private let lock = Mutex(())
    private var dataset: Dataset?
    /// The partner layer; nil until the first edit when the store has none.
    private var layer: VectorLayer?
    private var fids: [String: Int64] = [:]
    /// The store's change mark when the snapshot was read.
    private var mark: String?
    /// The directory as read, and the features that are not partners; readers take it without waiting for an edit.
    private let published = Mutex(Published(index: PartnerIndex([]), skipped: []))

    struct Published: Sendable {
        var index: PartnerIndex
        var skipped: [Skipped]
    }

    public struct Skipped: Sendable, CustomStringConvertible {
        public var fid: Int64
        public var reason: String
        public var description: String { "feature \(fid): \(reason)" }
    }

    /// Opens the store. A GeoPackage that does not exist is an empty directory made by the first edit: reading (a
    /// server, `partners list`) never leaves an empty file behind. A database must answer; its table is likewise
    /// made by the first edit.
    public init(location: PartnerLocation) throws {
        self.location = location
        try lock.withLock { _ throws(any Error) in
            switch location {
            case .geoPackage(let path):
                guard FileManager.default.fileExists(atPath: path) else { return }
                try attach(requireLayer: true)
            case .postgreSQL:
                try attach(requireLayer: false)
            }
            if let layer { try reload(layer) }
        }
    }

    public convenience init(path: String) throws {
        try self.init(location: PartnerLocation(path))
    }

    /// Whether the store holds a partner layer (it is made by the first edit).
    public var exists: Bool { lock.withLock { _ in layer != nil } }

    /// The directory as it is now (immutable; edits and refreshes make a new one).
    public var snapshot: PartnerIndex { published.withLock { $0.index } }

    /// Features of the layer that are not partners (edited outside hotspot, say in QGIS): left in the store, out of
    /// the directory, and said by whoever opens it.
    public var skipped: [Skipped] { published.withLock { $0.skipped } }

    public enum EditError: Error, Sendable, Equatable {
        case exists(String)
        case notFound(String)
        /// The partner changed since the version the client named (`If-Match`).
        case stale(String)
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

    /// Replaces an existing partner, keeping its creation time. `expected`, when given, must accept the partner as
    /// stored at the time of the edit (the client's `If-Match`), or nothing is written.
    public func replace(_ partner: Partner, expected: (@Sendable (Partner) -> Bool)? = nil) throws -> Partner {
        try partner.validate()
        var stored = partner
        try edit { partners, layer in
            guard let fid = fids[partner.id], let index = partners.firstIndex(where: { $0.id == partner.id }) else {
                throw EditError.notFound(partner.id)
            }
            if let expected, !expected(partners[index]) { throw EditError.stale(partner.id) }
            stored.created = partners[index].created
            try layer.update(fid: fid, fields: Self.fields(of: stored), point: (stored.lon, stored.lat))
            partners[index] = stored
        }
        return stored
    }

    public func delete(id: String, expected: (@Sendable (Partner) -> Bool)? = nil) throws {
        try edit { partners, layer in
            guard let fid = fids[id], let index = partners.firstIndex(where: { $0.id == id }) else {
                throw EditError.notFound(id)
            }
            if let expected, !expected(partners[index]) { throw EditError.stale(id) }
            try layer.delete(fid: fid)
            fids[id] = nil
            partners.remove(at: index)
        }
    }

    /// Adds many partners in one transaction (all or nothing); `replace` empties the store first. The partners keep
    /// their timestamps (a copy between stores is faithful).
    public func importAll(_ incoming: [Partner], replace: Bool) throws {
        for partner in incoming { try partner.validate() }
        guard location.isDatabase else { return try write(incoming, replace: replace) }
        // On PostgreSQL, one COPY instead of an INSERT (a round trip) per partner: 100,000 partners in seconds, not
        // minutes. OGR's COPY gives no feature ids and the layer keeps using it, so the store is opened again after.
        try GDALRuntime.withThreadOption("PG_USE_COPY", "YES") { try write(incoming, replace: replace) }
        try lock.withLock { _ throws(any Error) in
            try attach(requireLayer: true)
            try reload(layer!)
        }
    }

    private func write(_ incoming: [Partner], replace: Bool) throws {
        try edit { partners, layer in
            if replace {
                if location.isDatabase {
                    try layer.dataset.execute(sql: "DELETE FROM \(Self.layerName)")
                } else {
                    try layer.deleteAll()
                }
                fids = [:]
                partners = []
            }
            var position = Dictionary(partners.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
            for partner in incoming {
                if let fid = fids[partner.id] {
                    try layer.update(fid: fid, fields: Self.fields(of: partner), point: (partner.lon, partner.lat))
                    partners[position[partner.id]!] = partner
                } else {
                    fids[partner.id] = try layer.insert(fields: Self.fields(of: partner), point: (partner.lon, partner.lat))
                    position[partner.id] = partners.count
                    partners.append(partner)
                }
            }
        }
    }

    /// Reads the store again if another process changed it since this one read it; true when it did. Cheap when
    /// nothing changed (one one-row query), so a server calls it every second.
    @discardableResult
    public func refresh() throws -> Bool {
        try lock.withLock { _ throws(any Error) -> Bool in
            guard let layer, let dataset else {
                // The store may have been made since (by another replica, or an import beside this server).
                switch location {
                case .geoPackage(let path):
                    guard FileManager.default.fileExists(atPath: path) else { return false }
                    try attach(requireLayer: true)
                case .postgreSQL:
                    // OGR lists a database's tables when it connects: a new connection sees a table made since.
                    try attach(requireLayer: false)
                }
                guard let layer = self.layer else { return false }
                try reload(layer)
                return true
            }
            let now: String?
            do {
                now = try currentMark(dataset)
            } catch {
                // A lost database connection: connect again next time rather than fail forever.
                if location.isDatabase { (self.dataset, self.layer) = (nil, nil) }
                throw error
            }
            guard now != mark else { return false }
            try reload(layer)
            return true
        }
    }

    /// Runs `body` on the store's own connection, under its lock: other tables kept beside the partners (the contact
    /// outbox) share the connection, so a GeoPackage still has one writer.
    public func withConnection<T>(_ body: (Dataset) throws -> T) throws -> T {
        try lock.withLock { _ throws(any Error) -> T in
            if dataset == nil { try attach(requireLayer: false) }
            guard let dataset else { throw GeoError.openFailed(path: path, reason: "the partner directory is not there") }
            do {
                return try body(dataset)
            } catch let error as GeoError where location.isDatabase {
                // A lost database connection: connect again next time rather than fail forever.
                if (try? currentMark(dataset)) == nil { (self.dataset, self.layer) = (nil, nil) }
                throw error
            }
        }
    }

    // MARK: the store underneath (under the lock)

    /// Opens the dataset and finds the partner layer (and, on a database, makes sure its change mark exists).
    private func attach(requireLayer: Bool) throws {
        let dataset = try Dataset(vectorForUpdate: location.gdalName, name: location.description)
        let layer = dataset.layer(named: Self.layerName)
        if requireLayer && layer == nil {
            throw GeoError.openFailed(path: path, reason: "no '\(Self.layerName)' layer: not a partner store")
        }
        if layer != nil, location.isDatabase,
           try dataset.query(sql: "SELECT to_regclass('\(Self.versionTable)')::text").first?.first ?? nil == nil {
            // A table made by another tool (ogr2ogr, QGIS): give it the change mark the replicas watch.
            try dataset.transaction { try Self.addChangeMark(dataset) }
        }
        (self.dataset, self.layer) = (dataset, layer)
    }

    /// Reads every feature of the layer into a new snapshot (the mark first: a change between the two is seen by
    /// the next refresh, never missed).
    private func reload(_ layer: VectorLayer) throws {
        mark = try currentMark(layer.dataset)
        var fids: [String: Int64] = [:]
        var partners: [Partner] = []
        var skipped: [Skipped] = []
        for feature in layer.features() {
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
        published.withLock { $0 = Published(index: PartnerIndex(partners, version: $0.index.version + 1), skipped: skipped) }
    }

    /// What changes when another connection changes the store: PostgreSQL's `partners_version` (bumped by a
    /// trigger at every statement on the partners), SQLite's `data_version` (moved by other connections' commits).
    private func currentMark(_ dataset: Dataset) throws -> String? {
        let sql = location.isDatabase ? "SELECT version FROM \(Self.versionTable)" : "PRAGMA data_version"
        return try dataset.query(sql: sql).first?.first ?? nil
    }

    /// One edit: under the lock, in a transaction that starts from the store as it is; the snapshot changes only
    /// if it commits.
    private func edit(_ body: (inout [Partner], VectorLayer) throws -> Void) throws {
        try lock.withLock { _ throws(any Error) in
            let layer = try layerForEdit()
            let dataset = layer.dataset
            var partners: [Partner] = []
            var savedFids = fids
            do {
                let newMark = try dataset.transaction { () throws -> String? in
                    if location.isDatabase {
                        // Other replicas' edits wait here (and a trigger's bump would): one writer at a time.
                        try dataset.execute(sql: "LOCK TABLE \(Self.versionTable) IN SHARE ROW EXCLUSIVE MODE")
                    }
                    if try currentMark(dataset) != mark {
                        try reload(layer)
                        savedFids = fids
                    }
                    partners = snapshot.partners
                    try body(&partners, layer)
                    // Our own writes moved the database's mark; SQLite's does not move for our own commits.
                    return location.isDatabase ? try currentMark(dataset) : mark
                }
                mark = newMark
            } catch {
                fids = savedFids
                throw error
            }
            published.withLock { $0.index = PartnerIndex(partners, version: $0.index.version + 1) }
        }
    }

    /// The partner layer, made when the store has none: a GeoPackage file, or a PostGIS table.
    private func layerForEdit() throws -> VectorLayer {
        if let layer { return layer }
        switch location {
        case .geoPackage(let path):
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            let dataset = try Dataset(creatingVector: path, driver: "GPKG")
            let layer = try dataset.createPointLayer(named: Self.layerName, crs: CRS.wgs84(), textFields: Self.textFields,
                                                     options: ["SPATIAL_INDEX=YES", "IDENTIFIER=Partners (demo)"])
            (self.dataset, self.layer) = (dataset, layer)
            mark = try currentMark(dataset)
            return layer
        case .postgreSQL:
            try attach(requireLayer: false)
            if let layer { return layer }
            do {
                let dataset = self.dataset!
                try dataset.transaction {
                    let layer = try dataset.createPointLayer(
                        named: Self.layerName, crs: CRS.wgs84(), textFields: Self.textFields,
                        options: ["GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=GIST",
                                  "DESCRIPTION=Soil Carbon Hotspots: the partner directory"])
                    try layer.sync()
                    try dataset.execute(sql: "CREATE UNIQUE INDEX \(Self.layerName)_id_key ON \(Self.layerName) (id)")
                    try Self.addChangeMark(dataset)
                }
                // Opened again, not as created: OGR writes a layer it created with COPY, which gives no feature ids.
                // Read as any store is (another replica may have written since the commit).
                try attach(requireLayer: true)
                try reload(self.layer!)
                return self.layer!
            } catch {
                // Another replica made it first: use theirs.
                try attach(requireLayer: false)
                guard let layer else { throw error }
                try reload(layer)
                return layer
            }
        }
    }

    static let versionTable = "partners_version"

    /// The change mark on a database: a one-row counter and the statement trigger that bumps it, whoever edits.
    static func addChangeMark(_ dataset: Dataset) throws {
        for statement in [
            "CREATE TABLE IF NOT EXISTS \(versionTable) (version bigint NOT NULL)",
            "INSERT INTO \(versionTable) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM \(versionTable))",
            """
            CREATE OR REPLACE FUNCTION \(versionTable)_bump() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN UPDATE \(versionTable) SET version = version + 1; RETURN NULL; END $$
            """,
            "DROP TRIGGER IF EXISTS \(versionTable)_bump ON \(layerName)",
            """
            CREATE TRIGGER \(versionTable)_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(layerName) \
            FOR EACH STATEMENT EXECUTE FUNCTION \(versionTable)_bump()
            """,
        ] {
            try dataset.execute(sql: statement)
        }
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
