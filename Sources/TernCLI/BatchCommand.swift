import ArgumentParser
import Dispatch
import Engine
import Foundation
import KVCache
import Scheduler

/// `tern batch`: offline throughput of the serving engine on many chat requests at once,
/// against one request alone on the same engine.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run many synthetic chat requests through the batching engine and report throughput, prefix-cache savings and KV memory use.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Chat requests submitted together.") var requests = 64
    @Option(name: .customLong("prompt-tokens"), help: "Approximate tokens of each request's user message.") var promptTokens = 100
    @Option(name: .customLong("max-tokens"), help: "Tokens generated per request (end-of-sequence ignored).") var maxTokens = 128
    @Option(name: .customLong("shared-prefix"), help: "Tokens of a system prompt shared by every request (0: none).") var sharedPrefix = 0
    @Flag(name: .customLong("no-prefix-caching"), help: "Compute every prompt in full, even shared prefixes.") var noPrefixCaching = false
    @Option(name: .customLong("max-running"), help: "Sequences decoded together (default: all requests).") var maxRunning: Int?
    @Option(name: .customLong("max-batched-tokens"), help: "Tokens computed per engine step.") var maxBatchedTokens = 512
    @Option(name: .customLong("block-size"), help: "Token slots per KV block.") var blockSize = 16
    @Option(name: .customLong("kv-blocks"), help: "KV blocks in the pool (default: room for every request at full length).") var kvBlocks: Int?
    @OptionGroup var kvTypeOptions: KVTypeOptions
    @Option(help: "Seed of the synthetic prompts.") var seed: UInt64 = 1
    @Flag(name: .customLong("no-baseline"), help: "Skip the single-request run.") var noBaseline = false
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func validate() throws {
        guard requests >= 1 else { throw ValidationError("--requests must be at least 1") }
        guard promptTokens >= 1, maxTokens >= 1 else { throw ValidationError("--prompt-tokens and --max-tokens must be at least 1") }
        guard sharedPrefix >= 0 else { throw ValidationError("--shared-prefix must not be negative") }
        guard maxBatchedTokens >= 1, blockSize >= 1 else { throw ValidationError("--max-batched-tokens and --block-size must be at least 1") }
        if let maxRunning, maxRunning < 1 { throw ValidationError("--max-running must be at least 1") }
        if let kvBlocks, kvBlocks < 1 { throw ValidationError("--kv-blocks must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let bundle = try modelOptions.load()
            // One extra prompt for the single-request run, so the batch finds none of it cached
            // beyond the shared system prompt.
            let workload = try BatchWorkload(bundle: bundle, requests: requests + 1, promptTokens: promptTokens,
                                             sharedPrefixTokens: sharedPrefix, seed: seed)
            let batchPrompts = Array(workload.prompts.dropFirst())
            let longest = workload.prompts.map(\.count).max() ?? 0
            let perSequence = (longest + maxTokens + blockSize - 1) / blockSize
            let blocks = kvBlocks ?? perSequence * requests
            let engine: ServingEngine
            do {
                engine = try ServingEngine(bundle: bundle, configuration: .init(
                    scheduler: SchedulerConfig(maxBatchedTokens: maxBatchedTokens, maxRunning: maxRunning ?? requests),
                    kvBlocks: blocks, blockSize: blockSize, prefixCaching: !noPrefixCaching, kvType: kvTypeOptions.kvType))
            } catch {
                throw CLIError("\(error)")
            }
            defer { engine.shutdown() }
            let parameters = GenerationParameters(sampling: .greedy, maxTokens: maxTokens, ignoreEOS: true)

            var baseline: BatchRun?
            if !noBaseline {
                baseline = try BatchRun.measure(engine: engine, prompts: [workload.prompts[0]], parameters: parameters)
            }
            let batch = try BatchRun.measure(engine: engine, prompts: batchPrompts, parameters: parameters)
            let slotBytes = KVStorage.bytesPerSlot(layers: bundle.model.configuration.layers, kvHeads: bundle.model.configuration.kvHeads,
                                                   headSize: bundle.model.configuration.headSize, elementType: kvTypeOptions.kvType)
            let report = BatchReport(requests: requests, promptTokens: batchPrompts.reduce(0) { $0 + $1.count },
                                     sharedPrefixTokens: workload.sharedPrefixTokens, prefixCaching: !noPrefixCaching,
                                     batch: batch, baseline: baseline, poolBytes: blocks * blockSize * slotBytes, slotBytes: slotBytes)
            writeOut(json ? try report.jsonLine() : report.text)
        }
    }
}

/// One timed submission of prompts to the engine, all at once.
struct BatchRun {
    var seconds: Double
    var outputTokens: Int
    var cachedTokens: Int
    /// Tokens the model computed, of prompts and of outputs.
    var computedTokens: Int
    var medianTTFT: Double
    /// Decode speed of one sequence: tokens after the first over the time after the first.
    var decodeTokensPerSecond: Double
    var metrics: EngineMetrics

    static func measure(engine: ServingEngine, prompts: [[Int32]], parameters: GenerationParameters) throws(CLIError) -> BatchRun {
        let before = engine.metrics
        let start = DispatchTime.now().uptimeNanoseconds
        let results = Results()
        let done = DispatchSemaphore(value: 0)
        let streams = prompts.map { engine.submit(EngineRequest(prompt: $0, parameters: parameters)) }
        Task {
            await withTaskGroup(of: Void.self) { group in
                for stream in streams {
                    group.addTask {
                        var first: UInt64?
                        var tokens = 0
                        var cached = 0
                        do {
                            for try await event in stream {
                                switch event {
                                case .token:
                                    tokens += 1
                                    if first == nil { first = DispatchTime.now().uptimeNanoseconds }
                                case .text: break
                                case .finished(_, let usage): cached = usage.cachedTokens
                                }
                            }
                            let end = DispatchTime.now().uptimeNanoseconds
                            results.add(tokens: tokens, cached: cached, start: start, first: first ?? end, end: end)
                        } catch {
                            results.fail("\(error)")
                        }
                    }
                }
            }
            done.signal()
        }
        done.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // Let the engine thread publish the metrics of its last step.
        Thread.sleep(forTimeInterval: 0.05)
        let after = engine.metrics
        let snapshot = results.snapshot()
        if let failure = snapshot.failure { throw CLIError("a request failed: \(failure)") }
        var metrics = after
        metrics.kvSlotStepsAllocated -= before.kvSlotStepsAllocated
        metrics.kvSlotStepsFilled -= before.kvSlotStepsFilled
        metrics.computedTokens -= before.computedTokens
        metrics.preemptions -= before.preemptions
        let ttfts = snapshot.ttfts.sorted()
        return BatchRun(seconds: seconds, outputTokens: snapshot.tokens, cachedTokens: snapshot.cached,
                        computedTokens: metrics.computedTokens, medianTTFT: ttfts.isEmpty ? 0 : ttfts[ttfts.count / 2],
                        decodeTokensPerSecond: snapshot.decodeRates.isEmpty ? 0 : snapshot.decodeRates.reduce(0, +) / Double(snapshot.decodeRates.count),
                        metrics: metrics)
    }

    /// Per-request outcomes gathered from concurrent tasks.
    final class Results: @unchecked Sendable {
        struct Snapshot {
            var tokens = 0, cached = 0
            var ttfts: [Double] = []
            var decodeRates: [Double] = []
            var failure: String?
        }
        private let lock = NSLock()
        private var state = Snapshot()

        func add(tokens: Int, cached: Int, start: UInt64, first: UInt64, end: UInt64) {
            lock.withLock {
                state.tokens += tokens
                state.cached += cached
                state.ttfts.append(Double(first - start) / 1e9)
                if tokens > 1, end > first { state.decodeRates.append(Double(tokens - 1) / (Double(end - first) / 1e9)) }
            }
        }

        func fail(_ message: String) { lock.withLock { state.failure = state.failure ?? message } }
        func snapshot() -> Snapshot { lock.withLock { state } }
    }
}
