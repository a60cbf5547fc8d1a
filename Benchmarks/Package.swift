// swift-tools-version: 6.1
import PackageDescription

// Micro-benchmarks of Tapline's per-packet code on ordo-one/benchmark, kept in a package of
// their own so the root package's build and tests never compile the benchmark framework.
// Run from this directory: `swift package benchmark` (see README.md); the allocation gate CI
// runs is `./check-allocations.sh`.
let package = Package(
    name: "TaplineBenchmarks",
    dependencies: [
        .package(name: "Tapline", path: ".."),
        // Only the malloc interposer trait: the default traits would also pull the Swift 6.3 ARC
        // runtime interposer, which is not needed for the metrics used here.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        // AES-GCM to protect the QUIC Initial the benchmark builds (the dissector decrypts it).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .executableTarget(
            name: "PacketPath",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PacketCore", package: "Tapline"),
                .product(name: "Dissect", package: "Tapline"),
                .product(name: "AppProtocols", package: "Tapline"),
                .product(name: "FlowTrack", package: "Tapline"),
                .product(name: "Rings", package: "Tapline"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/PacketPath",
            // Benchmark state lives in globals set up once per process; Swift 5 mode keeps the
            // benchmark code free of concurrency annotations that measure nothing.
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
