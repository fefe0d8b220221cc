import CGDAL

/// Polygons as GeoJSON geometry text (Polygon or MultiPolygon), dissolved by GEOS through OGR into one valid
/// geometry: each polygon is repaired on its own (a bow tie becomes two triangles), then the parts are merged, so
/// that overlapping or touching ones become one area that GDAL's cutline and rasteriser take. (Repairing the whole
/// MultiPolygon at once would keep only the area covered an odd number of times.) Returns GeoJSON geometry text.
public func dissolvedPolygons(geoJSON: String) throws(GeoError) -> String {
    GDALRuntime.initialize()
    GDALRuntime.resetError()
    guard let geometry = OGR_G_CreateGeometryFromJson(geoJSON) else {
        throw .invalidArgument("not a GeoJSON geometry: " + GDALRuntime.lastError(or: "OGR cannot read it"))
    }
    defer { OGR_G_DestroyGeometry(geometry) }
    let parts = OGR_GT_Flatten(OGR_G_GetGeometryType(geometry)) == wkbMultiPolygon
        ? (0..<OGR_G_GetGeometryCount(geometry)).compactMap { OGR_G_GetGeometryRef(geometry, $0) } : [geometry]
    guard let merged = OGR_G_CreateGeometry(wkbMultiPolygon) else { throw .invalidArgument("out of memory") }
    defer { OGR_G_DestroyGeometry(merged) }
    for part in parts {
        guard let valid = OGR_G_MakeValid(part) else {
            throw .invalidArgument("a polygon cannot be repaired: " + GDALRuntime.lastError(or: "GEOS failed"))
        }
        defer { OGR_G_DestroyGeometry(valid) }
        // Keep the polygonal pieces of the repair (it may also give lines or points where a ring collapses).
        for piece in polygons(in: valid) { _ = OGR_G_AddGeometry(merged, piece) }
    }
    guard OGR_G_GetGeometryCount(merged) > 0 else { throw .invalidArgument("the polygons have no area") }
    guard let union = OGR_G_UnionCascaded(merged) else {
        throw .invalidArgument("the polygons cannot be merged: " + GDALRuntime.lastError(or: "GEOS failed"))
    }
    defer { OGR_G_DestroyGeometry(union) }
    guard OGR_G_Area(union) > 0, let text = OGR_G_ExportToJson(union) else {
        throw .invalidArgument("the polygons have no area")
    }
    defer { VSIFree(text) }
    return String(cString: text)
}

/// The polygons of a geometry: itself, or those among its parts (collections are searched).
private func polygons(in geometry: OGRGeometryH) -> [OGRGeometryH] {
    switch OGR_GT_Flatten(OGR_G_GetGeometryType(geometry)) {
    case wkbPolygon:
        return OGR_G_Area(geometry) > 0 ? [geometry] : []
    case wkbMultiPolygon, wkbGeometryCollection:
        return (0..<OGR_G_GetGeometryCount(geometry)).compactMap { OGR_G_GetGeometryRef(geometry, $0) }.flatMap(polygons)
    default:
        return []
    }
}
