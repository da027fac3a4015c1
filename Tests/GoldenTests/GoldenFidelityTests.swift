import ChatTemplate
import Engine
import Foundation
import Model
import Sampling
import Testing

/// Tern against llama.cpp's outputs on the default model (shared/golden).
///
/// Tokenization and chat templates must match exactly. The model's numbers cannot match bit for
/// bit: 8-bit activations make this 135M model sensitive to the last bits of every kernel, so two
/// builds of llama.cpp itself disagree. Measured on this project's machines, llama.cpp built
/// from the reference commit (0c1e57098, default flash attention) scores 96.6% top-1 agreement and
/// 0.030 nat mean |Δ log-probability| against the reference under teacher forcing, and its greedy
/// output departs from the reference at positions whose top-2 gap is up to 0.29 nat (0.22 with
/// flash attention off). Tern's AVX2 and portable kernels, which differ only in float summation
/// order, depart from each other at a gap of 0.36 nat. The thresholds below hold Tern to the
/// standard of the reference implementation itself on this hardware.
@Suite(.serialized)
struct GoldenFidelityTests {
    /// Lowest teacher-forced top-1 agreement accepted (llama.cpp on this hardware: 0.9657).
    static let minimumAgreement = 0.96
    /// Highest mean |Δ log-probability| of the reference token accepted, in nats.
    static let maximumMeanDifference = 0.05
    /// Greedy output must match the reference up to the first position whose top-1/top-2 gap
    /// is below this: above the largest gap (0.36 nat) at which any build measured here departs.
    static let tieMargin = 0.5
    /// Greedy tokens, summed over all cases, that llama.cpp on this hardware reproduces before it
    /// first departs from the reference (counting up to each case's first near-tie).
    static let llamaCppMatchedPrefix = 174

    let golden = GoldenReference.shared

    func bundle() throws -> ModelBundle { try DefaultModelFixture.bundle.get() }

    @Test func tokenizationMatchesLlamaCpp() throws {
        let tokenizer = try bundle().tokenizer
        for item in golden.tokenize {
            #expect(tokenizer.encode(item.text, addSpecial: false) == item.ids, "\(item.text.debugDescription)")
        }
        for item in golden.completions + golden.chat {
            #expect(tokenizer.encode(item.prompt, addSpecial: false) == item.prompt_ids, "\(item.prompt.debugDescription)")
        }
    }

    @Test func chatTemplateMatchesLlamaCpp() throws {
        let bundle = try bundle()
        for item in golden.chat {
            let messages = (item.messages ?? []).map { ChatMessage(role: $0.role, content: $0.content) }
            #expect(try bundle.renderChat(messages) == item.prompt)
        }
    }

    /// Teacher forcing: feed prompt + reference output in one batch and compare the
    /// distribution at every generated position.
    @Test func teacherForcedLogProbabilitiesMatch() throws {
        let model = try bundle().model
        let vocabulary = model.configuration.vocabularySize
        var positions = 0, agreeing = 0
        var totalDifference = 0.0
        for item in golden.completions + golden.chat {
            let tokens = item.prompt_ids + item.output_ids
            let blocks = (tokens.count + 15) / 16
            let kv = model.makeKVStorage(blockCount: blocks)
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
        print("golden teacher forcing: \(positions) positions, top-1 agreement \(agreement), mean |Δ logprob| \(meanDifference)")
        #expect(positions == 350)
        #expect(agreement >= Self.minimumAgreement)
        #expect(meanDifference <= Self.maximumMeanDifference)
    }

    /// Free-running greedy generation reproduces the reference up to its first close call.
    @Test func greedyGenerationMatchesUpToFirstCloseCall() throws {
        let bundle = try bundle()
        var checkedTokens = 0, matchedPrefix = 0
        for item in golden.completions + golden.chat {
            let generator = Generator(bundle: bundle, contextLength: 256)
            let result = try generator.generate(prompt: item.prompt_ids,
                                                parameters: GenerationParameters(sampling: .greedy, maxTokens: item.output_ids.count))
            let gaps = item.steps.map { $0.top[0][1] - $0.top[1][1] }
            let firstCloseCall = gaps.firstIndex { $0 < Self.tieMargin } ?? gaps.count
            let checked = min(firstCloseCall, item.first_near_tie ?? gaps.count)
            checkedTokens += checked
            let comparable = item.first_near_tie ?? item.output_ids.count
            matchedPrefix += zip(result.outputIDs.prefix(comparable), item.output_ids).prefix { $0 == $1 }.count
            #expect(Array(result.outputIDs.prefix(checked)) == Array(item.output_ids.prefix(checked)), "\(item.prompt.debugDescription)")
            if checked == item.output_ids.count {
                #expect(result.text == item.output_text)
                #expect(result.finishReason == (item.ends_with_eos ? .stop : .length))
            }
        }
        print("golden greedy: \(checkedTokens) tokens checked before close calls, \(matchedPrefix) matched before divergence")
        #expect(checkedTokens > 0)
        #expect(matchedPrefix >= Self.llamaCppMatchedPrefix)
    }
}
