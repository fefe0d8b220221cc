import Foundation
import GeoKit
import Testing

struct CRSTests {
    @Test func epsg4326IsWGS84Geographic() throws {
        let crs = try CRS("EPSG:4326")
        #expect(crs.authorityCode == "EPSG:4326" && crs.isGeographic && crs.name == "WGS 84")
        #expect(crs.ellipsoid.semiMajorMetres == 6_378_137 && abs(crs.ellipsoid.inverseFlattening - 298.257223563) < 1e-9)
        #expect(crs.definition == "EPSG:4326")
    }

    @Test func epsg3035IsTheEuropeanEqualAreaProjection() throws {
        let crs = try CRS("EPSG:3035")
        #expect(crs.authorityCode == "EPSG:3035" && !crs.isGeographic)
        #expect(crs.name.contains("LAEA Europe"))
        #expect(abs(crs.ellipsoid.inverseFlattening - 298.257222101) < 1e-9, "GRS 1980")
        #expect(try crs.geographic().isGeographic)
    }

    @Test func aPROJStringParses() throws {
        let laea = try CRS("+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +units=m +no_defs")
        #expect(!laea.isGeographic && laea.authorityCode == nil)
        // Same projection as EPSG:3035: the same point lands on the same metres.
        let a = try CoordinateTransform(from: CRS.wgs84(), to: laea).transform(x: 12.5, y: 47.25)
        let b = try CoordinateTransform(from: CRS.wgs84(), to: try CRS("EPSG:3035")).transform(x: 12.5, y: 47.25)
        #expect(abs(a.x - b.x) < 1e-6 && abs(a.y - b.y) < 1e-6)
        let lonLat = try CRS("+proj=longlat +datum=WGS84 +no_defs")
        let wgs84 = try CRS("EPSG:4326")
        #expect(lonLat.isGeographic && lonLat.isSame(as: wgs84))
    }

    @Test func wktParsesAndRoundTrips() throws {
        let wkt1 = """
            GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],\
            AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]
            """
        let fromWKT1 = try CRS(wkt1)
        let wgs84 = try CRS("EPSG:4326")
        #expect(fromWKT1.isGeographic && fromWKT1.isSame(as: wgs84))
        for definition in ["EPSG:4326", "EPSG:3035", "EPSG:3857", "+proj=moll +datum=WGS84 +units=m", "OGC:CRS84"] {
            let crs = try CRS(definition)
            #expect(crs.wkt.hasPrefix("GEOGCRS[") || crs.wkt.hasPrefix("PROJCRS["), "\(definition): WKT2")
            #expect(crs.isSame(as: try CRS(crs.wkt)), "\(definition) survives WKT")
        }
        #expect(try CRS(try CRS("EPSG:3035").wkt).authorityCode == "EPSG:3035")
        let laea = try CRS("EPSG:3035"), mercator = try CRS("EPSG:3857")
        #expect(!laea.isSame(as: mercator))
    }

    @Test(arguments: ["EPSG:999999", "nonsense", "", "+proj=nowhere"])
    func anInvalidDefinitionThrowsInvalidCRS(_ definition: String) {
        #expect {
            try CRS(definition)
        } throws: { error in
            guard case let .invalidCRS(given, reason) = error as? GeoError else { return false }
            return given == definition && !reason.isEmpty
        }
    }

    @Test func invalidCRSErrorsSayWhichDefinition() {
        do {
            _ = try CRS("EPSG:999999")
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("unknown or invalid CRS 'EPSG:999999': "))
        }
    }
}

struct CoordinateTransformTests {
    static let r = 6_378_137.0

    @Test func toWebMercatorFollowsTheSphericalFormulas() throws {
        let transform = try CoordinateTransform(from: try CRS("EPSG:4326"), to: try CRS("EPSG:3857"))
        let (x, y) = try transform.transform(x: 10, y: 50)
        #expect(abs(x - Self.r * 10 * .pi / 180) < 1e-6)
        #expect(abs(y - Self.r * log(tan(.pi / 4 + 50 * .pi / 180 / 2))) < 1e-6)
        #expect(abs(x - 1_113_194.907_932_735_7) < 1e-6 && abs(y - 6_446_275.841_017_158) < 1e-6)
    }

    @Test func manyPointsAtOnceAndBack() throws {
        let wgs84 = try CRS("EPSG:4326"), mercator = try CRS("EPSG:3857")
        let forward = try CoordinateTransform(from: wgs84, to: mercator)
        let back = try CoordinateTransform(from: mercator, to: wgs84)
        let lons = [-179.5, -60, 0, 10, 120.25], lats = [-80, -33.3, 0, 50, 85]
        var x = lons, y = lats
        #expect(forward.transform(x: &x, y: &y).allSatisfy { $0 })
        for i in lons.indices {
            #expect(abs(x[i] - Self.r * lons[i] * .pi / 180) < 1e-6)
            #expect(abs(y[i] - Self.r * log(tan(.pi / 4 + lats[i] * .pi / 360))) < 1e-6)
        }
        #expect(back.transform(x: &x, y: &y).allSatisfy { $0 })
        for i in lons.indices { #expect(abs(x[i] - lons[i]) < 1e-9 && abs(y[i] - lats[i]) < 1e-9) }
    }

    @Test func aPointOffTheProjectionsDomainThrows() throws {
        let transform = try CoordinateTransform(from: try CRS("EPSG:4326"), to: try CRS("EPSG:3857"))
        #expect(throws: GeoError.self) { try transform.transform(x: 0, y: 95) }
    }

    @Test func aCRSWithoutAnAuthorityIsNamedByItsPROJString() throws {
        // SoilGrids' Interrupted Goode Homolosine: no EPSG code, and GDAL names it "unknown".
        let igh = try CRS("+proj=igh +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs")
        #expect(igh.authorityCode == nil)
        #expect(igh.provenanceName.contains("+proj=igh"), "\(igh.provenanceName)")
        let projinfo = try runTool("gdalsrsinfo", ["-o", "proj4", igh.provenanceName])
        #expect(projinfo.status == 0 && projinfo.out.contains("+proj=igh"), "GDAL reads it back: \(projinfo.out)")
        #expect(try CRS("EPSG:3035").provenanceName == "EPSG:3035")
    }
}
