import ArgumentParser
import Foundation
import GGUF
import Kernels
import Sampling
import Tokenizer

/// Writes a GGUF with a real architecture's shapes and random weights. Decode speed depends on
/// the shapes and the weight encoding, not the values, so this measures bandwidth-bound
/// behaviour on 1B-class models without downloading one; Tern and llama.cpp both load it.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a random-weight GGUF with a real model's shapes (for benchmarks).")

    @Option(help: "Architecture shapes: \(SyntheticShape.all.map(\.name).joined(separator: ", ")).") var shape: String = "llama-3.2-1b"
    @Option(help: "Weight encoding: f32, f16, bf16, q8_0, q4_0, q4_1 (and every other type `tern` computes with).") var type: String = "q8_0"
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Argument(help: "The GGUF file to write.") var output: String

    func validate() throws {
        guard SyntheticShape.all.contains(where: { $0.name == shape }) else { throw ValidationError("unknown --shape '\(shape)'") }
        guard WeightType.named(type) != nil else { throw ValidationError("unknown or unsupported --type '\(type)'") }
    }

    func run() throws {
        try reportingErrors {
            let architecture = SyntheticShape.all.first { $0.name == shape }!
            let weightType = WeightType.named(type)!
            printError("writing \(architecture.name) with \(type) weights to \(output) ...")
            let writer = architecture.writer(weightType: weightType, seed: seed)
            do { try writer.write(to: output) } catch { throw CLIError("cannot write '\(output)': \(error)") }
        }
    }
}

/// Hyperparameters of a public architecture.
struct SyntheticShape {
    let name: String
    let layers: Int
    let embedding: Int
    let feedForward: Int
    let heads: Int
    let kvHeads: Int
    let vocabulary: Int
    let contextLength: Int
    let ropeBase: Float
    let tiedEmbeddings: Bool

    static let all = [
        SyntheticShape(name: "llama-3.2-1b", layers: 16, embedding: 2048, feedForward: 8192, heads: 32, kvHeads: 8,
                       vocabulary: 128_256, contextLength: 131_072, ropeBase: 500_000, tiedEmbeddings: true),
        SyntheticShape(name: "tinyllama-1.1b", layers: 22, embedding: 2048, feedForward: 5632, heads: 32, kvHeads: 4,
                       vocabulary: 32_000, contextLength: 2048, ropeBase: 10_000, tiedEmbeddings: false),
    ]

    func writer(weightType: WeightType, seed: UInt64) -> GGUFWriter {
        var writer = GGUFWriter()
        let headSize = embedding / heads
        writer.set("general.architecture", .string("llama"))
        writer.set("general.name", .string("synthetic \(name)"))
        writer.set("llama.block_count", .uint32(UInt32(layers)))
        writer.set("llama.context_length", .uint32(UInt32(contextLength)))
        writer.set("llama.embedding_length", .uint32(UInt32(embedding)))
        writer.set("llama.feed_forward_length", .uint32(UInt32(feedForward)))
        writer.set("llama.attention.head_count", .uint32(UInt32(heads)))
        writer.set("llama.attention.head_count_kv", .uint32(UInt32(kvHeads)))
        writer.set("llama.rope.freq_base", .float32(ropeBase))
        writer.set("llama.rope.dimension_count", .uint32(UInt32(headSize)))
        writer.set("llama.attention.layer_norm_rms_epsilon", .float32(1e-5))
        writer.set("llama.vocab_size", .uint32(UInt32(vocabulary)))
        // A byte-level BPE vocabulary: the 256 byte tokens, filler tokens, one merge, and an
        // end-of-text control token, enough for both Tern and llama.cpp to load the file.
        var tokens = (0...255).map { Vocabulary.byteLevelTokenText(UInt8($0)) }
        tokens.append(Vocabulary.byteLevelTokenText(0x20) + "t")
        while tokens.count < vocabulary - 1 { tokens.append("<synthetic_\(tokens.count)>") }
        tokens.append("<|end_of_text|>")
        var types = [GGUFValue](repeating: .int32(1), count: vocabulary)
        types[vocabulary - 1] = .int32(3)
        writer.set("tokenizer.ggml.model", .string("gpt2"))
        writer.set("tokenizer.ggml.pre", .string("default"))
        writer.set("tokenizer.ggml.tokens", .array(tokens.map { .string($0) }))
        writer.set("tokenizer.ggml.token_type", .array(types))
        writer.set("tokenizer.ggml.merges", .array([.string(Vocabulary.byteLevelTokenText(0x20) + " t")]))
        writer.set("tokenizer.ggml.bos_token_id", .uint32(UInt32(vocabulary - 1)))
        writer.set("tokenizer.ggml.eos_token_id", .uint32(UInt32(vocabulary - 1)))

        var random = SplitMix64(seed: seed)
        func values(_ count: Int, scale: Float) -> [Float] {
            (0..<count).map { _ in (Float(random.next() >> 40) / Float(1 << 24) * 2 - 1) * scale }
        }
        func matrix(_ tensorName: String, rows: Int, columns: Int) {
            var data: [UInt8] = []
            data.reserveCapacity(weightType.rowBytes(columns: columns) * rows)
            let scale = (3 / Float(columns)).squareRoot()
            for _ in 0..<rows {
                data += values(columns, scale: scale).withUnsafeBufferPointer { quantizeRow(weightType, $0) }
            }
            writer.addTensor(name: tensorName, dimensions: [columns, rows], type: weightType.ggmlType, data: data)
        }
        func norm(_ tensorName: String) {
            let ones = [Float](repeating: 1, count: embedding)
            writer.addTensor(name: tensorName, dimensions: [embedding], type: .f32, data: ones.withUnsafeBytes { Array($0) })
        }
        let qSize = heads * headSize, kvSize = kvHeads * headSize
        matrix("token_embd.weight", rows: vocabulary, columns: embedding)
        for layer in 0..<layers {
            let p = "blk.\(layer)."
            norm(p + "attn_norm.weight")
            matrix(p + "attn_q.weight", rows: qSize, columns: embedding)
            matrix(p + "attn_k.weight", rows: kvSize, columns: embedding)
            matrix(p + "attn_v.weight", rows: kvSize, columns: embedding)
            matrix(p + "attn_output.weight", rows: embedding, columns: qSize)
            norm(p + "ffn_norm.weight")
            matrix(p + "ffn_gate.weight", rows: feedForward, columns: embedding)
            matrix(p + "ffn_up.weight", rows: feedForward, columns: embedding)
            matrix(p + "ffn_down.weight", rows: embedding, columns: feedForward)
        }
        norm("output_norm.weight")
        if !tiedEmbeddings { matrix("output.weight", rows: vocabulary, columns: embedding) }
        return writer
    }
}

extension WeightType {
    /// The encoding called `name` ("q8_0", "Q4_K", ...), as ggml names its types.
    static func named(_ name: String) -> WeightType? {
        allCases.first { "\($0)".lowercased() == name.lowercased() }
    }

    /// The GGUF tensor type with the same encoding.
    var ggmlType: GGMLType {
        GGMLType.allCases.first { $0.name.lowercased() == "\(self)".lowercased() }!
    }
}
