import CGDAL

/// An OGR geometry owned by Swift (destroyed with it); used on one thread.
public final class Geometry {
    let handle: OGRGeometryH

    /// Takes ownership of `handle`.
    init(owning handle: OGRGeometryH) { self.handle = handle }

    deinit { OGR_G_DestroyGeometry(handle) }

    /// A MultiPolygon of the polygons of `parts` (copied; MultiPolygons are flattened).
    public static func multiPolygon(_ parts: [Geometry]) throws(GeoError) -> Geometry {
        guard let multi = OGR_G_CreateGeometry(wkbMultiPolygon) else { throw .invalidArgument("out of memory") }
        let out = Geometry(owning: multi)
        for part in parts {
            let flat = OGR_GT_Flatten(OGR_G_GetGeometryType(part.handle))
            let pieces = flat == wkbMultiPolygon
                ? (0..<OGR_G_GetGeometryCount(part.handle)).compactMap { OGR_G_GetGeometryRef(part.handle, $0) }
                : [part.handle]
            for piece in pieces where OGR_GT_Flatten(OGR_G_GetGeometryType(piece)) == wkbPolygon {
                _ = OGR_G_AddGeometry(multi, piece)
            }
        }
        return out
    }

    public var isEmpty: Bool { OGR_G_IsEmpty(handle) != 0 }
    public var isValid: Bool { OGR_G_IsValid(handle) != 0 }

    /// Parts of a collection (1 for a single geometry).
    public var partCount: Int {
        switch OGR_GT_Flatten(OGR_G_GetGeometryType(handle)) {
        case wkbMultiPolygon, wkbMultiLineString, wkbMultiPoint, wkbGeometryCollection: Int(OGR_G_GetGeometryCount(handle))
        default: 1
        }
    }

    /// Planar area in the square units of the coordinates.
    public var planarArea: Double { OGR_G_Area(handle) }

    public var envelope: (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        var e = OGREnvelope()
        OGR_G_GetEnvelope(handle, &e)
        return (e.MinX, e.MinY, e.MaxX, e.MaxY)
    }

    /// Douglas-Peucker simplification that keeps the topology (no ring crosses another, holes stay inside), by GEOS.
    public func simplified(tolerance: Double) throws(GeoError) -> Geometry {
        GDALRuntime.resetError()
        guard let out = OGR_G_SimplifyPreserveTopology(handle, tolerance) else {
            throw .invalidArgument("cannot simplify: " + GDALRuntime.lastError(or: "GEOS failed"))
        }
        return Geometry(owning: out)
    }

    /// A copy with vertices added so that no edge is longer than `maxLength` (before a reprojection bends edges).
    public func segmentized(maxLength: Double) -> Geometry {
        let copy = Geometry(owning: OGR_G_Clone(handle))
        OGR_G_Segmentize(copy.handle, maxLength)
        return copy
    }

    /// A copy in the transform's target CRS.
    public func transformed(by transform: CoordinateTransform) throws(GeoError) -> Geometry {
        let copy = Geometry(owning: OGR_G_Clone(handle))
        GDALRuntime.resetError()
        guard OGR_G_Transform(copy.handle, transform.handle) == OGRERR_NONE else {
            throw .transformFailed(reason: GDALRuntime.lastError(
                or: "a geometry from \(transform.source.name) to \(transform.target.name)"))
        }
        return copy
    }

    /// GeoJSON geometry text with `precision` decimals (RFC 7946 recommends 6 for degrees: about 0.1 m).
    public func geoJSON(precision: Int = 6) -> String {
        let options = StringList(["COORDINATE_PRECISION=\(precision)"])
        guard let text = OGR_G_ExportToJsonEx(handle, options.pointer) else { return "null" }
        defer { VSIFree(text) }
        return String(cString: text)
    }
}

extension Band {
    /// GDAL's polygonize: one polygon per 4-connected area of equal value, in the band's grid coordinates (`grid`),
    /// skipping pixels of value 0. Exact pixel edges (no simplification).
    public func polygons(grid: Grid) throws(GeoError) -> [(value: Int, polygon: Geometry)] {
        GDALRuntime.resetError()
        guard let driver = GDALGetDriverByName("Memory"),
              let memory = GDALCreate(driver, "polygons", 0, 0, 0, GDT_Unknown, nil) else {
            throw .createFailed(path: "polygons", reason: "no OGR Memory driver")
        }
        let store = Dataset(owning: memory, path: "polygons")
        let crs = try CRS(grid.crsDefinition)
        guard let layer = GDALDatasetCreateLayer(store.handle, "polygons", crs.handle, wkbPolygon, nil) else {
            throw .createFailed(path: "polygons", reason: GDALRuntime.lastError(or: "cannot create a layer"))
        }
        let field = OGR_Fld_Create("value", OFTInteger)
        defer { OGR_Fld_Destroy(field) }
        guard OGR_L_CreateField(layer, field, 1) == OGRERR_NONE else {
            throw .createFailed(path: "polygons", reason: GDALRuntime.lastError(or: "cannot create a field"))
        }
        // The band is its own mask: 0 is "not a polygon". The band's dataset holds the grid's geotransform, so the
        // polygons come out in grid coordinates.
        guard GDALPolygonize(handle, handle, layer, 0, nil, nil, nil) == CE_None else {
            throw .readFailed(path: dataset.path, reason: GDALRuntime.lastError(or: "polygonize failed"))
        }
        var out: [(Int, Geometry)] = []
        OGR_L_ResetReading(layer)
        while let feature = OGR_L_GetNextFeature(layer) {
            defer { OGR_F_Destroy(feature) }
            guard let geometry = OGR_F_StealGeometry(feature) else { continue }
            out.append((Int(OGR_F_GetFieldAsInteger(feature, 0)), Geometry(owning: geometry)))
        }
        return out
    }
}
