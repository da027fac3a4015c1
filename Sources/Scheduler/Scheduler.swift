import KVCache

/// Decides, step by step, which tokens of which requests the model computes, under one token
/// budget (vLLM v1 and Sarathi-Serve style). Synchronous and model-free.
///
/// Each step: running requests go first, one chunk each (a decode costs one token, a request
/// still prefilling gets as much of its prompt as the budget allows); then waiting requests
/// are admitted while budget, `maxRunning` and free blocks last, their prompts chunked to fill
/// the rest of the budget. A running request that cannot get a slot preempts the least
/// important running request not yet scheduled this step (largest `priority`, then latest
/// arrival), which may be itself: the victim's blocks are freed and it is recomputed later,
/// hitting whatever of its prefix is still cached.
///
/// Drive it with `schedule()`, run the chunks, then `update(with:)`, alternating.
public struct Scheduler: Sendable {
    public let config: SchedulerConfig
    public private(set) var blockManager: BlockManager
    private var requests: [Request.ID: Request] = [:]
    /// Admission queue; preempted requests are put back at the front.
    private var waiting: [Request.ID] = []
    /// Requests holding blocks, in scheduling order.
    private var running: [Request.ID] = []
    /// Chunks of the last `schedule()`, awaiting `update(with:)`.
    private var inFlight: [ScheduledChunk] = []
    private var nextArrivalOrder = 0
    /// Per user, the admission counter value of their latest admission (fairness policy).
    private var lastAdmission: [String: Int] = [:]
    private var admissionCounter = 0
    /// Costs that decide between swapping and recomputing under `.cheapest`; the runner keeps
    /// them current. Under `.swap` only the capacity is consulted.
    public var preemptionCosts = PreemptionCostModel()

    /// A scheduler drawing KV blocks from `blockManager`, which it owns from now on.
    public init(config: SchedulerConfig, blockManager: BlockManager) throws(SchedulerError) {
        guard config.maxBatchedTokens >= 1 else { throw .invalidTokenBudget(config.maxBatchedTokens) }
        guard config.maxRunning >= 1 else { throw .invalidMaxRunning(config.maxRunning) }
        self.config = config
        self.blockManager = blockManager
    }

    public var waitingCount: Int { waiting.count }
    public var runningCount: Int { running.count }
    public var hasUnfinishedRequests: Bool { !waiting.isEmpty || !running.isEmpty }

    /// KV slots in the blocks running requests hold, and how many of them hold a position of
    /// some sequence (a block shared by several sequences counts once). The difference is
    /// the space lost to partly filled last blocks.
    public func kvSlotUsage() -> (allocated: Int, filled: Int) {
        var filledByBlock: [Int32: Int] = [:]
        let blockSize = blockManager.blockSize
        for id in running {
            guard let table = requests[id]?.blocks else { continue }
            for (index, block) in table.blocks.enumerated() {
                let filled = min(blockSize, max(0, table.tokenCount - index * blockSize))
                filledByBlock[block] = max(filledByBlock[block] ?? 0, filled)
            }
        }
        return (filledByBlock.count * blockSize, filledByBlock.values.reduce(0, +))
    }

    /// The state of an unfinished request, or nil if unknown or finished.
    public func request(_ id: Request.ID) -> Request? { requests[id] }

    /// Queues a request. Lower `priority` values are served first under `.priority`.
    ///
    /// Throws if the prompt is empty, `maxTokens < 1`, the id is in use, or the request could
    /// never fit: it needs slots for the prompt and every output token but the last.
    public mutating func addRequest(
        id: Request.ID, prompt: [Int32], maxTokens: Int, priority: Int = 0, userID: String = ""
    ) throws(SchedulerError) {
        guard !prompt.isEmpty else { throw .emptyPrompt(id) }
        guard maxTokens >= 1 else { throw .invalidMaxTokens(id, maxTokens) }
        guard requests[id] == nil else { throw .duplicateRequestID(id) }
        let needed = blockManager.blocksNeeded(forTokens: prompt.count + maxTokens - 1)
        guard needed <= blockManager.blockCount else {
            throw .requestTooLong(id, blocksNeeded: needed, poolBlocks: blockManager.blockCount)
        }
        requests[id] = Request(
            id: id, prompt: prompt, maxTokens: maxTokens, priority: priority, userID: userID,
            arrivalOrder: nextArrivalOrder)
        nextArrivalOrder += 1
        waiting.append(id)
    }

    /// Stops a request now and frees its blocks. Returns it, or nil if unknown or finished.
    public mutating func abort(_ id: Request.ID) -> Request? {
        guard var request = requests.removeValue(forKey: id) else { return nil }
        blockManager.free(sequence: &request.blocks)
        request.status = .finished(.aborted)
        waiting.removeAll { $0 == id }
        running.removeAll { $0 == id }
        inFlight.removeAll { $0.requestID == id }
        return request
    }

    /// Plans the next step. Never exceeds `maxBatchedTokens` or `maxRunning`.
    public mutating func schedule() -> ScheduleOutput {
        var output = ScheduleOutput()
        var budget = config.maxBatchedTokens
        if config.policy == .priority { running.sort { Self.isMoreImportant(requests[$0], than: requests[$1]) } }

        var index = 0
        while index < running.count, budget > 0 {
            let id = running[index]
            guard var request = requests[id] else { running.remove(at: index); continue }
            let count = min(request.numPendingTokens, budget)
            guard count > 0 else { index += 1; continue }
            let missingSlots = request.numComputedTokens + count - request.blocks.tokenCount
            if missingSlots > 0 {
                guard let copies = reserveSlots(for: &request, count: missingSlots, candidatesFrom: index, output: &output)
                else { continue }  // `request` itself was preempted; running[index] is the next one
                output.blockCopies += copies
            }
            requests[id] = request
            output.chunks.append(chunk(of: request, count: count))
            budget -= count
            index += 1
        }

        // Admitting new work while evicting running work would thrash (vLLM does the same).
        if output.preempted.isEmpty {
            while budget > 0, running.count < config.maxRunning, let position = nextWaitingPosition() {
                let id = waiting[position]
                guard var request = requests[id] else { waiting.remove(at: position); continue }
                // Head-of-line: if the chosen request does not fit, wait for blocks to free up.
                guard blockManager.allocate(sequence: &request.blocks, tokens: request.tokens) else { break }
                waiting.remove(at: position)
                request.numComputedTokens = request.blocks.numCachedTokens
                if request.status == .swapped {
                    let firstRestored = request.blocks.numCachedTokens / blockManager.blockSize
                    if request.swappedTokenCount > request.numComputedTokens {
                        output.swapIns.append(SwapIn(requestID: id, blocks: request.blocks.blocks,
                                                     firstRestoredBlock: firstRestored, tokenCount: request.swappedTokenCount))
                        request.numComputedTokens = request.swappedTokenCount
                    }
                    // Restored positions count as computed: register their full blocks.
                    blockManager.cacheComputedBlocks(sequence: &request.blocks, tokens: request.tokens,
                                                     computedCount: request.numComputedTokens)
                    request.swappedTokenCount = 0
                }
                request.status = .running
                requests[id] = request
                running.append(id)
                lastAdmission[request.userID] = admissionCounter
                admissionCounter += 1
                let count = min(request.numPendingTokens, budget)
                output.chunks.append(chunk(of: request, count: count))
                budget -= count
            }
        }
        inFlight = output.chunks
        return output
    }

    /// Applies the results of the step planned by the last `schedule()`: marks its tokens
    /// computed, appends sampled tokens, and finishes requests that hit a stop or `maxTokens`.
    /// Returns the requests finished by this step; their blocks are freed (cached prefix
    /// blocks stay revivable).
    ///
    /// Every chunk with `needsLogits` should get a sample; one without stays un-sampled and
    /// is not scheduled again until aborted. Samples for other requests are ignored.
    public mutating func update(with result: StepResult) -> [Request] {
        var samples: [Request.ID: StepResult.Sample] = [:]
        for sample in result.samples where samples[sample.requestID] == nil { samples[sample.requestID] = sample }

        var finished: [Request] = []
        for chunk in inFlight {
            guard var request = requests[chunk.requestID], request.status == .running else { continue }
            request.numComputedTokens = chunk.positions.upperBound
            blockManager.cacheComputedBlocks(
                sequence: &request.blocks, tokens: request.tokens, computedCount: request.numComputedTokens)
            if chunk.needsLogits, let sample = samples[chunk.requestID] {
                if request.outputTokens.isEmpty {
                    for fork in result.forks where fork.parent == chunk.requestID {
                        if let child = split(request, fork) { finished.append(child) }
                    }
                }
                request.appendOutput(sample.token)
                Self.finishIfDone(&request, isStop: sample.isStop)
            }
            if request.isFinished {
                blockManager.free(sequence: &request.blocks)
                requests[chunk.requestID] = nil
                running.removeAll { $0 == chunk.requestID }
                finished.append(request)
            } else {
                requests[chunk.requestID] = request
            }
        }
        inFlight = []
        return finished
    }

    // MARK: - Steps

    private static func finishIfDone(_ request: inout Request, isStop: Bool) {
        if isStop {
            request.status = .finished(.stop)
        } else if request.outputTokens.count >= request.maxTokens {
            request.status = .finished(.length)
        }
    }

    /// Creates `fork.child` from `parent`, whose prompt was just computed: a running request
    /// sharing the parent's blocks, with `fork.token` as its first output. It runs after the
    /// parent and may take the running count past `maxRunning` (it needs no prompt work).
    /// Returns the child if that token already finished it.
    private mutating func split(_ parent: Request, _ fork: StepResult.Fork) -> Request? {
        guard requests[fork.child] == nil, fork.child != parent.id else { return nil }
        var child = Request(id: fork.child, prompt: Array(parent.promptTokens), maxTokens: parent.maxTokens,
                            priority: parent.priority, userID: parent.userID, arrivalOrder: parent.arrivalOrder)
        child.blocks = blockManager.fork(sequence: parent.blocks)
        child.numComputedTokens = parent.numComputedTokens
        child.status = .running
        child.appendOutput(fork.token)
        Self.finishIfDone(&child, isStop: fork.isStop)
        if child.isFinished {
            blockManager.free(sequence: &child.blocks)
            return child
        }
        requests[fork.child] = child
        running.append(fork.child)
        return nil
    }

    private func chunk(of request: Request, count: Int) -> ScheduledChunk {
        let positions = request.numComputedTokens..<(request.numComputedTokens + count)
        return ScheduledChunk(
            requestID: request.id, positions: positions, tokens: Array(request.tokens[positions]),
            blockTable: request.blocks.blocks, needsLogits: positions.upperBound == request.numTokens)
    }

    /// Gets `count` more slots for `request` (at `running[index]`), preempting running
    /// requests from `running[index...]` until they fit. Returns nil if `request` itself was
    /// preempted.
    private mutating func reserveSlots(
        for request: inout Request, count: Int, candidatesFrom index: Int, output: inout ScheduleOutput
    ) -> [BlockCopy]? {
        while true {
            if let copies = blockManager.appendSlots(sequence: &request.blocks, newTokenCount: count) { return copies }
            let candidates = running[index...]
            guard let victim = candidates.max(by: { Self.isMoreImportant(requests[$0], than: requests[$1]) })
            else { return nil }
            if victim == request.id {
                requests[request.id] = request
                preempt(victim, output: &output)
                return nil
            }
            preempt(victim, output: &output)
        }
    }

    /// Frees the blocks of running request `id` and queues it first, either to be recomputed
    /// or, when swapping is chosen, with its computed positions saved by the runner.
    private mutating func preempt(_ id: Request.ID, output: inout ScheduleOutput) {
        guard var request = requests[id] else { return }
        output.preempted.append(id)
        let computed = request.numComputedTokens
        let swap = switch config.preemption {
        case .recompute: false
        case .swap: computed > 0 && computed <= preemptionCosts.swapCapacityTokens
        case .cheapest: computed > 0 && preemptionCosts.prefersSwap(tokens: computed)
        }
        if swap {
            output.swapOuts.append(SwapOut(requestID: id, blocks: request.blocks.blocks, tokenCount: computed))
            preemptionCosts.swapCapacityTokens -= computed
            request.swappedTokenCount = computed
        }
        blockManager.free(sequence: &request.blocks)
        request.numComputedTokens = 0
        request.status = swap ? .swapped : .preempted
        request.preemptionCount += 1
        requests[id] = request
        running.removeAll { $0 == id }
        waiting.insert(id, at: 0)
    }

    /// Index in `waiting` of the request to admit next under the configured policy, or nil
    /// when nothing waits.
    private func nextWaitingPosition() -> Int? {
        guard !waiting.isEmpty else { return nil }
        switch config.policy {
        case .firstComeFirstServed:
            return 0
        case .priority:
            return waiting.indices.min { Self.isMoreImportant(requests[waiting[$0]], than: requests[waiting[$1]]) }
        case .userFairness:
            // A preempted request was admitted once already; it goes back in first.
            if let preempted = waiting.firstIndex(where: { requests[$0]?.status == .preempted || requests[$0]?.status == .swapped }) {
                return preempted
            }
            // Least recently admitted user first (never admitted: -1), ties to the earliest arrival.
            func key(_ position: Int) -> (turn: Int, arrival: Int) {
                guard let request = requests[waiting[position]] else { return (Int.max, Int.max) }
                return (lastAdmission[request.userID] ?? -1, request.arrivalOrder)
            }
            return waiting.indices.min { key($0) < key($1) }
        }
    }

    /// Strict order: smaller priority value, then earlier arrival. Unknown ids sort last.
    static func isMoreImportant(_ a: Request?, than b: Request?) -> Bool {
        guard let a else { return false }
        guard let b else { return true }
        return (a.priority, a.arrivalOrder) < (b.priority, b.arrivalOrder)
    }
}
