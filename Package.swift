// swift-tools-version: 6.1
import PackageDescription

// Modules are listed bottom-up; imports only point down this list (docs/ARCHITECTURE.md).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// The per-packet modules keep their state in final classes (flow table, reader, rings) that one
// thread owns; dynamic exclusivity checks on those properties cost ~7% of all instructions per
// packet (callgrind). Release builds drop them; debug builds, where the tests run, keep them.
let perPacket: [SwiftSetting] = strict + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Tapline",
    products: [
        .executable(name: "tapline", targets: ["tapline"]),
        // The per-packet modules, for the micro-benchmark package in Benchmarks/ (its own package).
        .library(name: "PacketCore", targets: ["PacketCore"]),
        .library(name: "Rings", targets: ["Rings"]),
        .library(name: "Dissect", targets: ["Dissect"]),
        .library(name: "AppProtocols", targets: ["AppProtocols"]),
        .library(name: "FlowTrack", targets: ["FlowTrack"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C at the edge.
        .systemLibrary(name: "CXDP", path: "Sources/CXDP", pkgConfig: "libxdp",
                       providers: [.apt(["libxdp-dev", "libbpf-dev"])]),
        .systemLibrary(name: "CNUMA", path: "Sources/CNUMA", pkgConfig: "numa",
                       providers: [.apt(["libnuma-dev"])]),
        .target(name: "CShims", path: "Sources/CShims"),
        // SHA-256 and AES-128-GCM on fixed storage for JA4 and QUIC Initial decryption (SHA-NI,
        // AES-NI, PCLMULQDQ when present); optimized in debug builds too, where the tests run.
        .target(name: "CPacketCrypto", path: "Sources/CPacketCrypto", cSettings: [.unsafeFlags(["-O2"])]),
        // BPF/prefilter.h for Swift, plus the namespace/AF_PACKET helpers the prefilter tests need.
        .target(name: "CPrefilter", path: "Sources/CPrefilter"),
        // Compiles BPF/<target>.bpf.c with clang -target bpf -Wall -Werror into a resource of its target.
        .plugin(name: "BuildBPFPlugin", capability: .buildTool(), path: "Sources/BuildBPFPlugin"),

        // Per-packet code: no Foundation, no allocation, no existentials.
        .target(name: "PacketCore", swiftSettings: perPacket),
        .target(name: "Rings", swiftSettings: perPacket),
        .target(name: "Dissect", dependencies: ["PacketCore"], swiftSettings: perPacket),
        .target(name: "AppProtocols", dependencies: ["PacketCore", "CPacketCrypto"], swiftSettings: perPacket),
        .target(name: "FlowTrack", dependencies: ["PacketCore", "Dissect", "AppProtocols"], swiftSettings: perPacket),
        .target(name: "Ingest", dependencies: ["PacketCore", "CShims"], swiftSettings: perPacket),
        .target(name: "Export", dependencies: ["PacketCore", "FlowTrack", "AppProtocols"], swiftSettings: perPacket),
        .target(name: "Engine",
                dependencies: ["PacketCore", "Rings", "Dissect", "AppProtocols", "FlowTrack", "Ingest", "Export", "CShims"],
                swiftSettings: perPacket),

        // Machine description and pinning plans (control path: Foundation allowed).
        .target(name: "Topology", swiftSettings: strict),

        // AF_XDP sockets and their UMEM (libxdp rings, libnuma placement): used by capture and replay.
        .target(name: "XSK", dependencies: ["CXDP", "CNUMA"], swiftSettings: perPacket),

        // `tapline replay`: a capture file out of an interface through AF_XDP TX rings (XSK).
        .target(name: "Replay", dependencies: ["XSK", "Ingest", "PacketCore", "Engine", "CShims"], swiftSettings: perPacket),

        // `tapline replay --engine xdp`: the in-kernel generator of BPF/replayxdp.bpf.c (built by the plugin).
        .target(name: "ReplayXDP", dependencies: ["Replay", "Prefilter", "CXDP", "CPrefilter", "CShims", "Ingest", "Engine"],
                swiftSettings: strict, plugins: ["BuildBPFPlugin"]),

        // Control plane of the XDP prefilter: loads BPF/prefilter.bpf.c (built by the plugin).
        .target(name: "Prefilter", dependencies: ["CXDP", "CPrefilter", "PacketCore"],
                swiftSettings: strict, plugins: ["BuildBPFPlugin"]),

        // Live capture: the prefilter, AF_XDP sockets per RX queue, packet threads, loss accounting.
        .target(name: "Capture",
                dependencies: ["XSK", "Prefilter", "CPrefilter", "Engine", "Export", "Dissect", "FlowTrack", "PacketCore", "Rings", "CShims"],
                swiftSettings: perPacket),

        // Export I/O above the engine: threads, sockets, files, anonymization (Foundation-free).
        .target(name: "Anonymize",
                dependencies: ["PacketCore",
                               .product(name: "Crypto", package: "swift-crypto"),
                               .product(name: "_CryptoExtras", package: "swift-crypto")],
                swiftSettings: strict),
        .target(name: "Outputs",
                dependencies: ["PacketCore", "FlowTrack", "Export", "Engine", "Rings", "Anonymize"],
                swiftSettings: strict),
        // The metrics endpoint: the only module with NIO; it reads published snapshots.
        .target(name: "MetricsEndpoint",
                dependencies: [.product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "Prometheus", package: "swift-prometheus"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                swiftSettings: strict),

        // Tools above the engine.
        .target(name: "Synth",
                dependencies: ["PacketCore", "Export", "AppProtocols",
                               .product(name: "Crypto", package: "swift-crypto"),
                               .product(name: "_CryptoExtras", package: "swift-crypto")],
                swiftSettings: strict),
        .executableTarget(name: "tapline",
                          dependencies: ["Engine", "Synth", "Ingest", "Export", "Topology", "Prefilter", "AppProtocols",
                                         "Outputs", "Anonymize", "MetricsEndpoint", "Capture", "Replay", "ReplayXDP", "XSK", "CXDP", "CNUMA", "CShims",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: strict),

        // Export throughput for Benchmarks/exports-bench.sh (no NIO, so its release build stays short).
        .executableTarget(name: "exports-bench", dependencies: ["Export", "Outputs", "Ingest", "FlowTrack", "PacketCore", "Synth"],
                          swiftSettings: strict),

        // Namespaced veth labs for the kernel tests (test support, not shipped).
        .target(name: "TestLab", dependencies: ["CPrefilter"], path: "Tests/TestLab", swiftSettings: strict),
        .testTarget(name: "CaptureTests",
                    dependencies: ["Capture", "TestLab", "XSK", "Dissect", "AppProtocols", "Prefilter", "Engine", "Synth", "Ingest", "FlowTrack", "Export", "Outputs",
                                   "PacketCore", "CShims"]),
        .testTarget(name: "PacketCoreTests", dependencies: ["PacketCore"]),
        .testTarget(name: "RingsTests", dependencies: ["Rings"]),
        .testTarget(name: "DissectTests", dependencies: ["Dissect", "PacketCore"]),
        .testTarget(name: "AppProtocolsTests", dependencies: ["AppProtocols", "PacketCore", "Synth", "CPacketCrypto",
                                                            .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "FlowTrackTests", dependencies: ["FlowTrack", "Dissect", "PacketCore", "AppProtocols"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Export", "PacketCore"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "FlowTrack", "PacketCore", "AppProtocols"]),
        .testTarget(name: "SynthTests", dependencies: ["Synth", "Dissect", "PacketCore", "Ingest", "AppProtocols"]),
        .testTarget(name: "EngineTests",
                    dependencies: ["Engine", "Synth", "Ingest", "Export", "FlowTrack", "PacketCore", "AppProtocols"]),
        .testTarget(name: "TopologyTests", dependencies: ["Topology"]),
        .testTarget(name: "PrefilterTests", dependencies: ["Prefilter", "CPrefilter", "CXDP", "PacketCore", "TestLab", "ReplayXDP", "Replay", "Export"]),
        .testTarget(name: "OutputsTests",
                    dependencies: ["Outputs", "Anonymize", "Export", "Synth", "Ingest", "FlowTrack", "PacketCore"]),
        .testTarget(name: "MetricsEndpointTests", dependencies: ["MetricsEndpoint", "TestLab"]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "ReplayXDP", "XSK", "Synth", "Prefilter", "CPrefilter", "CShims", "TestLab"]),
        .testTarget(name: "SystemLibrariesTests", dependencies: ["CXDP", "CNUMA", "CShims"]),
    ],
    swiftLanguageModes: [.v6]
)
