import TernTestSupport
import Kernels
import Model
import Testing

/// `LanguageModel` against the plain Double-precision reference of the Llama forward pass.
@Suite struct ReferenceForwardTests {
    /// Tokens from all parts of the vocabulary, including a control token.
    let prompt: [Int32] = [TinyVocabulary.imStart, 72, 3, 200, 256, 17, 288, 101, 5, TinyVocabulary.imEnd, 42, 130]

    @Test(arguments: [true, false])
    func float32MatchesReference(tiedEmbeddings: Bool) throws {
        let tiny = TinyLlama(weightType: .f32, tiedEmbeddings: tiedEmbeddings)
        let model = try LanguageModel.load(tiny)
        let kv = model.makeKVStorage(blockCount: 2, blockSize: 8)
        let actual = model.run(prompt, blockTable: [0, 1], kv: kv)
        let expected = ReferenceLlama(model: tiny).logits(prompt)
        for position in prompt.indices {
            let error = relativeError(actual[position], expected[position])
            #expect(error < 1e-4, "position \(position): relative error \(error)")
            #expect(argmax(actual[position]) == argmax(expected[position]), "position \(position)")
        }
    }

    @Test func oneLayerFloat16MatchesReference() throws {
        let tiny = TinyLlama(weightType: .f16, layers: 1, tiedEmbeddings: false, seed: 99)
        let model = try LanguageModel.load(tiny)
        let kv = model.makeKVStorage(blockCount: 1, blockSize: 16)
        let actual = model.run(prompt, blockTable: [0], kv: kv)
        let expected = ReferenceLlama(model: tiny).logits(prompt)
        for position in prompt.indices {
            let error = relativeError(actual[position], expected[position])
            #expect(error < 1e-4, "position \(position): relative error \(error)")
        }
    }

    /// Quantized weights run with 8-bit activations, so only closeness is expected.
    @Test(arguments: [WeightType.q8_0, .q4_0, .q4_1])
    func quantizedStaysCloseToReference(type: WeightType) throws {
        let tiny = TinyLlama(weightType: type)
        let model = try LanguageModel.load(tiny)
        let kv = model.makeKVStorage(blockCount: 1, blockSize: 16)
        let actual = model.run(prompt, blockTable: [0], kv: kv)
        let expected = ReferenceLlama(model: tiny).logits(prompt)
        for position in prompt.indices {
            let error = relativeError(actual[position], expected[position])
            #expect(error < 0.05, "\(type) position \(position): relative error \(error)")
        }
    }
}
