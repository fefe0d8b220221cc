import CGDAL

/// A coordinate reference system, owned; axes always in GIS order (longitude/easting first).
public final class CRS {
    let handle: OGRSpatialReferenceH
    /// The definition it was made from (EPSG code, WKT or PROJ string), for messages.
    public let definition: String

    /// Parses anything `OSRSetFromUserInput` accepts: `EPSG:4326`, WKT, PROJ strings, `OGC:CRS84`.
    public init(_ definition: String) throws(GeoError) {
        GDALRuntime.initialize()
        guard let handle = OSRNewSpatialReference(nil) else {
            throw .invalidCRS(definition: definition, reason: "out of memory")
        }
        self.handle = handle
        self.definition = definition
        GDALRuntime.resetError()
        let err = OSRSetFromUserInput(handle, definition)
        guard err == OGRERR_NONE else {
            throw .invalidCRS(definition: definition, reason: GDALRuntime.lastError(or: "not recognised (OGRErr \(err))"))
        }
        OSRSetAxisMappingStrategy(handle, OAMS_TRADITIONAL_GIS_ORDER)
    }

    /// Takes ownership of a handle cloned from elsewhere.
    init(owning handle: OGRSpatialReferenceH, definition: String) {
        self.handle = handle
        self.definition = definition
        OSRSetAxisMappingStrategy(handle, OAMS_TRADITIONAL_GIS_ORDER)
    }

    deinit { OSRDestroySpatialReference(handle) }

    /// WGS 84 longitude/latitude.
    public static func wgs84() -> CRS {
        // EPSG:4326 is always in PROJ's database; failing here means a broken installation.
        try! CRS("EPSG:4326")
    }

    /// The WKT2 definition (the form stored in `Grid` and written to files).
    public var wkt: String {
        var out: UnsafeMutablePointer<CChar>?
        let options = StringList(["FORMAT=WKT2_2018"])
        guard OSRExportToWktEx(handle, &out, options.constPointer) == OGRERR_NONE, let out else { return definition }
        defer { VSIFree(out) }
        return String(cString: out)
    }

    /// `AUTHORITY:CODE` when the CRS has one, such as `EPSG:4326`.
    public var authorityCode: String? {
        guard let name = OSRGetAuthorityName(handle, nil), let code = OSRGetAuthorityCode(handle, nil) else {
            return nil
        }
        return "\(String(cString: name)):\(String(cString: code))"
    }

    public var isGeographic: Bool { OSRIsGeographic(handle) != 0 }

    /// The PROJ string, e.g. `+proj=igh +lon_0=0 +datum=WGS84 +units=m +no_defs`; nil where PROJ cannot write one.
    public var projString: String? {
        var out: UnsafeMutablePointer<CChar>?
        guard OSRExportToProj4(handle, &out) == OGRERR_NONE, let out else { return nil }
        defer { VSIFree(out) }
        let text = String(cString: out).trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : text
    }

    /// How provenance names the CRS: its authority code, else its PROJ string (SoilGrids' Homolosine has no EPSG
    /// code, and its name is "unknown"), else its name.
    public var provenanceName: String { authorityCode ?? projString ?? name }

    /// The CRS's name, e.g. "WGS 84".
    public var name: String {
        guard let name = OSRGetName(handle) else { return definition }
        return String(cString: name)
    }

    /// Semi-major axis (m) and inverse flattening of the ellipsoid.
    public var ellipsoid: (semiMajorMetres: Double, inverseFlattening: Double) {
        var err: OGRErr = OGRERR_NONE
        let a = OSRGetSemiMajor(handle, &err)
        let invF = OSRGetInvFlattening(handle, &err)
        return (a, invF)
    }

    /// Same CRS, ignoring data-axis order and metadata.
    public func isSame(as other: CRS) -> Bool {
        let options = StringList(["IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS"])
        return OSRIsSameEx(handle, other.handle, options.constPointer) != 0
    }

    /// The geographic CRS on which this one is based (for lon/lat of a projected grid).
    public func geographic() throws(GeoError) -> CRS {
        guard let clone = OSRCloneGeogCS(handle) else {
            throw .invalidCRS(definition: definition, reason: "it has no geographic base")
        }
        return CRS(owning: clone, definition: "geographic base of \(definition)")
    }
}
