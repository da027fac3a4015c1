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
        let measured = try GoldenMeasurement.teacherForcing(try bundle().model, golden, kvType: .q8_0)
        print("golden teacher forcing, q8_0 KV: \(measured.positions) positions, top-1 agreement \(measured.agreement), mean |Δ logprob| \(measured.meanDifference)")
        #expect(measured.positions == 350)
        #expect(measured.agreement >= GoldenFidelityTests.minimumAgreement)
        #expect(measured.meanDifference <= GoldenFidelityTests.maximumMeanDifference)
    }

    /// Free-running greedy generation over Q8_0 keys and values (prefill then decode kernels)
    /// reproduces the reference up to its first close call.
    @Test func greedyGenerationMatchesUpToFirstCloseCall() throws {
        let greedy = try GoldenMeasurement.greedy(try bundle(), golden, kvType: .q8_0, tieMargin: GoldenFidelityTests.tieMargin)
        for entry in greedy.items {
            #expect(entry.generatedPrefix == entry.referencePrefix, "\(entry.item.prompt.debugDescription)")
        }
        print("golden greedy, q8_0 KV: \(greedy.checkedTokens) tokens checked before close calls, \(greedy.matchedPrefix) matched before divergence")
        #expect(greedy.checkedTokens > 0)
    }
}
