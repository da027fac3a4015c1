import Engine
import Foundation
import Model
import Sampling
import Scheduler
import TernTestSupport
import Testing

/// Parallel samples (`n`), log-probabilities and the published metrics of the serving engine.
struct ServingEngineSamplingTests {
    typealias Outcome = ServingEngineTests.Outcome

    static func collectWithLogprobs(_ stream: AsyncThrowingStream<EngineEvent, any Error>) async throws -> (Outcome, [TokenLogprob]) {
        var outcome = Outcome()
        var logprobs: [TokenLogprob] = []
        for try await event in stream {
            switch event {
            case .token(let id, let text, let logprob):
                outcome.tokens.append(id)
                outcome.text += text
                if let logprob { logprobs.append(logprob) }
            case .text(let text): outcome.text += text
            case .finished(let reason, let usage):
                outcome.finish = reason
                outcome.usage = usage
            }
        }
        return (outcome, logprobs)
    }

    /// `n` seeded samples equal `n` single-sequence generations with seeds seed, seed+1, ...,
    /// while the prompt is looked up (admitted) once: the samples fork off its KV blocks.
    @Test func parallelSamplesMatchIndependentSeededRuns() async throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let bundle = try ModelBundle(path: model.path, threads: 1)
        let prompt = Array(200..<214).map { Int32($0) }   // 14 tokens: the last block is partial
        var sampling = SamplingParameters(temperature: 1.0)
        sampling.seed = 42
        let parameters = GenerationParameters(sampling: sampling, maxTokens: 7, ignoreEOS: true)
        var expected: [[Int32]] = []
        for index in 0..<3 {
            var seeded = parameters
            seeded.sampling.seed = 42 + UInt64(index)
            expected.append(try Generator(bundle: bundle).generate(prompt: prompt, parameters: seeded).outputIDs)
        }
        #expect(Set(expected).count > 1, "seeds should give different samples on this model")

        let engine = try ServingEngineTests.engine(bundle)
        defer { engine.shutdown() }
        let streams = engine.submit(EngineRequest(prompt: prompt, parameters: parameters), samples: 3)
        #expect(streams.count == 3)
        var outcomes: [Outcome] = []
        for stream in streams { outcomes.append(try await ServingEngineTests.collect(stream)) }
        #expect(outcomes.map(\.tokens) == expected)
        #expect(outcomes.allSatisfy { $0.usage?.promptTokens == prompt.count && $0.usage?.completionTokens == 7 && $0.finish == .length })
        // One admission looked the prompt up; the two forks never did.
        #expect(engine.metrics.prefixCacheQueries == prompt.count)
        try await Self.waitUntilIdle(engine, blocks: 64)
    }

    /// Cancelling the parent before its prompt is done turns the waiting samples into ordinary
    /// requests, which still complete.
    @Test func samplesOutliveACancelledParent() async throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let bundle = try ModelBundle(path: model.path, threads: 1)
        // A one-token budget: while the blocker below runs, no other request gets a token.
        let engine = try ServingEngineTests.engine(bundle, budget: 1)
        defer { engine.shutdown() }
        let prompt = Array(240..<280).map { Int32($0) }   // forty one-token steps of prefill
        let parameters = GenerationParameters(sampling: .greedy, maxTokens: 3, ignoreEOS: true)
        let expected = try Generator(bundle: bundle).generate(prompt: prompt, parameters: parameters).outputIDs
        // Two blockers take the whole budget for 2 × (60 prefill + 59 decode) steps, so the
        // parent's cancellation (sent from this task right after the submission) reaches the
        // engine long before the parent could be admitted, even when this task loses the CPU for
        // a while.
        let blockerParameters = GenerationParameters(sampling: .greedy, maxTokens: 60, ignoreEOS: true)
        let blockers = [100, 160].map { first in
            engine.submit(EngineRequest(prompt: Array(first..<(first + 60)).map { Int32($0) }, parameters: blockerParameters))
        }
        var streams = engine.submit(EngineRequest(prompt: prompt, parameters: parameters), samples: 3)
        // Dropping the parent's stream cancels it before it is admitted.
        _ = streams.removeFirst()
        for stream in streams {
            let outcome = try await ServingEngineTests.collect(stream)
            #expect(outcome.tokens == expected)
        }
        for blocker in blockers { _ = try await ServingEngineTests.collect(blocker) }
        // The blockers and both orphaned samples were admitted (the second hitting the first's
        // cached blocks); the parent never was.
        #expect(engine.metrics.prefixCacheQueries == 60 + 60 + 40 + 40)
        try await Self.waitUntilIdle(engine, blocks: 64)
    }

    /// Token log-probabilities are the log-softmax of the raw logits: checked against a
    /// separate forward pass of the prompt, normalised in Double.
    @Test func logprobsAreTheLogSoftmaxOfTheRawLogits() async throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let bundle = try ModelBundle(path: model.path, threads: 1)
        let prompt: [Int32] = [5, 17, 29, 31, 47]
        // Reference: logits of the prompt's last position from an independent model instance.
        let reference = try ModelBundle(path: model.path, threads: 1).model
        let kv = reference.makeKVStorage(blockCount: 4, blockSize: 4)
        let logits = Array(reference.forward(ForwardBatch(
            tokens: prompt, segments: [.init(tokenRange: 0..<prompt.count, startPosition: 0, blockTable: [0, 1])],
            logitIndices: [prompt.count - 1]), kv: kv))
        let maxLogit = Double(logits.max()!)
        let logSumExp = maxLogit + log(logits.reduce(0.0) { $0 + exp(Double($1) - maxLogit) })
        let expectedTop = logits.indices.sorted { logits[$0] > logits[$1] }.prefix(4)

        let engine = try ServingEngineTests.engine(bundle)
        defer { engine.shutdown() }
        var sampling = SamplingParameters(temperature: 0.8)
        sampling.seed = 7
        sampling.repetitionPenalty = 1.3   // logprobs ignore penalties and temperature
        let (outcome, logprobs) = try await Self.collectWithLogprobs(engine.submit(EngineRequest(
            prompt: prompt, parameters: GenerationParameters(sampling: sampling, maxTokens: 4, ignoreEOS: true, logprobs: 4))))
        #expect(logprobs.count == outcome.tokens.count)
        let first = try #require(logprobs.first)
        let firstToken = Int(outcome.tokens[0])
        #expect(abs(Double(first.logprob) - (Double(logits[firstToken]) - logSumExp)) < 1e-4)
        #expect(first.top.map { Int($0.id) } == Array(expectedTop))
        for (alternative, id) in zip(first.top, expectedTop) {
            #expect(abs(Double(alternative.logprob) - (Double(logits[id]) - logSumExp)) < 1e-4)
        }
        for logprob in logprobs {
            #expect(logprob.top.count == 4)
            #expect(zip(logprob.top, logprob.top.dropFirst()).allSatisfy { $0.logprob >= $1.logprob })
            #expect(logprob.logprob <= 0 && logprob.logprob >= logprob.top.last!.logprob - 50)
        }
        // Without the parameter, no log-probabilities are computed.
        let (_, none) = try await Self.collectWithLogprobs(engine.submit(EngineRequest(
            prompt: prompt, parameters: GenerationParameters(sampling: .greedy, maxTokens: 2))))
        #expect(none.isEmpty)
    }

    /// The metrics snapshot counts prefix-cache lookups and hits, and reports queue time.
    @Test func metricsCountPrefixCacheHitsAndQueueTime() async throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let bundle = try ModelBundle(path: model.path, threads: 1)
        let engine = try ServingEngineTests.engine(bundle)
        defer { engine.shutdown() }
        let prompt = Array(100..<113).map { Int32($0) }   // 13 tokens: 3 full blocks of 4
        let parameters = GenerationParameters(sampling: .greedy, maxTokens: 2, ignoreEOS: true)
        let first = try await ServingEngineTests.collect(engine.submit(EngineRequest(prompt: prompt, parameters: parameters)))
        let second = try await ServingEngineTests.collect(engine.submit(EngineRequest(prompt: prompt, parameters: parameters)))
        try await Self.waitUntilIdle(engine, blocks: 64)
        let metrics = engine.metrics
        #expect(metrics.prefixCacheQueries == 26)
        #expect(metrics.prefixCacheHits == 12)
        #expect(metrics.running == 0 && metrics.waiting == 0)
        #expect(metrics.preemptions == 0)
        for usage in [first.usage, second.usage] {
            let seconds = try #require(usage?.queueSeconds)
            #expect(seconds >= 0 && seconds < 30)
        }
    }

    /// Waits for the engine thread to publish its state after the last step.
    static func waitUntilIdle(_ engine: ServingEngine, blocks: Int) async throws {
        for _ in 0..<200 where engine.freeBlockCount != blocks || engine.metrics.running != 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(engine.freeBlockCount == blocks)
        #expect(engine.metrics.running == 0)
    }
}
