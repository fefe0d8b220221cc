import Foundation

/// Where the directory is kept: a GeoPackage file (the embedded default) or a PostgreSQL/PostGIS database, both
/// read and written through OGR, so one store serves both.
public enum PartnerLocation: Sendable, Equatable, CustomStringConvertible {
    case geoPackage(path: String)
    /// An OGR connection: `PG:host=... dbname=... user=...` or a `postgresql://` URL, as given.
    case postgreSQL(connection: String)

    public init(_ text: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("pg:") || lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") {
            // OGR's driver recognises `postgresql://` only; `postgres://` (libpq's other spelling) is the same URL.
            self = .postgreSQL(connection: lowered.hasPrefix("postgres://") ? "postgresql://" + text.dropFirst(11) : text)
        } else {
            self = .geoPackage(path: text)
        }
    }

    /// What GDAL opens.
    var gdalName: String {
        switch self {
        case .geoPackage(let path): path
        case .postgreSQL(let connection): connection
        }
    }

    public var isDatabase: Bool {
        if case .postgreSQL = self { return true }
        return false
    }

    /// The location for messages and logs: a password in the connection is hidden (libpq also reads it from
    /// PGPASSWORD or ~/.pgpass, which keep it out of the configuration altogether).
    public var description: String {
        switch self {
        case .geoPackage(let path):
            return path
        case .postgreSQL(let connection):
            var text = connection
            // key=value form (password=secret, password='se cret') and a URL's ?password=secret
            text.replace(#/(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)/#) { "\($0.output.1)***" }
            // a URL's user:secret@
            text.replace(#/(?i)(postgresql://[^:/@?]*:)[^@/?]*@/#) { "\($0.output.1)***@" }
            return text
        }
    }
}
