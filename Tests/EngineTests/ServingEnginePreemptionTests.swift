import Engine
import Sampling
import Scheduler
import TernTestSupport
import Testing

/// Requests squeezed out of a too-small KV pool still produce exactly their own output,
/// whether their keys and values are recomputed or swapped out and back.
struct ServingEnginePreemptionTests {
    @Test(arguments: [PreemptionMode.recompute, .swap, .cheapest])
    func preemptedRequestsMatchSingleSequenceGeneration(mode: PreemptionMode) async throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let bundle = try ModelBundle(path: model.path, threads: 1)
        let prompt: [Int32] = [20, 21, 22, 23, 24, 25]
        var sampling = SamplingParameters(temperature: 1.0)
        sampling.seed = 5
        let parameters = GenerationParameters(sampling: sampling, maxTokens: 10, ignoreEOS: true)
        var expected: [[Int32]] = []
        for index in 0..<3 {
            var seeded = parameters
            seeded.sampling.seed = 5 + UInt64(index)
            expected.append(try Generator(bundle: bundle).generate(prompt: prompt, parameters: seeded).outputIDs)
        }
        // Three samples of one prompt start together; each grows to 4 blocks of 4 (sharing only
        // the first), and the pool has 8, so they cannot all run to the end together.
        let engine = try ServingEngine(bundle: bundle, configuration: .init(
            scheduler: SchedulerConfig(maxBatchedTokens: 64, maxRunning: 3, preemption: mode),
            kvBlocks: 8, blockSize: 4, swapBytes: 1 << 20))
        defer { engine.shutdown() }
        var outputs: [[Int32]] = []
        for stream in engine.submit(EngineRequest(prompt: prompt, parameters: parameters), samples: 3) {
            outputs.append(try await ServingEngineTests.collect(stream).tokens)
        }
        #expect(outputs == expected)
        try await ServingEngineSamplingTests.waitUntilIdle(engine, blocks: 8)
        let metrics = engine.metrics
        #expect(metrics.preemptions > 0)
        switch mode {
        case .recompute: #expect(metrics.swapOuts == 0)
        // On a CPU copying a token's keys and values is far cheaper than computing it.
        case .swap, .cheapest: #expect(metrics.swapOuts == metrics.preemptions)
        }
        #expect(metrics.swapSecondsPerToken > 0 && metrics.recomputeSecondsPerToken > 0)
    }
}
