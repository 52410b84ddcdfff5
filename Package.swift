// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Gonio",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "gonio", targets: ["gonio"]),
        .library(name: "GonioCore", targets: ["GonioCore"]),
        .library(name: "GonioMotion", targets: ["GonioMotion"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // Pose and motion maths: standard library only.
        .target(name: "GonioMotion"),
        // The domain and its rules: no server stack, no I/O.
        .target(name: "GonioCore", dependencies: ["GonioMotion"]),
        .target(
            name: "GonioServer",
            dependencies: [
                "GonioCore",
                "GonioMotion",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // The SMTP mailer speaks to the mail server over its own connection.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(name: "gonio", dependencies: ["GonioServer"]),
        // Speed of the motion engine (see Benchmarks/README.md).
        .executableTarget(name: "motion-bench", dependencies: ["GonioMotion"], path: "Benchmarks/MotionBench"),
        .testTarget(name: "GonioMotionTests", dependencies: ["GonioMotion"]),
        .testTarget(name: "GonioCoreTests", dependencies: ["GonioCore"]),
        .testTarget(
            name: "GonioServerTests",
            dependencies: [
                "GonioServer",
                "GonioCore",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)
