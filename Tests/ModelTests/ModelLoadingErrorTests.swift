import TernTestSupport
import Foundation
import GGUF
import Kernels
import Model
import Testing

/// A model file the forward pass cannot use is rejected with an error naming the problem.
@Suite struct ModelLoadingErrorTests {
    @Test func missingTensorIsNamed() throws {
        var tiny = TinyLlama(weightType: .q8_0)
        tiny.removeTensor("blk.1.ffn_up.weight")
        #expect(throws: ModelError.missingTensor("blk.1.ffn_up.weight")) { try LanguageModel.load(tiny) }
    }

    @Test func missingOutputNormIsNamed() throws {
        var tiny = TinyLlama()
        tiny.removeTensor("output_norm.weight")
        #expect(throws: ModelError.missingTensor("output_norm.weight")) { try LanguageModel.load(tiny) }
    }

    @Test func matrixWithTooManyRowsIsWrongShape() throws {
        var tiny = TinyLlama()
        // Key projection with 48 rows where 2 kv heads × 16 = 32 are expected.
        let values = [Float](repeating: 0.01, count: 64 * 48)
        tiny.replaceTensor(TinyLlama.encode("blk.0.attn_k.weight", rows: 48, columns: 64, values: values, as: .f32))
        #expect(throws: ModelError.wrongShape(tensor: "blk.0.attn_k.weight", expected: [64, 32], actual: [64, 48])) {
            try LanguageModel.load(tiny)
        }
    }

    @Test func normOfWrongLengthIsWrongShape() throws {
        var tiny = TinyLlama()
        let values = [Float](repeating: 1, count: 32)
        tiny.replaceTensor(.init(name: "blk.1.ffn_norm.weight", dimensions: [32], type: .f32,
                                 data: TinyLlama.bytes(of: values), values: values))
        #expect(throws: ModelError.wrongShape(tensor: "blk.1.ffn_norm.weight", expected: [64], actual: [32])) {
            try LanguageModel.load(tiny)
        }
    }

    @Test func unsupportedArchitectureIsNamed() throws {
        var tiny = TinyLlama()
        tiny.setMetadata("general.architecture", .string("gpt2"))
        #expect(throws: ModelError.unsupportedArchitecture("gpt2")) { try LanguageModel.load(tiny) }
        #expect(ModelError.unsupportedArchitecture("gpt2").description.contains("'gpt2'"))
    }

    /// A Q8_1 matrix of the right size: the file is valid, but no kernel reads Q8_1 weights.
    @Test func tensorTypeWithoutKernelIsRejected() throws {
        var tiny = TinyLlama()
        // 64 × 64 elements in Q8_1 blocks of 32 elements and 40 bytes.
        let bytes = [UInt8](repeating: 0, count: 64 * 64 / 32 * 40)
        tiny.replaceTensor(.init(name: "blk.0.attn_q.weight", dimensions: [64, 64], type: .q8_1, data: bytes, values: []))
        #expect(throws: ModelError.unsupportedTensorType(tensor: "blk.0.attn_q.weight", type: "Q8_1")) {
            try LanguageModel.load(tiny)
        }
    }

    @Test func halfPrecisionNormIsRejected() throws {
        var tiny = TinyLlama()
        let bytes = [Float](repeating: 1, count: 64).flatMap { value -> [UInt8] in
            let bits = Float16(value).bitPattern
            return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
        }
        tiny.replaceTensor(.init(name: "blk.0.attn_norm.weight", dimensions: [64], type: .f16, data: bytes, values: []))
        #expect(throws: ModelError.unsupportedTensorType(tensor: "blk.0.attn_norm.weight", type: "F16")) {
            try LanguageModel.load(tiny)
        }
    }

    @Test func missingBlockCountIsMetadataError() throws {
        var tiny = TinyLlama()
        tiny.removeMetadata("llama.block_count")
        let error = #expect(throws: ModelError.self) { try LanguageModel.load(tiny) }
        guard case .metadata(let underlying) = error else {
            Issue.record("expected a metadata error, got \(String(describing: error))")
            return
        }
        #expect(underlying.kind == .missingMetadata)
        #expect(underlying.message.contains("llama.block_count"))
    }

    @Test func headCountNotMultipleOfKVHeadsIsInvalid() throws {
        var tiny = TinyLlama()
        tiny.setMetadata("llama.attention.head_count_kv", .uint32(3))
        let error = #expect(throws: ModelError.self) { try LanguageModel.load(tiny) }
        guard case .invalidConfiguration(let message) = error else {
            Issue.record("expected invalidConfiguration, got \(String(describing: error))")
            return
        }
        #expect(message.contains("head_count 4") && message.contains("head_count_kv 3"))
    }

    /// The configuration read back from the file is the one written.
    @Test func configurationComesFromMetadata() throws {
        let model = try LanguageModel.load(TinyLlama())
        let c = model.configuration
        #expect(c.architecture == "llama")
        #expect(c.layers == 2)
        #expect(c.embeddingSize == 64)
        #expect(c.feedForwardSize == 96)
        #expect(c.heads == 4)
        #expect(c.kvHeads == 2)
        #expect(c.headSize == 16)
        #expect(c.vocabularySize == TinyVocabulary.tokens.count)
        #expect(c.contextLength == 128)
        #expect(c.normEpsilon == 1e-5)
        #expect(c.ropeBase == 10_000)
        #expect(c.ropeDimensions == 16)
    }

    /// Loading from a file on disk (memory-mapped) gives the same logits as from memory.
    @Test func mappedFileEqualsInMemory() throws {
        let tiny = TinyLlama(weightType: .q4_1)
        let (directory, path) = try tiny.writeTemporaryFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mapped = try LanguageModel(file: try GGUFFile(path: path))
        let inMemory = try LanguageModel.load(tiny)
        let tokens: [Int32] = [289, 50, 60, 70]
        let a = mapped.run(tokens, blockTable: [0], kv: mapped.makeKVStorage(blockCount: 1, blockSize: 8))
        let b = inMemory.run(tokens, blockTable: [0], kv: inMemory.makeKVStorage(blockCount: 1, blockSize: 8))
        #expect(a == b)
    }
}
