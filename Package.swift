// swift-tools-version: 6.0
import PackageDescription

// Kernels are written for x86-64 with AVX2, FMA and F16C (x86-64-v3). Without these flags
// Swift emits SSE2 only and SIMD fused multiply-adds become library calls (~30x slower).
// Other CPUs (or TERN_PORTABLE=1) build the same sources without them; the kernels pick
// the plain-Swift path at run time when the CPU lacks AVX2.
#if arch(x86_64)
let portable = Context.environment["TERN_PORTABLE"] == "1"
let cpuFlags: [String] = portable ? [] : ["-march=x86-64-v3"]
#else
let cpuFlags: [String] = []
#endif
let swiftCPUSettings: [SwiftSetting] = cpuFlags.isEmpty ? [] : [.unsafeFlags(cpuFlags.flatMap { ["-Xcc", $0] }), .define("TERN_AVX2"), .define("TERN_AVX512")]
let cCPUSettings: [CSetting] = cpuFlags.isEmpty ? [] : [.unsafeFlags(cpuFlags)]
// One module is compiled for AVX-512 with VNNI; the kernels call it only after a run-time check.
let avx512Flags: [String] = cpuFlags.isEmpty ? [] : ["-march=x86-64-v4", "-mavx512vnni"]
let avx512Settings: [SwiftSetting] = avx512Flags.isEmpty ? [] : [.unsafeFlags(avx512Flags.flatMap { ["-Xcc", $0] }), .define("TERN_AVX512")]

// Every Swift target gets the same CPU flags: the linker merges identical generic
// specializations from different modules into one copy, so a module built without them could
// replace a kernel's AVX2 specialization with an SSE2 one.
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")] + swiftCPUSettings

let package = Package(
    name: "Tern",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tern", targets: ["TernCLI"]),
        .library(name: "GGUF", targets: ["GGUF"]),
        .library(name: "TernCore", targets: ["Engine"]),
        .library(name: "TernServer", targets: ["Server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
    ],
    targets: [
        .target(name: "GGUF", swiftSettings: strict),
        .target(name: "CIntrinsics", cSettings: cCPUSettings),
        .target(name: "KernelsAVX512", dependencies: ["CIntrinsics"], swiftSettings: [.enableUpcomingFeature("ExistentialAny")] + avx512Settings),
        .target(name: "Kernels", dependencies: ["CIntrinsics", "KernelsAVX512"], swiftSettings: strict),
        .target(name: "Tokenizer", swiftSettings: strict),
        .target(name: "ChatTemplate", swiftSettings: strict),
        .target(name: "Sampling", swiftSettings: strict),
        .target(name: "KVCache", dependencies: ["Kernels"], swiftSettings: strict),
        .target(name: "Scheduler", dependencies: ["KVCache"], swiftSettings: strict),
        .target(name: "Model", dependencies: ["GGUF", "Kernels", "KVCache"], swiftSettings: strict),
        .target(name: "ModelStore", swiftSettings: strict),
        .target(name: "Engine", dependencies: ["Model", "Scheduler", "KVCache", "Sampling", "Tokenizer", "ChatTemplate", "GGUF"], swiftSettings: strict),
        .target(
            name: "Server",
            dependencies: [
                "Engine", "Tokenizer", "ChatTemplate", "Sampling",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The serving benchmark client: talks to any OpenAI-compatible server over HTTP (Sampling
        // only for its seeded generator).
        .target(
            name: "ServeBench",
            dependencies: [
                "Sampling",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "TernCLI",
            dependencies: ["Engine", "Server", "ServeBench", "Model", "KVCache", "Kernels", "Tokenizer", "GGUF", "ModelStore", "ChatTemplate", "Sampling", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),

        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "TernTestSupport"], swiftSettings: swiftCPUSettings),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels"], swiftSettings: swiftCPUSettings),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer"], swiftSettings: swiftCPUSettings),
        .testTarget(name: "ChatTemplateTests", dependencies: ["ChatTemplate"], exclude: ["Templates"], swiftSettings: swiftCPUSettings),
        .testTarget(name: "SamplingTests", dependencies: ["Sampling"], swiftSettings: swiftCPUSettings),
        .testTarget(name: "KVCacheTests", dependencies: ["KVCache"], swiftSettings: swiftCPUSettings),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "KVCache"], swiftSettings: swiftCPUSettings),
        // Tiny random-weight models shared by the test targets.
        .target(name: "TernTestSupport", dependencies: ["GGUF", "Sampling"], path: "Tests/TernTestSupport", swiftSettings: swiftCPUSettings),
        .testTarget(name: "ModelTests", dependencies: ["Model", "GGUF", "Kernels", "KVCache", "Sampling", "TernTestSupport"], swiftSettings: swiftCPUSettings),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Model", "GGUF", "Sampling", "Scheduler", "Tokenizer", "TernTestSupport"], swiftSettings: swiftCPUSettings),
        .testTarget(name: "ModelStoreTests", dependencies: ["ModelStore"], swiftSettings: swiftCPUSettings),
        .testTarget(name: "TernCLITests", dependencies: ["TernCLI", "Engine", "GGUF", "TernTestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: swiftCPUSettings),
        .testTarget(name: "ServerTests", dependencies: ["Server", "Engine", "TernTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")], swiftSettings: swiftCPUSettings),
        .testTarget(
            name: "ServeBenchTests",
            dependencies: ["ServeBench", "Server", "Engine", "Sampling", "TernTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: swiftCPUSettings),
        // Drives a real `tern serve` process with the official `openai` Python client.
        .testTarget(name: "ConformanceTests", dependencies: ["TernCLI"], exclude: ["Python"], swiftSettings: swiftCPUSettings),
        .testTarget(name: "GoldenTests", dependencies: ["Engine", "Model", "ModelStore", "Tokenizer", "ChatTemplate", "Sampling"], swiftSettings: swiftCPUSettings),
    ],
    swiftLanguageModes: [.v6]
)
