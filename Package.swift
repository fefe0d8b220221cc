// swift-tools-version:6.0
import PackageDescription

let cLibraries: [Target] = [
    .systemLibrary(name: "CGDAL", path: "Sources/CGDAL", pkgConfig: "gdal", providers: [.apt(["libgdal-dev"])]),
    .systemLibrary(name: "CPROJ", path: "Sources/CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
    .systemLibrary(name: "CGEOS", path: "Sources/CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
    .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(name: "CDeflate", path: "Sources/CDeflate", providers: [.apt(["libdeflate-dev"])]),
    .systemLibrary(name: "CFreeType", path: "Sources/CFreeType", pkgConfig: "freetype2",
                   providers: [.apt(["libfreetype-dev"])]),
]

// Hot loops are plain Swift over buffers: optimise even debug builds of the model and pipeline a little.
let package = Package(
    name: "SoilCarbonHotspots",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hotspot", targets: ["hotspot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: cLibraries + [
        .target(name: "GeoKit", dependencies: ["CGDAL", "CPROJ", "CGEOS", "CSQLite", "CFreeType", "CDeflate"]),
        .target(name: "HotspotModel"),
        .target(name: "DemoData", dependencies: ["GeoKit"]),
        .target(name: "Tiling", dependencies: ["GeoKit", "HotspotConfig"]),
        .target(name: "HotspotConfig", dependencies: ["HotspotModel", .product(name: "Yams", package: "Yams")]),
        .target(name: "Pipeline", dependencies: ["GeoKit", "HotspotModel", "HotspotConfig"]),
        .executableTarget(name: "hotspot", dependencies: [
            "GeoKit", "HotspotModel", "HotspotConfig", "Pipeline", "DemoData", "Tiling",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "HotspotModelTests", dependencies: ["HotspotModel"]),
        .testTarget(name: "GeoKitTests", dependencies: ["GeoKit"]),
        .testTarget(name: "HotspotConfigTests", dependencies: ["HotspotConfig"]),
        // Fixtures shared by the test targets: temporary folders, GDAL's tools, the demo inputs and one demo run.
        .target(name: "TestSupport", dependencies: ["Pipeline", "GeoKit", "HotspotConfig", "DemoData"],
                path: "Tests/TestSupport"),
        .testTarget(name: "TilingTests", dependencies: ["Tiling", "GeoKit", "Pipeline", "HotspotConfig", "TestSupport"]),
        .testTarget(name: "PipelineTests",
                    dependencies: ["Pipeline", "GeoKit", "HotspotConfig", "HotspotModel", "TestSupport"]),
    ]
)
