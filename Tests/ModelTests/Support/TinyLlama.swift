import Sampling
import TernTestSupport
import Foundation
import GGUF
import Kernels

/// A tiny Llama model with random weights, described in memory and serialized with `GGUFWriter`.
///
/// Two layers, 64-wide embeddings, 4 query heads sharing 2 key/value heads (head size 16), a
/// 96-wide SwiGLU feed-forward and a byte-level BPE vocabulary of 291 tokens. Weight matrices
/// are stored in the chosen `WeightType`; norms are always F32. Every tensor keeps the exact
/// values a reader decodes from it, so a reference implementation can run on the same numbers.
///
/// Error tests edit `metadata` and `tensors` before serializing.
struct TinyLlama {
    struct Tensor {
        var name: String
        /// GGUF order: innermost (columns) first.
        var dimensions: [Int]
        var type: GGMLType
        var data: [UInt8]
        /// The decoded values of `data`, row-major.
        var values: [Float]
    }

    static let embedding = 64
    static let feedForward = 96
    static let heads = 4
    static let kvHeads = 2
    static let headSize = 16
    static let contextLength = 128
    static let ropeBase: Float = 10_000
    static let normEpsilon: Float = 1e-5

    let layers: Int
    let tiedEmbeddings: Bool
    var metadata: [(key: String, value: GGUFValue)] = []
    var tensors: [Tensor] = []

    /// - Parameters:
    ///   - weightType: encoding of the weight matrices (token embedding included).
    ///   - tiedEmbeddings: when false the file carries its own `output.weight`.
    init(weightType: WeightType = .f32, layers: Int = 2, tiedEmbeddings: Bool = true, seed: UInt64 = 0x7E12) {
        self.layers = layers
        self.tiedEmbeddings = tiedEmbeddings
        metadata = Self.baseMetadata(layers: layers)
        var random = SplitMix64(seed: seed)
        let vocabulary = TinyVocabulary.tokens.count
        let e = Self.embedding, f = Self.feedForward
        let q = Self.heads * Self.headSize, kv = Self.kvHeads * Self.headSize

        func matrix(_ name: String, rows: Int, columns: Int, scale: Float) {
            let values = (0..<rows * columns).map { _ in random.uniform(in: -scale...scale) }
            tensors.append(Self.encode(name, rows: rows, columns: columns, values: values, as: weightType))
        }
        func norm(_ name: String) {
            let values = (0..<e).map { _ in random.uniform(in: 0.8...1.2) }
            tensors.append(Tensor(name: name, dimensions: [e], type: .f32, data: Self.bytes(of: values), values: values))
        }
        // Uniform(−a, a) has variance a²/3: a = √(3 / columns) keeps activations at unit scale.
        func unit(_ columns: Int) -> Float { (3 / Float(columns)).squareRoot() }

        matrix("token_embd.weight", rows: vocabulary, columns: e, scale: 0.5)
        for layer in 0..<layers {
            let p = "blk.\(layer)."
            norm(p + "attn_norm.weight")
            matrix(p + "attn_q.weight", rows: q, columns: e, scale: unit(e))
            matrix(p + "attn_k.weight", rows: kv, columns: e, scale: unit(e))
            matrix(p + "attn_v.weight", rows: kv, columns: e, scale: unit(e))
            matrix(p + "attn_output.weight", rows: e, columns: q, scale: unit(q))
            norm(p + "ffn_norm.weight")
            matrix(p + "ffn_gate.weight", rows: f, columns: e, scale: unit(e))
            matrix(p + "ffn_up.weight", rows: f, columns: e, scale: unit(e))
            matrix(p + "ffn_down.weight", rows: e, columns: f, scale: unit(f))
        }
        norm("output_norm.weight")
        if !tiedEmbeddings {
            matrix("output.weight", rows: vocabulary, columns: e, scale: 0.5)
        }
    }

    static func baseMetadata(layers: Int) -> [(key: String, value: GGUFValue)] {
        [
            ("general.architecture", .string("llama")),
            ("general.name", .string("tiny-test-llama")),
            ("llama.block_count", .uint32(UInt32(layers))),
            ("llama.embedding_length", .uint32(UInt32(embedding))),
            ("llama.feed_forward_length", .uint32(UInt32(feedForward))),
            ("llama.attention.head_count", .uint32(UInt32(heads))),
            ("llama.attention.head_count_kv", .uint32(UInt32(kvHeads))),
            ("llama.context_length", .uint32(UInt32(contextLength))),
            ("llama.rope.freq_base", .float32(ropeBase)),
            ("llama.attention.layer_norm_rms_epsilon", .float32(normEpsilon)),
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("gpt-2")),
            ("tokenizer.ggml.tokens", .array(TinyVocabulary.tokens.map { .string($0) })),
            ("tokenizer.ggml.token_type", .array(TinyVocabulary.tokenTypes.map { .int32($0) })),
            ("tokenizer.ggml.merges", .array(TinyVocabulary.merges.map { .string($0) })),
            ("tokenizer.ggml.eos_token_id", .uint32(UInt32(TinyVocabulary.imEnd))),
        ]
    }

    // MARK: Editing

    mutating func setMetadata(_ key: String, _ value: GGUFValue) {
        if let index = metadata.firstIndex(where: { $0.key == key }) {
            metadata[index].value = value
        } else {
            metadata.append((key, value))
        }
    }

    mutating func removeMetadata(_ key: String) { metadata.removeAll { $0.key == key } }

    mutating func removeTensor(_ name: String) { tensors.removeAll { $0.name == name } }

    mutating func replaceTensor(_ tensor: Tensor) {
        guard let index = tensors.firstIndex(where: { $0.name == tensor.name }) else { return }
        tensors[index] = tensor
    }

    /// The decoded values of tensor `name` (empty when absent).
    func values(_ name: String) -> [Float] { tensors.first { $0.name == name }?.values ?? [] }

    // MARK: Output

    func writer() -> GGUFWriter {
        var writer = GGUFWriter()
        for (key, value) in metadata { writer.set(key, value) }
        for tensor in tensors {
            writer.addTensor(name: tensor.name, dimensions: tensor.dimensions, type: tensor.type, data: tensor.data)
        }
        return writer
    }

    func serialize() -> [UInt8] { writer().serialize() }

    func file() throws -> GGUFFile { try GGUFFile(bytes: serialize()) }

    /// Writes the model to a new file in a fresh temporary folder; the caller removes the folder.
    func writeTemporaryFile() throws -> (directory: URL, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tern-model-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("tiny.gguf").path
        try writer().write(to: path)
        return (directory, path)
    }

    // MARK: Encoding

    static func encode(_ name: String, rows: Int, columns: Int, values: [Float], as type: WeightType) -> Tensor {
        var data: [UInt8] = []
        var decoded: [Float] = []
        for r in 0..<rows {
            let row = Array(values[r * columns..<(r + 1) * columns])
            let bytes = row.withUnsafeBufferPointer { quantizeRow(type, $0) }
            var back = [Float](repeating: 0, count: columns)
            bytes.withUnsafeBytes { raw in
                back.withUnsafeMutableBufferPointer { dequantizeRow(type, raw.baseAddress!, into: $0.baseAddress!, count: columns) }
            }
            data += bytes
            decoded += back
        }
        return Tensor(name: name, dimensions: [columns, rows], type: ggmlType(type), data: data, values: decoded)
    }

    static func ggmlType(_ type: WeightType) -> GGMLType {
        switch type {
        case .f32: .f32
        case .f16: .f16
        case .bf16: .bf16
        case .q8_0: .q8_0
        case .q4_0: .q4_0
        case .q4_1: .q4_1
        case .q5_0: .q5_0
        case .q5_1: .q5_1
        case .q4_K: .q4_K
        case .q5_K: .q5_K
        case .q6_K: .q6_K
        }
    }

    static func bytes(of values: [Float]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }
}
