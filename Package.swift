// swift-tools-version:6.2
import PackageDescription

let cLibraries: [Target] = [
    .systemLibrary(name: "CGDAL", path: "Sources/CGDAL", pkgConfig: "gdal", providers: [.apt(["libgdal-dev"])]),
    .systemLibrary(name: "CPROJ", path: "Sources/CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
    .systemLibrary(name: "CGEOS", path: "Sources/CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
    .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(name: "CDeflate", path: "Sources/CDeflate", providers: [.apt(["libdeflate-dev"])]),
    .systemLibrary(name: "CFreeType", path: "Sources/CFreeType", pkgConfig: "freetype2",
                   providers: [.apt(["libfreetype-dev"])]),
    .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
]

// The model's hot loop (RothC per pixel on SIMD pools) runs 50x slower unoptimised: the model is optimised even in
// debug builds, so that the tests' pipeline runs take seconds, not minutes.
let package = Package(
    name: "SoilCarbonHotspots",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hotspot", targets: ["hotspot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: cLibraries + [
        .target(name: "GeoKit", dependencies: ["CGDAL", "CPROJ", "CGEOS", "CSQLite", "CFreeType", "CDeflate"]),
        .target(name: "HotspotModel", swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "DemoData", dependencies: ["GeoKit", "HotspotModel"]),
        // Workers over indices with per-thread state (GDAL handles), for the pipeline's strips and the tiler's tiles.
        .target(name: "ParallelWork"),
        .target(name: "Tiling", dependencies: ["GeoKit", "ParallelWork"]),
        // The configuration maps onto the types of the modules it configures (the model's parameters, Tiling's ramps).
        .target(name: "HotspotConfig", dependencies: ["HotspotModel", "Tiling", "GeoKit", "Contact",
                                                      .product(name: "Yams", package: "Yams")]),
        .target(name: "Pipeline", dependencies: ["GeoKit", "HotspotModel", "HotspotConfig", "ParallelWork",
                                                 .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "CSVFormat"),
        .target(name: "Partners", dependencies: ["GeoKit", "CSVFormat"]),
        // E-mail handed to an SMTP server (libcurl speaks the protocol and STARTTLS).
        .target(name: "Mail", dependencies: ["CCurl"]),
        // The relay between visitors and partners: the outbox beside the partners, limits, confirmations, delivery.
        .target(name: "Contact", dependencies: ["Partners", "GeoKit", "Mail", .product(name: "Crypto", package: "swift-crypto")]),
        // A published run read from its folder alone: points, statistics, clips, tiles, near-hotspot coverage.
        .target(name: "RunReader", dependencies: ["GeoKit", "HotspotModel", "HotspotConfig", "Pipeline", "Tiling",
                                                  "Partners"]),
        // HTTP over the reader: route collections, problem+json, caching, metrics.
        .target(name: "HotspotAPI", dependencies: [
            "GeoKit", "HotspotConfig", "Pipeline", "Tiling", "Partners", "CSVFormat", "RunReader", "Contact", "Mail",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], resources: [.copy("Resources/openapi.json"), .copy("Resources/map")]),
        // Exactly what the command's files import.
        .executableTarget(name: "hotspot", dependencies: [
            "GeoKit", "HotspotConfig", "Pipeline", "DemoData", "Tiling", "HotspotAPI", "Partners", "RunReader", "Contact",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "HotspotModelTests", dependencies: ["HotspotModel", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "GeoKitTests", dependencies: ["GeoKit"], exclude: ["pixel_area_oracle.py"]),
        .testTarget(name: "HotspotConfigTests", dependencies: ["HotspotConfig", "Tiling"]),
        // Fixtures shared by the test targets: temporary folders, GDAL's tools, the demo inputs and one demo run.
        .target(name: "TestSupport", dependencies: ["Pipeline", "GeoKit", "HotspotConfig", "DemoData"],
                path: "Tests/TestSupport"),
        .testTarget(name: "TilingTests", dependencies: ["Tiling", "GeoKit", "Pipeline", "HotspotConfig", "TestSupport"]),
        .testTarget(name: "PartnersTests", dependencies: ["Partners", "GeoKit", "TestSupport", "CSVFormat"],
                    exclude: ["geodesic_oracle.py"]),
        .testTarget(name: "HotspotAPITests",
                    dependencies: ["HotspotAPI", "RunReader", "Pipeline", "GeoKit", "HotspotConfig", "Tiling", "Partners", "TestSupport",
                                   .product(name: "Hummingbird", package: "hummingbird"),
                                   .product(name: "Logging", package: "swift-log")],
                    exclude: ["zonal_stats.py", "slow_clients.py", "batch_load.py", "stac_walk.py", "replicas_load.py", "smtp_sink.py"]),
        .testTarget(name: "PipelineTests",
                    dependencies: ["Pipeline", "GeoKit", "HotspotConfig", "HotspotModel", "TestSupport", "Tiling"]),
    ]
)
