import CPROJ

/// Distances on the WGS84 ellipsoid with PROJ's geodesic routines (Karney's algorithm: accurate to nanometres, at
/// any distance, across the antimeridian and near the poles). Not flat-earth degrees.
public struct Geodesic: Sendable {
    private let geod: geod_geodesic

    public init(semiMajorMetres a: Double = 6_378_137, flattening f: Double = 1 / 298.257223563) {
        var geod = geod_geodesic()
        geod_init(&geod, a, f)
        self.geod = geod
    }

    public static let wgs84 = Geodesic()

    /// The ellipsoid of a CRS (its semi-major axis and flattening).
    public init(ellipsoidOf crs: CRS) {
        let (a, inverseF) = crs.ellipsoid
        self.init(semiMajorMetres: a, flattening: inverseF > 0 ? 1 / inverseF : 0)
    }

    /// Square metres inside a polygon given by its vertices (degrees, either winding, not closed), with geodesic edges.
    public func polygonArea(lons: [Double], lats: [Double]) -> Double {
        precondition(lons.count == lats.count)
        var area = 0.0
        var lats = lats, lons = lons
        withUnsafePointer(to: geod) { g in
            geod_polygonarea(g, &lats, &lons, Int32(lats.count), &area, nil)
        }
        return abs(area)
    }

    /// The point `metres` away from (lon, lat) along the geodesic leaving at `azimuth` (degrees clockwise from north).
    public func destination(lon: Double, lat: Double, azimuth: Double, metres: Double) -> (lon: Double, lat: Double) {
        var lat2 = 0.0, lon2 = 0.0
        withUnsafePointer(to: geod) { g in
            geod_direct(g, lat, lon, azimuth, metres, &lat2, &lon2, nil)
        }
        return (lon2, lat2)
    }

    /// Metres between two points given as longitude, latitude in degrees.
    public func distance(lon1: Double, lat1: Double, lon2: Double, lat2: Double) -> Double {
        var s12 = 0.0
        withUnsafePointer(to: geod) { g in
            geod_inverse(g, lat1, lon1, lat2, lon2, &s12, nil, nil)
        }
        return s12
    }
}
