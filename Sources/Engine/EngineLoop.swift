import Foundation
import KVCache
import Model
import Sampling
import Scheduler
import Synchronization
import Tokenizer

/// The state of the serving engine, confined to its thread.
final class EngineLoop: @unchecked Sendable {
    /// Per-request decoding state: sampling, detokenization and stop strings live here, while the
    /// scheduler tracks tokens and blocks.
    private struct Active {
        let continuation: AsyncThrowingStream<EngineEvent, any Error>.Continuation
        var sampler: Sampler
        var detokenizer: StreamingDetokenizer
        var stops: StopStringMatcher
        let ignoreEOS: Bool
        let promptCount: Int
        /// Top alternatives per token event; nil when log-probabilities were not asked for.
        let logprobs: Int?
        /// When `submit` was called (uptime nanoseconds), and the queue time once scheduled.
        let submittedAt: UInt64
        var queueSeconds: Double?
        var output: [Int32] = []
        /// Prompt tokens served from the prefix cache when the request was (last) admitted.
        var cachedTokens = 0
    }

    /// A parallel sample waiting for its parent's prompt to be computed (see
    /// ``ServingEngine/submit(_:samples:)``).
    private struct PendingSample {
        let id: Request.ID
        var state: Active
    }

    private let model: LanguageModel
    private let tokenizer: Tokenizer
    private let kv: KVStorage
    private var scheduler: Scheduler
    private var active: [Request.ID: Active] = [:]
    /// Per parent request, the samples that fork off it when its prompt is done.
    private var pendingSamples: [Request.ID: [PendingSample]] = [:]
    /// The admission parameters of each parent with pending samples, to re-queue them as
    /// independent requests if the parent is aborted first.
    private var parentRequests: [Request.ID: EngineRequest] = [:]
    private var metrics = EngineMetrics()
    /// Keys and values of swapped-out requests, and the bytes they take of `swapBytes`.
    private var swapped: [Request.ID: SavedBlocks] = [:]
    private var swappedBytes = 0
    private let swapBytes: Int
    private let bytesPerToken: Int
    private var batch = ForwardBatch()
    private var logitOwners: [Request.ID] = []
    private var logitsScratch: [Float]
    private let stats: EngineStats

    init(bundle: ModelBundle, configuration: ServingEngine.Configuration, stats: EngineStats) throws(EngineError) {
        self.stats = stats
        model = bundle.model
        tokenizer = bundle.tokenizer
        guard configuration.scheduler.maxBatchedTokens <= model.maxBatchTokens else {
            throw .invalidRequest("max batched tokens \(configuration.scheduler.maxBatchedTokens) exceeds the model's batch capacity \(model.maxBatchTokens)")
        }
        do {
            kv = try model.makeKVStorage(blockCount: configuration.kvBlocks, blockSize: configuration.blockSize,
                                         elementType: configuration.kvType)
        } catch {
            throw .invalidRequest(error.description)
        }
        do {
            var blocks = try BlockManager(blockCount: configuration.kvBlocks, blockSize: configuration.blockSize)
            blocks.prefixCaching = configuration.prefixCaching
            scheduler = try Scheduler(config: configuration.scheduler, blockManager: blocks)
        } catch {
            throw .invalidRequest("\(error)")
        }
        logitsScratch = [Float](repeating: 0, count: model.configuration.vocabularySize)
        swapBytes = max(0, configuration.swapBytes)
        bytesPerToken = KVStorage.bytesPerSlot(layers: kv.layers, kvHeads: kv.kvHeads, headSize: kv.headSize, elementType: kv.elementType)
        // Starting guesses until steps are measured: prefill at 1 ms a token, copies at 4 GB/s
        // each way.
        scheduler.preemptionCosts = PreemptionCostModel(recomputeSecondsPerToken: 1e-3,
                                                        swapSecondsPerToken: 2 * Double(bytesPerToken) / 4e9)
        stats.freeBlocks.store(scheduler.blockManager.freeBlockCount, ordering: .relaxed)
    }

    /// Runs until a shutdown command arrives.
    func run(inbox: EngineInbox) {
        while true {
            let commands = inbox.drain()
            if commands.contains(where: { if case .shutdown = $0 { true } else { false } }) {
                let error = EngineError.invalidRequest("the engine shut down")
                for state in active.values { state.continuation.finish(throwing: error) }
                for sample in pendingSamples.values.joined() { sample.state.continuation.finish(throwing: error) }
                for command in commands {
                    switch command {
                    case .submit(_, _, let continuation, _): continuation.finish(throwing: error)
                    case .submitGroup(_, _, let continuations, _): for continuation in continuations { continuation.finish(throwing: error) }
                    case .abort, .shutdown: break
                    }
                }
                active.removeAll()
                pendingSamples.removeAll()
                return
            }
            for command in commands {
                switch command {
                case .submit(let id, let request, let continuation, let time): admit(id, request, continuation, submittedAt: time)
                case .submitGroup(let ids, let request, let continuations, let time): admitGroup(ids, request, continuations, submittedAt: time)
                case .abort(let id): abort(engineID: id)
                case .shutdown: break
                }
            }
            scheduler.preemptionCosts.swapCapacityTokens = (swapBytes - swappedBytes) / max(1, bytesPerToken)
            let output = scheduler.schedule()
            metrics.preemptions += output.preempted.count
            metrics.swapOuts += output.swapOuts.count
            publishStats()
            if output.isEmpty {
                inbox.waitForCommand()
                continue
            }
            metrics.computedTokens += output.tokenCount
            let slots = scheduler.kvSlotUsage()
            metrics.kvSlotStepsAllocated += slots.allocated
            metrics.kvSlotStepsFilled += slots.filled
            metrics.peakKVSlotsAllocated = max(metrics.peakKVSlotsAllocated, slots.allocated)
            step(output)
        }
    }

    private func publishStats() {
        stats.freeBlocks.store(scheduler.blockManager.freeBlockCount, ordering: .relaxed)
        metrics.running = scheduler.runningCount
        metrics.waiting = scheduler.waitingCount + pendingSamples.values.reduce(0) { $0 + $1.count }
        metrics.kvCacheUsage = scheduler.blockManager.usage
        metrics.recomputeSecondsPerToken = scheduler.preemptionCosts.recomputeSecondsPerToken
        metrics.swapSecondsPerToken = scheduler.preemptionCosts.swapSecondsPerToken
        let snapshot = metrics
        stats.metrics.withLock { $0 = snapshot }
    }

    private func admit(_ engineID: Int, _ request: EngineRequest, _ continuation: AsyncThrowingStream<EngineEvent, any Error>.Continuation,
                       submittedAt: UInt64) {
        guard let state = validate(request, continuation, submittedAt: submittedAt) else { return }
        enqueue(engineID, request, state)
    }

    /// The first id is the parent that computes the prompt; the others wait to fork off it.
    private func admitGroup(_ ids: [Int], _ request: EngineRequest, _ continuations: [AsyncThrowingStream<EngineEvent, any Error>.Continuation],
                            submittedAt: UInt64) {
        var samples: [PendingSample] = []
        for (index, (id, continuation)) in zip(ids, continuations).enumerated() {
            var sampleRequest = request
            if let seed = request.parameters.sampling.seed { sampleRequest.parameters.sampling.seed = seed &+ UInt64(index) }
            guard let state = validate(sampleRequest, continuation, submittedAt: submittedAt) else {
                // Every sample of a group fails the same validation.
                for other in continuations.dropFirst(index + 1) { other.finish(throwing: EngineError.invalidRequest("invalid request")) }
                for sample in samples { sample.state.continuation.finish(throwing: EngineError.invalidRequest("invalid request")) }
                return
            }
            samples.append(PendingSample(id: id, state: state))
        }
        let parent = samples.removeFirst()
        guard enqueue(parent.id, request, parent.state) else {
            for sample in samples { sample.state.continuation.finish(throwing: EngineError.invalidRequest("invalid request")) }
            return
        }
        pendingSamples[parent.id] = samples
        parentRequests[parent.id] = request
    }

    /// Checks a request against the model and makes its decoding state; on failure finishes
    /// the stream with the reason.
    private func validate(_ request: EngineRequest, _ continuation: AsyncThrowingStream<EngineEvent, any Error>.Continuation,
                          submittedAt: UInt64) -> Active? {
        let vocabulary = model.configuration.vocabularySize
        let capacity = min(model.configuration.contextLength, kv.blockCount * kv.blockSize)
        if request.prompt.isEmpty {
            continuation.finish(throwing: EngineError.invalidRequest("the prompt is empty"))
            return nil
        }
        if let bad = request.prompt.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
            continuation.finish(throwing: EngineError.invalidRequest("token id \(bad) is outside the vocabulary (size \(vocabulary))"))
            return nil
        }
        guard request.prompt.count < capacity else {
            continuation.finish(throwing: EngineError.invalidRequest("the prompt has \(request.prompt.count) tokens but the context holds \(capacity)"))
            return nil
        }
        return Active(continuation: continuation,
                      sampler: Sampler(parameters: request.parameters.sampling, vocabularySize: vocabulary),
                      detokenizer: StreamingDetokenizer(tokenizer: tokenizer),
                      stops: StopStringMatcher(stopStrings: request.parameters.stopStrings),
                      ignoreEOS: request.parameters.ignoreEOS, promptCount: request.prompt.count,
                      logprobs: request.parameters.logprobs.map { min(max($0, 0), vocabulary) },
                      submittedAt: submittedAt)
    }

    /// Hands a validated request to the scheduler. Returns false (the stream finished with the
    /// reason) if the scheduler refuses it.
    @discardableResult
    private func enqueue(_ engineID: Int, _ request: EngineRequest, _ state: Active) -> Bool {
        let maxTokens = min(request.parameters.maxTokens ?? Int.max, capacity - request.prompt.count)
        do {
            try scheduler.addRequest(id: engineID, prompt: request.prompt, maxTokens: maxTokens,
                                     priority: request.priority, userID: request.userID)
        } catch {
            state.continuation.finish(throwing: EngineError.invalidRequest("\(error)"))
            return false
        }
        active[engineID] = state
        return true
    }

    private var capacity: Int { min(model.configuration.contextLength, kv.blockCount * kv.blockSize) }

    private func abort(engineID id: Int) {
        _ = scheduler.abort(id)
        if let saved = swapped.removeValue(forKey: id) { swappedBytes -= saved.byteCount }
        active.removeValue(forKey: id)?.continuation.finish()
        for (parent, var samples) in pendingSamples {
            if let index = samples.firstIndex(where: { $0.id == id }) {
                samples.remove(at: index).state.continuation.finish()
                pendingSamples[parent] = samples
            }
        }
        // Samples of an aborted parent no longer have a prompt to fork from: they become
        // ordinary requests (the prefix cache still holds whatever of the prompt was computed).
        if let orphans = pendingSamples.removeValue(forKey: id), let request = parentRequests.removeValue(forKey: id) {
            for orphan in orphans { enqueue(orphan.id, request, orphan.state) }
        }
    }

    private func step(_ output: ScheduleOutput) {
        // Saves come first: the blocks they read may be handed to others by this very plan.
        let swapStart = DispatchTime.now().uptimeNanoseconds
        var swapTokens = 0
        for swap in output.swapOuts {
            let saved = kv.save(blocks: swap.blocks)
            swapped[swap.requestID] = saved
            swappedBytes += saved.byteCount
            swapTokens += swap.tokenCount
        }
        for copy in output.blockCopies { kv.copyBlock(from: Int(copy.source), to: Int(copy.destination)) }
        for swap in output.swapIns {
            guard let saved = swapped.removeValue(forKey: swap.requestID) else { continue }
            kv.restore(saved, into: swap.blocks, from: swap.firstRestoredBlock)
            swappedBytes -= saved.byteCount
            swapTokens += swap.tokenCount
        }
        if swapTokens > 0 {
            // Each token is copied out once and in once; count both halves as one round trip.
            let seconds = Double(DispatchTime.now().uptimeNanoseconds &- swapStart) / 1e9
            updateCost(\.swapSecondsPerToken, sample: 2 * seconds / Double(swapTokens))
        }
        batch.removeAll()
        logitOwners.removeAll(keepingCapacity: true)
        let now = DispatchTime.now().uptimeNanoseconds
        for chunk in output.chunks {
            // A request's first prompt chunk after admission starts where its cached prefix ends.
            if let request = scheduler.request(chunk.requestID),
               chunk.startPosition < request.promptCount, chunk.startPosition == request.blocks.numCachedTokens {
                active[chunk.requestID]?.cachedTokens = chunk.startPosition
                metrics.prefixCacheQueries += request.promptCount
                metrics.prefixCacheHits += chunk.startPosition
            }
            if let state = active[chunk.requestID], state.queueSeconds == nil {
                active[chunk.requestID]?.queueSeconds = Double(now &- state.submittedAt) / 1e9
            }
            let start = batch.tokens.count
            batch.tokens.append(contentsOf: chunk.tokens)
            batch.segments.append(.init(tokenRange: start..<batch.tokens.count, startPosition: chunk.startPosition, blockTable: chunk.blockTable))
            if chunk.needsLogits {
                batch.logitIndices.append(batch.tokens.count - 1)
                logitOwners.append(chunk.requestID)
            }
        }
        let forwardStart = DispatchTime.now().uptimeNanoseconds
        let logits = model.forward(batch, kv: kv)
        // Recompute cost from steps that are mostly prompt work (decode-only steps are
        // bandwidth-bound and would overstate it).
        if batch.tokens.count >= 4 * max(1, batch.segments.count) {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds &- forwardStart) / 1e9
            updateCost(\.recomputeSecondsPerToken, sample: seconds / Double(batch.tokens.count))
        }
        let vocabulary = model.configuration.vocabularySize
        var samples: [StepResult.Sample] = []
        var forks: [StepResult.Fork] = []
        samples.reserveCapacity(logitOwners.count)
        var events: [(Request.ID, EngineEvent)] = []
        for (row, id) in logitOwners.enumerated() {
            guard var state = active[id] else { continue }
            let rowLogits = logits[(row * vocabulary)..<((row + 1) * vocabulary)]
            let isFirstToken = state.output.isEmpty
            let sample = draw(&state, from: rowLogits)
            active[id] = state
            samples.append(StepResult.Sample(requestID: id, token: sample.token, isStop: sample.isStop))
            events.append((id, sample.event))
            // Parallel samples take their first token from the parent's first logits.
            if isFirstToken, let waiting = pendingSamples.removeValue(forKey: id) {
                parentRequests[id] = nil
                for var pending in waiting {
                    pending.state.queueSeconds = state.queueSeconds
                    pending.state.cachedTokens = state.cachedTokens
                    let childSample = draw(&pending.state, from: rowLogits)
                    active[pending.id] = pending.state
                    forks.append(StepResult.Fork(parent: id, child: pending.id, token: childSample.token, isStop: childSample.isStop))
                    events.append((pending.id, childSample.event))
                }
            }
        }
        let finished = scheduler.update(with: StepResult(samples: samples, forks: forks))
        for (id, event) in events {
            active[id]?.continuation.yield(event)
        }
        // Defensive: a fork the scheduler refused has no request behind it.
        for fork in forks where scheduler.request(fork.child) == nil && !finished.contains(where: { $0.id == fork.child }) {
            active.removeValue(forKey: fork.child)?.continuation.finish(throwing: EngineError.invalidRequest("the parallel sample could not start"))
        }
        for request in finished {
            if case .finished(let reason) = request.status {
                finish(request.id, reason: reason == .stop ? .stop : .length)
            }
        }
    }

    /// Exponential moving average of a measured cost.
    private func updateCost(_ field: WritableKeyPath<PreemptionCostModel, Double>, sample: Double) {
        guard sample.isFinite, sample > 0 else { return }
        scheduler.preemptionCosts[keyPath: field] = 0.8 * scheduler.preemptionCosts[keyPath: field] + 0.2 * sample
    }

    /// Samples the next token of `state` from one row of logits (copied: sampling uses its
    /// buffer as scratch) and advances its detokenizer and stop strings.
    private func draw(_ state: inout Active, from rowLogits: Slice<UnsafeBufferPointer<Float>>) -> (token: Int32, isStop: Bool, event: EngineEvent) {
        let (token, logprob) = logitsScratch.withUnsafeMutableBufferPointer { scratch -> (Int32, TokenLogprob?) in
            _ = scratch.initialize(fromContentsOf: rowLogits)
            var logprob: TokenLogprob?
            if let topCount = state.logprobs {
                // Before sampling, which scribbles over the scratch copy.
                let (logSumExp, top) = Sampler.logProbabilities(logits: UnsafeBufferPointer(scratch), topN: topCount)
                let token = state.sampler.sample(logits: scratch, history: state.output)
                logprob = TokenLogprob(logprob: rowLogits[rowLogits.startIndex + Int(token)] - logSumExp,
                                       top: top.map { .init(id: $0.id, logprob: $0.logprob) })
                return (token, logprob)
            }
            return (state.sampler.sample(logits: scratch, history: state.output), nil)
        }
        state.output.append(token)
        var isStop = !state.ignoreEOS && tokenizer.isEndOfGeneration(token)
        var text = ""
        if !isStop {
            let (piece, stopped) = state.stops.append(state.detokenizer.append(token))
            text = piece
            isStop = stopped
        }
        return (token, isStop, .token(id: token, text: text, logprob: logprob))
    }

    private func finish(_ id: Request.ID, reason: FinishReason) {
        guard var state = active.removeValue(forKey: id) else { return }
        var reason = reason
        if !state.stops.isStopped {
            let (piece, stopped) = state.stops.append(state.detokenizer.finish())
            let tail = stopped ? piece : piece + state.stops.finish()
            if stopped { reason = .stop }
            if !tail.isEmpty { state.continuation.yield(.text(tail)) }
        }
        state.continuation.yield(.finished(reason, usage: .init(promptTokens: state.promptCount,
                                                                completionTokens: state.output.count,
                                                                cachedTokens: state.cachedTokens,
                                                                queueSeconds: state.queueSeconds ?? 0)))
        state.continuation.finish()
    }
}
