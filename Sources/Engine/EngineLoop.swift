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
        var output: [Int32] = []
        /// Prompt tokens served from the prefix cache when the request was (last) admitted.
        var cachedTokens = 0
    }

    private let model: LanguageModel
    private let tokenizer: Tokenizer
    private let kv: KVStorage
    private var scheduler: Scheduler
    private var active: [Request.ID: Active] = [:]
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
        kv = model.makeKVStorage(blockCount: configuration.kvBlocks, blockSize: configuration.blockSize)
        do {
            let blocks = try BlockManager(blockCount: configuration.kvBlocks, blockSize: configuration.blockSize)
            scheduler = try Scheduler(config: configuration.scheduler, blockManager: blocks)
        } catch {
            throw .invalidRequest("\(error)")
        }
        logitsScratch = [Float](repeating: 0, count: model.configuration.vocabularySize)
        stats.freeBlocks.store(scheduler.blockManager.freeBlockCount, ordering: .relaxed)
    }

    /// Runs until a shutdown command arrives.
    func run(inbox: EngineInbox) {
        while true {
            let commands = inbox.drain()
            if commands.contains(where: { if case .shutdown = $0 { true } else { false } }) {
                let error = EngineError.invalidRequest("the engine shut down")
                for state in active.values { state.continuation.finish(throwing: error) }
                for case .submit(_, _, let continuation) in commands { continuation.finish(throwing: error) }
                active.removeAll()
                return
            }
            for command in commands {
                switch command {
                case .submit(let id, let request, let continuation): admit(id, request, continuation)
                case .abort(let id): abort(engineID: id)
                case .shutdown: break
                }
            }
            stats.freeBlocks.store(scheduler.blockManager.freeBlockCount, ordering: .relaxed)
            let output = scheduler.schedule()
            if output.isEmpty {
                inbox.waitForCommand()
                continue
            }
            step(output)
        }
    }

    private func admit(_ engineID: Int, _ request: EngineRequest, _ continuation: AsyncThrowingStream<EngineEvent, any Error>.Continuation) {
        let vocabulary = model.configuration.vocabularySize
        let capacity = min(model.configuration.contextLength, kv.blockCount * kv.blockSize)
        if request.prompt.isEmpty {
            continuation.finish(throwing: EngineError.invalidRequest("the prompt is empty"))
            return
        }
        if let bad = request.prompt.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
            continuation.finish(throwing: EngineError.invalidRequest("token id \(bad) is outside the vocabulary (size \(vocabulary))"))
            return
        }
        guard request.prompt.count < capacity else {
            continuation.finish(throwing: EngineError.invalidRequest("the prompt has \(request.prompt.count) tokens but the context holds \(capacity)"))
            return
        }
        let maxTokens = min(request.parameters.maxTokens ?? Int.max, capacity - request.prompt.count)
        do {
            try scheduler.addRequest(id: engineID, prompt: request.prompt, maxTokens: maxTokens,
                                     priority: request.priority, userID: request.userID)
        } catch {
            continuation.finish(throwing: EngineError.invalidRequest("\(error)"))
            return
        }
        active[engineID] = Active(continuation: continuation,
                            sampler: Sampler(parameters: request.parameters.sampling, vocabularySize: vocabulary),
                            detokenizer: StreamingDetokenizer(tokenizer: tokenizer),
                            stops: StopStringMatcher(stopStrings: request.parameters.stopStrings),
                            ignoreEOS: request.parameters.ignoreEOS, promptCount: request.prompt.count)
    }

    private func abort(engineID id: Int) {
        _ = scheduler.abort(id)
        active.removeValue(forKey: id)?.continuation.finish()
    }

    private func step(_ output: ScheduleOutput) {
        for copy in output.blockCopies { kv.copyBlock(from: Int(copy.source), to: Int(copy.destination)) }
        batch.removeAll()
        logitOwners.removeAll(keepingCapacity: true)
        for chunk in output.chunks {
            // A request's first prompt chunk after admission starts where its cached prefix ends.
            if let request = scheduler.request(chunk.requestID),
               chunk.startPosition < request.promptCount, chunk.startPosition == request.blocks.numCachedTokens {
                active[chunk.requestID]?.cachedTokens = chunk.startPosition
            }
            let start = batch.tokens.count
            batch.tokens.append(contentsOf: chunk.tokens)
            batch.segments.append(.init(tokenRange: start..<batch.tokens.count, startPosition: chunk.startPosition, blockTable: chunk.blockTable))
            if chunk.needsLogits {
                batch.logitIndices.append(batch.tokens.count - 1)
                logitOwners.append(chunk.requestID)
            }
        }
        let logits = model.forward(batch, kv: kv)
        let vocabulary = model.configuration.vocabularySize
        var samples: [StepResult.Sample] = []
        samples.reserveCapacity(logitOwners.count)
        var events: [(Request.ID, Int32, String, Bool)] = []
        for (row, id) in logitOwners.enumerated() {
            guard var state = active[id] else { continue }
            let token = logitsScratch.withUnsafeMutableBufferPointer { scratch in
                _ = scratch.initialize(fromContentsOf: logits[(row * vocabulary)..<((row + 1) * vocabulary)])
                return state.sampler.sample(logits: scratch, history: state.output)
            }
            state.output.append(token)
            var isStop = !state.ignoreEOS && tokenizer.isEndOfGeneration(token)
            var text = ""
            if !isStop {
                let (piece, stopped) = state.stops.append(state.detokenizer.append(token))
                text = piece
                isStop = stopped
            }
            active[id] = state
            samples.append(StepResult.Sample(requestID: id, token: token, isStop: isStop))
            events.append((id, token, text, isStop))
        }
        let finished = scheduler.update(with: StepResult(samples: samples))
        for (id, token, text, _) in events {
            active[id]?.continuation.yield(.token(id: token, text: text))
        }
        for request in finished {
            if case .finished(let reason) = request.status {
                finish(request.id, reason: reason == .stop ? .stop : .length)
            }
        }
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
                                                                cachedTokens: state.cachedTokens)))
        state.continuation.finish()
    }
}
