import GGUF
import Kernels

/// Hyperparameters of a decoder-only transformer, read from GGUF metadata
/// (`{architecture}.block_count`, `.embedding_length`, ... as the GGUF spec names them).
public struct ModelConfiguration: Sendable, Equatable {
    public static let supportedArchitectures: Set<String> = ["llama", "mistral", "qwen2"]

    public var architecture: String
    public var layers: Int
    public var embeddingSize: Int
    public var feedForwardSize: Int
    public var heads: Int
    public var kvHeads: Int
    public var headSize: Int
    public var vocabularySize: Int
    public var contextLength: Int
    public var normEpsilon: Float
    public var ropeDimensions: Int
    public var ropeBase: Float
    public var ropePairing: RotaryEmbedding.Pairing
    /// Linear RoPE scaling: positions are multiplied by this.
    public var ropePositionScale: Float
    /// Whether Q, K and V projections carry bias vectors (Qwen2).
    public var attentionBias: Bool

    public init(file: GGUFFile) throws(ModelError) {
        do {
            let arch = try file.requireString("general.architecture")
            guard Self.supportedArchitectures.contains(arch) else { throw ModelError.unsupportedArchitecture(arch) }
            architecture = arch
            layers = try file.requireInt("\(arch).block_count")
            embeddingSize = try file.requireInt("\(arch).embedding_length")
            feedForwardSize = try file.requireInt("\(arch).feed_forward_length")
            heads = try file.requireInt("\(arch).attention.head_count")
            kvHeads = file.metadata["\(arch).attention.head_count_kv"]?.intValue ?? heads
            headSize = file.metadata["\(arch).attention.key_length"]?.intValue ?? (heads > 0 ? embeddingSize / heads : 0)
            contextLength = try file.requireInt("\(arch).context_length")
            normEpsilon = Float(try file.requireFloat("\(arch).attention.layer_norm_rms_epsilon"))
            ropeDimensions = file.metadata["\(arch).rope.dimension_count"]?.intValue ?? headSize
            ropeBase = Float(file.metadata["\(arch).rope.freq_base"]?.floatValue ?? 10_000)
            ropePairing = arch == "qwen2" ? .halves : .adjacent
            attentionBias = arch == "qwen2"
            switch file.metadata["\(arch).rope.scaling.type"]?.stringValue ?? "none" {
            case "none":
                ropePositionScale = 1
            case "linear":
                let factor = file.metadata["\(arch).rope.scaling.factor"]?.floatValue ?? 1
                ropePositionScale = factor > 0 ? Float(1 / factor) : 1
            case let other:
                throw ModelError.invalidConfiguration("RoPE scaling type '\(other)' is not supported (supported: none, linear)")
            }
            if let explicit = file.metadata["\(arch).vocab_size"]?.intValue {
                vocabularySize = explicit
            } else if let tokens = file.metadata["tokenizer.ggml.tokens"]?.arrayValue {
                vocabularySize = tokens.count
            } else {
                vocabularySize = file.tensor(named: "token_embd.weight")?.dimensions.last ?? 0
            }
        } catch let error as ModelError {
            throw error
        } catch let error as GGUFError {
            throw .metadata(error)
        } catch {
            throw .invalidConfiguration("\(error)")
        }
        try validate()
    }

    private func validate() throws(ModelError) {
        func require(_ condition: Bool, _ message: String) throws(ModelError) {
            if !condition { throw .invalidConfiguration(message) }
        }
        try require(layers > 0 && embeddingSize > 0 && feedForwardSize > 0 && vocabularySize > 0, "sizes must be positive")
        try require(heads > 0 && kvHeads > 0 && heads % kvHeads == 0, "head_count \(heads) must be a multiple of head_count_kv \(kvHeads)")
        try require(headSize > 0 && headSize % 2 == 0, "head size \(headSize) must be even")
        try require(ropeDimensions > 0 && ropeDimensions <= headSize && ropeDimensions % 2 == 0, "rope.dimension_count \(ropeDimensions) must be even and at most the head size")
        try require(contextLength > 0, "context_length must be positive")
        // Activations are quantized in blocks of 32 for the integer dot products.
        try require(embeddingSize % 32 == 0 && feedForwardSize % 32 == 0 && (heads * headSize) % 32 == 0,
                    "embedding_length \(embeddingSize), feed_forward_length \(feedForwardSize) and heads × head size \(heads * headSize) must be multiples of 32")
    }
}
