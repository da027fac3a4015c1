import Engine
import Foundation
import Kernels
import Model
import ModelStore
import Sampling
import Testing

/// The default model with a Q8_0 KV cache against llama.cpp's outputs (shared/golden), held to
/// the thresholds of ``GoldenFidelityTests``: 8-bit keys and values must not cost more fidelity
/// than two builds of llama.cpp differ by.
@Suite(.serialized)
struct QuantizedKVGoldenTests {
    let golden = GoldenReference.shared

    /// Its own copy of the default model: a model runs one forward pass at a time, and this
    /// suite may run beside ``GoldenFidelityTests``.
    static let bundle: Result<ModelBundle, any Error> = Result {
        try ModelBundle(path: try ModelStore().ensureDefaultModel(), threads: 2)
    }

    func bundle() throws -> ModelBundle { try Self.bundle.get() }

    /// Teacher forcing over Q8_0 keys and values: prompt + reference output in one batch.
    @Test func teacherForcedLogProbabilitiesMatch() throws {
        let model = try bundle().model
        let vocabulary = model.configuration.vocabularySize
        var positions = 0, agreeing = 0
        var totalDifference = 0.0
        for item in golden.completions + golden.chat {
            let tokens = item.prompt_ids + item.output_ids
            let blocks = (tokens.count + 15) / 16
            let kv = try model.makeKVStorage(blockCount: blocks, elementType: .q8_0)
            let first = item.prompt_ids.count - 1
            let batch = ForwardBatch(
                tokens: tokens,
                segments: [.init(tokenRange: 0..<tokens.count, startPosition: 0, blockTable: (0..<Int32(blocks)).map { $0 })],
                logitIndices: Array(first..<(tokens.count - 1)))
            let logits = model.forward(batch, kv: kv)
            for (row, step) in item.steps.enumerated() {
                let rowLogits = UnsafeBufferPointer(rebasing: logits[(row * vocabulary)..<((row + 1) * vocabulary)])
                let (logSumExp, top) = Sampler.logProbabilities(logits: rowLogits, topN: 1)
                let referenceLogProb = try #require(step.top.first { Int32($0[0]) == step.id })[1]
                positions += 1
                if top[0].id == Int32(step.top[0][0]) { agreeing += 1 }
                totalDifference += abs(Double(rowLogits[Int(step.id)] - logSumExp) - referenceLogProb)
            }
        }
        let agreement = Double(agreeing) / Double(positions)
        let meanDifference = totalDifference / Double(positions)
        print("golden teacher forcing, q8_0 KV: \(positions) positions, top-1 agreement \(agreement), mean |Δ logprob| \(meanDifference)")
        #expect(positions == 350)
        #expect(agreement >= GoldenFidelityTests.minimumAgreement)
        #expect(meanDifference <= GoldenFidelityTests.maximumMeanDifference)
    }

    /// Free-running greedy generation over Q8_0 keys and values (prefill then decode kernels)
    /// reproduces the reference up to its first close call.
    @Test func greedyGenerationMatchesUpToFirstCloseCall() throws {
        let bundle = try bundle()
        var checkedTokens = 0, matchedPrefix = 0
        for item in golden.completions + golden.chat {
            let generator = try Generator(bundle: bundle, contextLength: 256, kvType: .q8_0)
            let result = try generator.generate(prompt: item.prompt_ids,
                                                parameters: GenerationParameters(sampling: .greedy, maxTokens: item.output_ids.count))
            let gaps = item.steps.map { $0.top[0][1] - $0.top[1][1] }
            let firstCloseCall = gaps.firstIndex { $0 < GoldenFidelityTests.tieMargin } ?? gaps.count
            let checked = min(firstCloseCall, item.first_near_tie ?? gaps.count)
            checkedTokens += checked
            let comparable = item.first_near_tie ?? item.output_ids.count
            matchedPrefix += zip(result.outputIDs.prefix(comparable), item.output_ids).prefix { $0 == $1 }.count
            #expect(Array(result.outputIDs.prefix(checked)) == Array(item.output_ids.prefix(checked)), "\(item.prompt.debugDescription)")
        }
        print("golden greedy, q8_0 KV: \(checkedTokens) tokens checked before close calls, \(matchedPrefix) matched before divergence")
        #expect(checkedTokens > 0)
    }
}
