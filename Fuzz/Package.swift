// swift-tools-version: 6.0
import PackageDescription

// libFuzzer harness for the GGUF reader. Build and run instructions are in README.md.
let package = Package(
    name: "TernFuzz",
    dependencies: [
        .package(name: "Tern", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "GGUFFuzz",
            // By product name, so the dependency resolves whatever the root folder is called.
            dependencies: [.product(name: "GGUF", package: "Tern")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
