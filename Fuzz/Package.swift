// swift-tools-version: 6.0
import PackageDescription

// libFuzzer harnesses for the GGUF reader and the HTTP request path. Build and run
// instructions are in README.md.
let package = Package(
    name: "TernFuzz",
    dependencies: [
        .package(name: "Tern", path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "GGUFFuzz",
            // By product name, so the dependency resolves whatever the root folder is called.
            dependencies: [.product(name: "GGUF", package: "Tern")]
        ),
        .executableTarget(
            name: "ServerRequestFuzz",
            dependencies: [
                .product(name: "TernServer", package: "Tern"),
                .product(name: "TernCore", package: "Tern"),
                .product(name: "GGUF", package: "Tern"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
