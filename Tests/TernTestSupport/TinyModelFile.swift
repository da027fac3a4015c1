import Foundation
import GGUF
import Sampling

/// A tiny Llama GGUF with random weights and a byte-level BPE vocabulary, written to a temporary
/// file for the engine to load.
///
/// Two layers, 64-wide embeddings, 4 query heads over 2 key/value heads, a 96-wide feed-forward,
/// context 128, the 291-token `TinyVocabulary`. Matrices are F32 or Q8_0 (encoded here, per
/// ggml's reference quantizer: d = max|x| / 127, q = round(x / d)); norms are F32.
public struct TinyModelFile: Sendable {
    public enum Encoding: Sendable, CaseIterable { case f32, q8_0 }

    public let directory: URL
    public let path: String

    /// Writes the model; call `remove()` when done.
    public init(encoding: Encoding = .f32, tiedEmbeddings: Bool = true, seed: UInt64 = 0x7E12,
         extraMetadata: [(String, GGUFValue)] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tern-engine-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("tiny.gguf").path
        try Self.writer(encoding: encoding, tiedEmbeddings: tiedEmbeddings, seed: seed, extraMetadata: extraMetadata).write(to: path)
    }

    public func remove() { try? FileManager.default.removeItem(at: directory) }

    public static func writer(encoding: Encoding, tiedEmbeddings: Bool, seed: UInt64, extraMetadata: [(String, GGUFValue)]) -> GGUFWriter {
        let e = 64, f = 96, layers = 2, q = 64, kv = 32
        let vocabulary = TinyVocabulary.tokens.count
        var writer = GGUFWriter()
        let metadata: [(String, GGUFValue)] = [
            ("general.architecture", .string("llama")),
            ("llama.block_count", .uint32(UInt32(layers))),
            ("llama.embedding_length", .uint32(UInt32(e))),
            ("llama.feed_forward_length", .uint32(UInt32(f))),
            ("llama.attention.head_count", .uint32(4)),
            ("llama.attention.head_count_kv", .uint32(2)),
            ("llama.context_length", .uint32(128)),
            ("llama.rope.freq_base", .float32(10_000)),
            ("llama.attention.layer_norm_rms_epsilon", .float32(1e-5)),
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("gpt-2")),
            ("tokenizer.ggml.tokens", .array(TinyVocabulary.tokens.map { .string($0) })),
            ("tokenizer.ggml.token_type", .array(TinyVocabulary.tokenTypes.map { .int32($0) })),
            ("tokenizer.ggml.merges", .array(TinyVocabulary.merges.map { .string($0) })),
            ("tokenizer.ggml.eos_token_id", .uint32(UInt32(TinyVocabulary.imEnd))),
        ]
        for (key, value) in metadata + extraMetadata { writer.set(key, value) }

        var random = SplitMix64(seed: seed)
        func matrix(_ name: String, rows: Int, columns: Int, scale: Float) {
            let values = (0..<rows * columns).map { _ in random.uniform(in: -scale...scale) }
            switch encoding {
            case .f32:
                writer.addTensor(name: name, dimensions: [columns, rows], type: .f32, data: floatBytes(values))
            case .q8_0:
                writer.addTensor(name: name, dimensions: [columns, rows], type: .q8_0, data: q8_0Bytes(values))
            }
        }
        func norm(_ name: String) {
            let values = (0..<e).map { _ in random.uniform(in: 0.8...1.2) }
            writer.addTensor(name: name, dimensions: [e], type: .f32, data: floatBytes(values))
        }
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
        if !tiedEmbeddings { matrix("output.weight", rows: vocabulary, columns: e, scale: 0.5) }
        return writer
    }

    public static func floatBytes(_ values: [Float]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    /// Q8_0 blocks of 32: half-precision scale d, then 32 signed bytes.
    public static func q8_0Bytes(_ values: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        for start in stride(from: 0, to: values.count, by: 32) {
            let block = values[start..<start + 32]
            let d = (block.map(abs).max() ?? 0) / 127
            let bits = Float16(d).bitPattern
            out += [UInt8(bits & 0xFF), UInt8(bits >> 8)]
            out += block.map { UInt8(bitPattern: Int8(d == 0 ? 0 : ($0 / d).rounded())) }
        }
        return out
    }
}

extension SplitMix64 {
    /// Uniform in `range`, from the top 24 bits of the next draw.
    public mutating func uniform(in range: ClosedRange<Float>) -> Float {
        let unit = Float(next() >> 40) / Float(1 << 24)
        return range.lowerBound + (range.upperBound - range.lowerBound) * unit
    }
}
