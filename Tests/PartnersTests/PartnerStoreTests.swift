import Foundation
import GeoKit
@testable import Partners
import TestSupport
import Testing

/// The two stores the directory lives in: a GeoPackage file, and a database of the real PostgreSQL 15 + PostGIS 3
/// the test set-up starts (`PostgresServer`).
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case geoPackage, postgreSQL
    var testDescription: String { rawValue }

    /// A new, empty location of this kind (the folder keeps a GeoPackage alive; a database lives with the server).
    func location(in folder: TemporaryFolder) throws -> String {
        switch self {
        case .geoPackage: folder.file("partners.gpkg")
        case .postgreSQL: try PostgresServer.shared().createDatabase().connection
        }
    }

    /// How many partner rows the store holds, asked of the store's own tools (ogrinfo's SQL, psql).
    func rowCount(_ location: String) throws -> Int {
        switch self {
        case .geoPackage:
            let out = try runTool("ogrinfo", ["-q", location, "-sql", "SELECT COUNT(*) AS n FROM partners"]).out
            return Int(out.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
        case .postgreSQL:
            return Int(try psql(location, "SELECT count(*) FROM partners")) ?? -1
        }
    }

    func psql(_ location: String, _ sql: String) throws -> String {
        let database = location.split(separator: " ").first { $0.hasPrefix("dbname=") }!.dropFirst(7)
        return try PostgresServer.shared().psql(String(database), sql)
    }
}

@Suite struct PartnerStoreTests {
    /// Every field survives a write and a fresh read, in both stores; the database holds PostGIS points in EPSG:4326
    /// with a GiST index, and ids are unique in the table itself.
    @Test(arguments: StoreKind.allCases) func theStoreKeepsEveryField(_ kind: StoreKind) throws {
        let folder = TemporaryFolder()
        let location = try kind.location(in: folder)
        let partners = makePartners(count: 60) + awkward
        try PartnerStore(path: location).importAll(partners, replace: false)
        let reopened = try PartnerStore(path: location)
        #expect(reopened.snapshot.partners == partners.sorted { $0.id < $1.id })
        #expect(reopened.skipped.isEmpty)
        #expect(try kind.rowCount(location) == partners.count)
        let info = try runTool("ogrinfo", ["-so", location, "partners"])
        #expect(info.status == 0 && info.out.contains("Feature Count: \(partners.count)") && info.out.contains("Point"),
                "\(info.out) \(info.err)")
        guard kind == .postgreSQL else { return }
        #expect(try kind.psql(location, "SELECT Find_SRID('public', 'partners', 'geom') || ' ' || GeometryType(geom) FROM partners LIMIT 1")
                == "4326 POINT")
        let indexes = try kind.psql(location, "SELECT indexdef FROM pg_indexes WHERE tablename = 'partners' ORDER BY indexname")
        #expect(indexes.contains("USING gist (geom)"), "\(indexes)")
        #expect(indexes.contains("CREATE UNIQUE INDEX partners_id_key ON public.partners USING btree (id)"), "\(indexes)")
        // PostGIS agrees with the stored coordinates.
        let paris = try kind.psql(location, "SELECT ST_X(geom) || ',' || ST_Y(geom) FROM partners WHERE id = 'paris'")
        #expect(paris == "2.3522,48.8566")
        // The table refuses a second row with an id, whoever writes it.
        #expect(throws: (any Error).self) {
            try kind.psql(location, "INSERT INTO partners (id, name, geom) VALUES ('paris', 'x', ST_SetSRID(ST_MakePoint(0, 0), 4326))")
        }
    }

    /// Insert, replace, delete; a second insert of an id is refused, an unknown id is not found; `If-Match`'s
    /// precondition is checked against the partner as stored at the time of the edit.
    @Test(arguments: StoreKind.allCases) func editsAndPreconditions(_ kind: StoreKind) throws {
        let folder = TemporaryFolder()
        let location = try kind.location(in: folder)
        let store = try PartnerStore(path: location)
        var partner = makePartners(count: 1)[0]
        try store.insert(partner)
        #expect(throws: PartnerStore.EditError.exists(partner.id)) { try store.insert(partner) }
        partner.name = "Renamed"
        partner.created = "2030-01-01T00:00:00Z"
        let stored = try store.replace(partner, expected: { $0.name == "Test partner 0" })
        #expect(stored.created == "2025-01-01T00:00:00Z", "the creation time is kept")
        partner.name = "Stale"
        #expect(throws: PartnerStore.EditError.stale(partner.id)) {
            _ = try store.replace(partner, expected: { $0.name == "Test partner 0" })
        }
        #expect(throws: PartnerStore.EditError.stale(partner.id)) { try store.delete(id: partner.id, expected: { _ in false }) }
        #expect(try PartnerStore(path: location).snapshot[partner.id]?.name == "Renamed", "a refused edit writes nothing")
        #expect(throws: PartnerStore.EditError.notFound("nobody")) { try store.delete(id: "nobody") }
        try store.delete(id: partner.id, expected: { $0.name == "Renamed" })
        #expect(try store.snapshot.count == 0 && kind.rowCount(location) == 0)
        // An import is all or nothing: a partner the store refuses leaves it as it was.
        try store.importAll(makePartners(count: 5), replace: false)
        var bad = makePartners(count: 7)
        bad[6].lat = 95
        #expect(throws: PartnerError.self) { try store.importAll(bad, replace: true) }
        #expect(try store.snapshot.count == 5 && kind.rowCount(location) == 5)
        try store.importAll(makePartners(count: 3, seed: 4).map { var p = $0; p.id = "n-" + p.id; return p }, replace: true)
        #expect(store.snapshot.partners.map(\.id) == ["n-t-00000", "n-t-00001", "n-t-00002"])
        #expect(try kind.rowCount(location) == 3)
    }

    /// Two connections to one database, as two replicas are: edits made concurrently through both are all kept
    /// (none lost to a stale snapshot), and each sees the other's after a refresh. (A GeoPackage has one writing
    /// process: GDAL's driver rewrites its triggers inside transactions, so concurrent writers collide; several
    /// replicas need PostgreSQL, as the README says.)
    @Test func twoWritersOnOneDatabaseLoseNothing() async throws {
        let kind = StoreKind.postgreSQL
        let folder = TemporaryFolder()
        let location = try kind.location(in: folder)
        try PartnerStore(path: location).importAll(makePartners(count: 10), replace: false)
        let a = try PartnerStore(path: location), b = try PartnerStore(path: location)
        let partners = makePartners(count: 60, seed: 3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, partner) in partners.enumerated() {
                var partner = partner
                partner.id = "c-\(i)"
                let store = i % 2 == 0 ? a : b, new = partner
                group.addTask { try store.insert(new) }
            }
            // Replacements of the same partner from both sides: the last write wins, none fails.
            for i in 0..<10 {
                var partner = makePartners(count: 1)[0]
                partner.name = "Edit \(i)"
                let store = i % 2 == 0 ? a : b, edited = partner
                group.addTask { _ = try store.replace(edited) }
            }
            try await group.waitForAll()
        }
        #expect(try kind.rowCount(location) == 70)
        try a.refresh()
        try b.refresh()
        #expect(a.snapshot.count == 70 && b.snapshot.count == 70)
        #expect(a.snapshot.partners == b.snapshot.partners)
        #expect(a.snapshot["t-00000"]?.name.hasPrefix("Edit ") == true)
        // Nothing changed: a refresh reads nothing.
        #expect(try a.refresh() == false)
        try a.delete(id: "c-0")
        #expect(try b.refresh() == true && b.snapshot["c-0"] == nil)
    }

    /// An edit made by another tool (psql, QGIS, ogrinfo's SQL) is seen at the next refresh: the database's trigger
    /// moves the change mark whoever writes; SQLite's data_version moves at any other connection's commit.
    @Test(arguments: StoreKind.allCases) func editsByOtherToolsAreSeen(_ kind: StoreKind) throws {
        let folder = TemporaryFolder()
        let location = try kind.location(in: folder)
        let store = try PartnerStore(path: location)
        try store.importAll(makePartners(count: 4), replace: false)
        #expect(try store.refresh() == false)
        let sql = "UPDATE partners SET name = 'Changed outside' WHERE id = 't-00001'"
        switch kind {
        case .geoPackage: #expect(try runTool("ogrinfo", [location, "-sql", sql, "-dialect", "SQLite"]).status == 0)
        case .postgreSQL: try kind.psql(location, sql)
        }
        #expect(try store.refresh() == true)
        #expect(store.snapshot["t-00001"]?.name == "Changed outside")
        // The next edit starts from the store as it is: the outside change is kept.
        try store.insert(makePartners(count: 5)[4])
        #expect(try PartnerStore(path: location).snapshot["t-00001"]?.name == "Changed outside")
    }

    /// Opening a database that has no directory yet creates nothing; the first edit makes the table, and a second
    /// process sees it at its refresh.
    @Test func anEmptyDatabaseGetsItsTableAtTheFirstEdit() throws {
        let (name, connection) = try PostgresServer.shared().createDatabase()
        let reader = try PartnerStore(path: connection)
        #expect(!reader.exists && reader.snapshot.count == 0)
        #expect(try PostgresServer.shared().psql(name, "SELECT to_regclass('partners') IS NULL") == "t")
        let writer = try PartnerStore(path: connection)
        try writer.insert(makePartners(count: 1)[0])
        #expect(try reader.refresh() == true && reader.exists && reader.snapshot.count == 1)
        // The URL form names the same database.
        let url = "postgresql://\(PostgresServer.user)@127.0.0.1:\(try PostgresServer.shared().port)/\(name)"
        #expect(try PartnerStore(path: url).snapshot.count == 1)
    }

    /// A table written by another tool (ogr2ogr from the GeoPackage) gets the change mark when hotspot opens it;
    /// its features that are not partners are reported, not served.
    @Test func aTableMadeByOgr2ogrIsAdopted() throws {
        let folder = TemporaryFolder()
        let gpkg = folder.file("p.gpkg")
        try PartnerStore(path: gpkg).importAll(makePartners(count: 8), replace: false)
        let (name, connection) = try PostgresServer.shared().createDatabase()
        let copy = try runTool("ogr2ogr", ["-f", "PostgreSQL", connection, gpkg, "partners", "-lco", "GEOMETRY_NAME=geom"])
        #expect(copy.status == 0, "\(copy.err)")
        try PostgresServer.shared().psql(name, "UPDATE partners SET type = 'spaceship' WHERE id = 't-00002'")
        let store = try PartnerStore(path: connection)
        #expect(store.snapshot.count == 7)
        #expect(store.skipped.map(\.description).contains { $0.contains("'spaceship' is not one of") })
        try PostgresServer.shared().psql(name, "UPDATE partners SET type = 'ngo' WHERE id = 't-00002'")
        #expect(try store.refresh() == true && store.snapshot.count == 8 && store.skipped.isEmpty)
    }

    /// `hotspot partners copy` moves the whole directory, e-mails and timestamps included, both ways.
    @Test func copyMigratesBetweenTheStores() throws {
        let folder = TemporaryFolder()
        let gpkg = folder.file("p.gpkg"), back = folder.file("back.gpkg")
        let partners = makePartners(count: 40) + awkward
        try PartnerStore(path: gpkg).importAll(partners, replace: false)
        let (_, connection) = try PostgresServer.shared().createDatabase()
        let there = try runTool(DemoFixture.hotspotBinary, ["partners", "copy", gpkg, connection])
        #expect(there.status == 0 && there.err.contains("copied \(partners.count) partners"), "\(there.err)")
        let again = try runTool(DemoFixture.hotspotBinary, ["partners", "copy", connection, back])
        #expect(again.status == 0, "\(again.err)")
        #expect(try PartnerStore(path: back).snapshot.partners == partners.sorted { $0.id < $1.id })
        let same = try runTool(DemoFixture.hotspotBinary, ["partners", "copy", gpkg, gpkg])
        #expect(same.status != 0 && same.err.contains("the same store"))
        // A database that does not answer is one sentence, its password hidden.
        let down = try runTool(DemoFixture.hotspotBinary, ["partners", "list", "--store",
                                                           "PG:host=127.0.0.1 port=1 dbname=x password=hunter2"])
        #expect(down.status != 0 && !down.err.contains("hunter2") && down.err.contains("password=***"), "\(down.err)")
        #expect(down.err.split(separator: "\n").count == 1, "\(down.err)")
    }

    @Test func passwordsAreHiddenInMessages() {
        #expect(PartnerLocation("PG:host=db dbname=p user=u password=s3cret").description
                == "PG:host=db dbname=p user=u password=***")
        #expect(PartnerLocation("PG:password='a b' host=db").description == "PG:password=*** host=db")
        #expect(PartnerLocation("postgresql://u:s3cret@db:5432/p?sslmode=require").description
                == "postgresql://u:***@db:5432/p?sslmode=require")
        #expect(PartnerLocation("postgresql://u@db/p?password=s3cret&sslmode=require").description
                == "postgresql://u@db/p?password=***&sslmode=require")
        #expect(PartnerLocation("postgres://u@db/p") == .postgreSQL(connection: "postgresql://u@db/p"))
        #expect(PartnerLocation("Config/partners.gpkg") == .geoPackage(path: "Config/partners.gpkg"))
    }
}
