import Engine
import Foundation
import GGUF
import Kernels
import Testing
@testable import TernCLI

struct SynthCommandTests {
    static let tiny = SyntheticShape(name: "tiny", layers: 2, embedding: 64, feedForward: 128, heads: 4, kvHeads: 2,
                                     vocabulary: 300, contextLength: 64, ropeBase: 10_000, tiedEmbeddings: false)

    @Test(arguments: ["q8_0", "q4_1", "f16"])
    func writesALoadableModel(type: String) throws {
        let weightType = try #require(WeightType.named(type))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("synth-\(UUID().uuidString).gguf").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.tiny.writer(weightType: weightType, seed: 3).write(to: path)

        let file = try GGUFFile(path: path)
        // token_embd + 9 per layer + output_norm + output
        #expect(file.tensors.count == 1 + 2 * 9 + 2)
        #expect(file.tensor(named: "blk.1.ffn_down.weight")?.dimensions == [128, 64])
        #expect(file.tensor(named: "blk.0.attn_q.weight")?.type.name == type.uppercased())
        #expect(file.metadata["tokenizer.ggml.tokens"]?.arrayValue?.count == 300)

        let bundle = try ModelBundle(path: path, threads: 1)
        let result = try Generator(bundle: bundle).generate(prompt: [10, 20, 30], parameters: GenerationParameters(sampling: .greedy, maxTokens: 3, ignoreEOS: true))
        #expect(result.outputIDs.count == 3)
    }

    @Test func knowsTypeNames() {
        #expect(WeightType.named("Q8_0") == .q8_0)
        #expect(WeightType.named("nope") == nil)
        #expect(WeightType.q4_1.ggmlType == .q4_1)
    }
}
