import CSQLite
import Foundation

/// Writes an MBTiles 1.3 file (SQLite): `metadata(name, value)` and `tiles(zoom_level, tile_column, tile_row,
/// tile_data)` with TMS rows. Built under a temporary name in one transaction, renamed into place by `finish()`.
public final class MBTilesWriter {
    private var db: OpaquePointer?
    private var insert: OpaquePointer?
    public let path: String
    private let temporaryPath: String

    public init(path: String) throws(GeoError) {
        self.path = path
        temporaryPath = path + ".partial"
        unlink(temporaryPath)
        guard sqlite3_open(temporaryPath, &db) == SQLITE_OK else {
            throw .createFailed(path: path, reason: db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open")
        }
        try execute("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE metadata (name TEXT, value TEXT);
            CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
            CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
            CREATE UNIQUE INDEX name ON metadata (name);
            BEGIN;
            """)
        guard sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?)", -1, &insert, nil) == SQLITE_OK else {
            throw failure("prepare")
        }
    }

    deinit {
        sqlite3_finalize(insert)
        sqlite3_close(db)
        unlink(temporaryPath)
    }

    private func failure(_ what: String) -> GeoError {
        .writeFailed(path: path, reason: "\(what): \(String(cString: sqlite3_errmsg(db)))")
    }

    private func execute(_ sql: String) throws(GeoError) {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw failure("SQL") }
    }

    /// Adds an XYZ tile (the row is flipped to TMS as MBTiles requires).
    public func add(z: Int, x: Int, y: Int, data: Data) throws(GeoError) {
        sqlite3_reset(insert)
        sqlite3_bind_int(insert, 1, Int32(z))
        sqlite3_bind_int(insert, 2, Int32(x))
        sqlite3_bind_int(insert, 3, Int32((1 << z) - 1 - y))
        let status = data.withUnsafeBytes { csqlite_bind_blob_copy(insert, 4, $0.baseAddress, Int32($0.count)) }
        guard status == SQLITE_OK, sqlite3_step(insert) == SQLITE_DONE else { throw failure("insert") }
    }

    public func setMetadata(_ values: [String: String]) throws(GeoError) {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO metadata VALUES (?, ?)", -1, &statement, nil) == SQLITE_OK
        else { throw failure("prepare") }
        defer { sqlite3_finalize(statement) }
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            sqlite3_reset(statement)
            csqlite_bind_text_copy(statement, 1, name)
            csqlite_bind_text_copy(statement, 2, value)
            guard sqlite3_step(statement) == SQLITE_DONE else { throw failure("metadata") }
        }
    }

    /// Commits and moves the file to its final name.
    public func finish() throws(GeoError) {
        try execute("COMMIT;")
        sqlite3_finalize(insert)
        insert = nil
        guard sqlite3_close(db) == SQLITE_OK else { throw failure("close") }
        db = nil
        guard rename(temporaryPath, path) == 0 else {
            throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
