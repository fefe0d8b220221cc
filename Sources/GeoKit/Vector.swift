import CGDAL
import Foundation

/// OGR vector layers (GeoPackage above all): point features with text fields, read and edited in transactions.
extension Dataset {
    /// Opens a vector dataset for reading and writing: a file, or a connection OGR knows (`PG:...`,
    /// `postgresql://...`), named `name` in errors (a connection string may hold a password).
    public convenience init(vectorForUpdate location: String, name: String? = nil) throws(GeoError) {
        GDALRuntime.initialize()
        GDALRuntime.resetError()
        let name = name ?? location
        guard let handle = GDALOpenEx(location, UInt32(GDAL_OF_VECTOR) | UInt32(GDAL_OF_UPDATE), nil, nil, nil) else {
            let connection = location.hasPrefix("PG:") || location.contains("://")
            // libpq's messages run over lines: one sentence.
            let reason = GDALRuntime.lastError(or: connection ? "the connection failed" : "not a vector format GDAL can write")
                .replacingOccurrences(of: "PQconnectdb failed.", with: "")
                .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
                .trimmingCharacters(in: .whitespaces)
            throw .openFailed(path: name, reason: connection || FileManager.default.fileExists(atPath: location)
                ? reason : "no such file")
        }
        self.init(owning: handle, path: name)
    }

    /// Runs one SQL statement that returns no rows, in the dataset's own dialect (PostgreSQL's, SQLite's...).
    public func execute(sql: String) throws(GeoError) {
        GDALRuntime.resetError()
        let result = GDALDatasetExecuteSQL(handle, sql, nil, nil)
        if let result { GDALDatasetReleaseResultSet(handle, result) }
        if CPLGetLastErrorType() == CE_Failure {
            throw .writeFailed(path: path, reason: GDALRuntime.lastError(or: "the statement failed"))
        }
    }

    /// Runs one SQL query; its rows, each field as text (nil for NULL).
    public func query(sql: String) throws(GeoError) -> [[String?]] {
        GDALRuntime.resetError()
        guard let result = GDALDatasetExecuteSQL(handle, sql, nil, nil) else {
            throw .readFailed(path: path, reason: GDALRuntime.lastError(or: "the query returned no rows"))
        }
        defer { GDALDatasetReleaseResultSet(handle, result) }
        let count = OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(result))
        var rows: [[String?]] = []
        while let feature = OGR_L_GetNextFeature(result) {
            defer { OGR_F_Destroy(feature) }
            rows.append((0..<count).map { i in
                OGR_F_IsFieldSetAndNotNull(feature, i) != 0 ? String(cString: OGR_F_GetFieldAsString(feature, i)) : nil
            })
        }
        if CPLGetLastErrorType() == CE_Failure {
            throw .readFailed(path: path, reason: GDALRuntime.lastError(or: "the query failed"))
        }
        return rows
    }

    /// Creates an empty vector dataset with `driver` (e.g. "GPKG").
    public convenience init(creatingVector path: String, driver name: String) throws(GeoError) {
        GDALRuntime.initialize()
        GDALRuntime.resetError()
        guard let driver = GDALGetDriverByName(name),
              let handle = GDALCreate(driver, path, 0, 0, 0, GDT_Unknown, nil) else {
            throw .createFailed(path: path, reason: GDALRuntime.lastError(or: "the \(name) driver cannot create it"))
        }
        self.init(owning: handle, path: path)
    }

    public func layer(at index: Int) -> VectorLayer? {
        GDALDatasetGetLayer(handle, Int32(index)).map { VectorLayer(handle: $0, dataset: self) }
    }

    public func layer(named name: String) -> VectorLayer? {
        GDALDatasetGetLayerByName(handle, name).map { VectorLayer(handle: $0, dataset: self) }
    }

    /// Creates a point layer in `crs` with text fields (and integer fields for the names in `integers`).
    public func createPointLayer(named name: String, crs: CRS, textFields: [String], integers: [String] = [],
                                 options: [String] = []) throws(GeoError) -> VectorLayer {
        GDALRuntime.resetError()
        let list = StringList(options)
        guard let layer = GDALDatasetCreateLayer(handle, name, crs.handle, wkbPoint, list.pointer) else {
            throw .createFailed(path: path, reason: GDALRuntime.lastError(or: "cannot create layer \(name)"))
        }
        for (field, type) in textFields.map({ ($0, OFTString) }) + integers.map({ ($0, OFTInteger64) }) {
            let definition = OGR_Fld_Create(field, type)
            defer { OGR_Fld_Destroy(definition) }
            guard OGR_L_CreateField(layer, definition, 1) == OGRERR_NONE else {
                throw .createFailed(path: path, reason: GDALRuntime.lastError(or: "cannot create field \(field)"))
            }
        }
        return VectorLayer(handle: layer, dataset: self)
    }

    /// Creates a layer of `geometry` features (e.g. `.multiPolygon`) in `crs` with typed fields, in this order.
    public func createLayer(named name: String, crs: CRS, geometry: VectorGeometryType,
                            fields: [(name: String, type: VectorFieldType)], options: [String] = []) throws(GeoError)
        -> VectorLayer {
        GDALRuntime.resetError()
        let list = StringList(options)
        guard let layer = GDALDatasetCreateLayer(handle, name, crs.handle, geometry.ogr, list.pointer) else {
            throw .createFailed(path: path, reason: GDALRuntime.lastError(or: "cannot create layer \(name)"))
        }
        for field in fields {
            let definition = OGR_Fld_Create(field.name, field.type.ogr)
            defer { OGR_Fld_Destroy(definition) }
            guard OGR_L_CreateField(layer, definition, 1) == OGRERR_NONE else {
                throw .createFailed(path: path, reason: GDALRuntime.lastError(or: "cannot create field \(field.name)"))
            }
        }
        return VectorLayer(handle: layer, dataset: self)
    }

    /// Runs `body` in a dataset transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        GDALRuntime.resetError()
        guard GDALDatasetStartTransaction(handle, 0) == OGRERR_NONE else {
            throw GeoError.writeFailed(path: path, reason: GDALRuntime.lastError(or: "cannot start a transaction"))
        }
        do {
            let result = try body()
            guard GDALDatasetCommitTransaction(handle) == OGRERR_NONE else {
                throw GeoError.writeFailed(path: path, reason: GDALRuntime.lastError(or: "commit failed"))
            }
            return result
        } catch {
            _ = GDALDatasetRollbackTransaction(handle)
            throw error
        }
    }
}

/// A feature as read: its id in the layer, its fields as text, its point (and its geometry as GeoJSON when asked).
public struct VectorFeature: Sendable {
    public var fid: Int64
    public var fields: [String: String]
    public var point: (x: Double, y: Double)?
    public var geoJSON: String?
    /// The geometry's envelope: west, south, east, north (with `geoJSON`).
    public var bbox: [Double]?
}

public enum VectorGeometryType: Sendable {
    case point, multiPolygon

    var ogr: OGRwkbGeometryType { self == .point ? wkbPoint : wkbMultiPolygon }
}

/// A field's value, typed (a nil is written as null).
public enum VectorValue: Sendable {
    case text(String?), integer(Int64?), real(Double?)
}

public enum VectorFieldType: Sendable {
    case text, integer, real

    var ogr: OGRFieldType {
        switch self {
        case .text: OFTString
        case .integer: OFTInteger64
        case .real: OFTReal
        }
    }
}

/// One OGR layer; used on its dataset's thread only.
public final class VectorLayer {
    let handle: OGRLayerH
    public let dataset: Dataset

    init(handle: OGRLayerH, dataset: Dataset) {
        self.handle = handle
        self.dataset = dataset
    }

    public var fieldNames: [String] {
        let definition = OGR_L_GetLayerDefn(handle)
        return (0..<OGR_FD_GetFieldCount(definition)).map { String(cString: OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(definition, $0))) }
    }

    public var featureCount: Int { Int(OGR_L_GetFeatureCount(handle, 1)) }

    /// Writes what the driver deferred (PostgreSQL creates a new layer's table at the first feature or here).
    public func sync() throws(GeoError) {
        GDALRuntime.resetError()
        guard OGR_L_SyncToDisk(handle) == OGRERR_NONE else {
            throw .writeFailed(path: dataset.path, reason: GDALRuntime.lastError(or: "cannot write the layer"))
        }
    }

    /// Every feature, in the layer's order; with `geoJSONPrecision`, each with its geometry as GeoJSON text of that
    /// many decimals, and its envelope.
    public func features(geoJSONPrecision: Int? = nil) -> [VectorFeature] {
        OGR_L_ResetReading(handle)
        let names = fieldNames
        let definition = OGR_L_GetLayerDefn(handle)
        let reals = Set(names.indices.filter { OGR_Fld_GetType(OGR_FD_GetFieldDefn(definition, Int32($0))) == OFTReal })
        var out: [VectorFeature] = []
        while let feature = OGR_L_GetNextFeature(handle) {
            defer { OGR_F_Destroy(feature) }
            var fields: [String: String] = [:]
            for (i, name) in names.enumerated() where OGR_F_IsFieldSetAndNotNull(feature, Int32(i)) != 0 {
                // Reals in full (OGR's text has 15 digits; Swift's is the shortest that reads back the same).
                fields[name] = reals.contains(i) ? String(OGR_F_GetFieldAsDouble(feature, Int32(i)))
                    : String(cString: OGR_F_GetFieldAsString(feature, Int32(i)))
            }
            var point: (Double, Double)?
            var geoJSON: String?, bbox: [Double]?
            if let geometry = OGR_F_GetGeometryRef(feature), OGR_G_IsEmpty(geometry) == 0 {
                if OGR_GT_Flatten(OGR_G_GetGeometryType(geometry)) == wkbPoint {
                    point = (OGR_G_GetX(geometry, 0), OGR_G_GetY(geometry, 0))
                }
                if let geoJSONPrecision {
                    let options = StringList(["COORDINATE_PRECISION=\(geoJSONPrecision)"])
                    if let text = OGR_G_ExportToJsonEx(geometry, options.pointer) {
                        geoJSON = String(cString: text)
                        VSIFree(text)
                    }
                    var e = OGREnvelope()
                    OGR_G_GetEnvelope(geometry, &e)
                    bbox = [e.MinX, e.MinY, e.MaxX, e.MaxY]
                }
            }
            out.append(VectorFeature(fid: OGR_F_GetFID(feature), fields: fields, point: point, geoJSON: geoJSON, bbox: bbox))
        }
        return out
    }

    /// Adds a feature; returns its fid.
    @discardableResult
    public func insert(fields: [String: String?], point: (x: Double, y: Double)) throws(GeoError) -> Int64 {
        let feature = try makeFeature(fields: fields, point: point)
        defer { OGR_F_Destroy(feature) }
        GDALRuntime.resetError()
        guard OGR_L_CreateFeature(handle, feature) == OGRERR_NONE else {
            throw .writeFailed(path: dataset.path, reason: GDALRuntime.lastError(or: "cannot add a feature"))
        }
        return OGR_F_GetFID(feature)
    }

    /// Adds a feature with typed fields and a geometry (copied); returns its fid.
    @discardableResult
    public func insert(values: [String: VectorValue], geometry: Geometry) throws(GeoError) -> Int64 {
        let definition = OGR_L_GetLayerDefn(handle)
        guard let feature = OGR_F_Create(definition) else {
            throw .writeFailed(path: dataset.path, reason: "cannot make a feature")
        }
        defer { OGR_F_Destroy(feature) }
        for (name, value) in values {
            let index = OGR_F_GetFieldIndex(feature, name)
            guard index >= 0 else { throw .writeFailed(path: dataset.path, reason: "the layer has no field \(name)") }
            switch value {
            case .text(let v?): OGR_F_SetFieldString(feature, index, v)
            case .integer(let v?): OGR_F_SetFieldInteger64(feature, index, v)
            case .real(let v?): OGR_F_SetFieldDouble(feature, index, v)
            case .text(nil), .integer(nil), .real(nil): OGR_F_SetFieldNull(feature, index)
            }
        }
        _ = OGR_F_SetGeometry(feature, geometry.handle)
        GDALRuntime.resetError()
        guard OGR_L_CreateFeature(handle, feature) == OGRERR_NONE else {
            throw .writeFailed(path: dataset.path, reason: GDALRuntime.lastError(or: "cannot add a feature"))
        }
        return OGR_F_GetFID(feature)
    }

    /// Replaces the fields and point of feature `fid`.
    public func update(fid: Int64, fields: [String: String?], point: (x: Double, y: Double)) throws(GeoError) {
        let feature = try makeFeature(fields: fields, point: point)
        defer { OGR_F_Destroy(feature) }
        OGR_F_SetFID(feature, fid)
        GDALRuntime.resetError()
        guard OGR_L_SetFeature(handle, feature) == OGRERR_NONE else {
            throw .writeFailed(path: dataset.path, reason: GDALRuntime.lastError(or: "cannot update feature \(fid)"))
        }
    }

    public func delete(fid: Int64) throws(GeoError) {
        GDALRuntime.resetError()
        guard OGR_L_DeleteFeature(handle, fid) == OGRERR_NONE else {
            throw .writeFailed(path: dataset.path, reason: GDALRuntime.lastError(or: "cannot delete feature \(fid)"))
        }
    }

    /// Deletes every feature.
    public func deleteAll() throws(GeoError) {
        for feature in features() { try delete(fid: feature.fid) }
    }

    private func makeFeature(fields: [String: String?], point: (x: Double, y: Double)) throws(GeoError) -> OGRFeatureH {
        let definition = OGR_L_GetLayerDefn(handle)
        guard let feature = OGR_F_Create(definition) else {
            throw .writeFailed(path: dataset.path, reason: "cannot make a feature")
        }
        for (name, value) in fields {
            let index = OGR_F_GetFieldIndex(feature, name)
            guard index >= 0 else {
                OGR_F_Destroy(feature)
                throw .writeFailed(path: dataset.path, reason: "the layer has no field \(name)")
            }
            if let value { OGR_F_SetFieldString(feature, index, value) } else { OGR_F_SetFieldNull(feature, index) }
        }
        let geometry = OGR_G_CreateGeometry(wkbPoint)
        OGR_G_SetPoint_2D(geometry, 0, point.x, point.y)
        OGR_F_SetGeometryDirectly(feature, geometry)
        return feature
    }
}
