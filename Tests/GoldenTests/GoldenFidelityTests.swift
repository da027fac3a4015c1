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
        let measured = try GoldenMeasurement.teacherForcing(try bundle().model, golden, kvType: .f16)
        print("golden teacher forcing: \(measured.positions) positions, top-1 agreement \(measured.agreement), mean |Δ logprob| \(measured.meanDifference)")
        #expect(measured.positions == 350)
        #expect(measured.agreement >= Self.minimumAgreement)
        #expect(measured.meanDifference <= Self.maximumMeanDifference)
    }

    /// Free-running greedy generation reproduces the reference up to its first close call.
    @Test func greedyGenerationMatchesUpToFirstCloseCall() throws {
        let greedy = try GoldenMeasurement.greedy(try bundle(), golden, kvType: .f16, tieMargin: Self.tieMargin)
        for entry in greedy.items {
            #expect(entry.generatedPrefix == entry.referencePrefix, "\(entry.item.prompt.debugDescription)")
            if entry.checked == entry.item.output_ids.count {
                #expect(entry.result.text == entry.item.output_text)
                #expect(entry.result.finishReason == (entry.item.ends_with_eos ? .stop : .length))
            }
        }
        print("golden greedy: \(greedy.checkedTokens) tokens checked before close calls, \(greedy.matchedPrefix) matched before divergence")
        #expect(greedy.checkedTokens > 0)
        #expect(greedy.matchedPrefix >= Self.llamaCppMatchedPrefix)
    }
}
