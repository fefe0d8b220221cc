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

    /// Metres between two points given as longitude, latitude in degrees.
    public func distance(lon1: Double, lat1: Double, lon2: Double, lat2: Double) -> Double {
        var s12 = 0.0
        withUnsafePointer(to: geod) { g in
            geod_inverse(g, lat1, lon1, lat2, lon2, &s12, nil, nil)
        }
        return s12
    }
}
