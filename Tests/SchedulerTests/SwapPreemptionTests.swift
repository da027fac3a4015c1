import KVCache
import Scheduler
import Testing

/// Preemption that keeps the victim's keys and values aside instead of recomputing them.
struct SwapPreemptionTests {
    static func scheduler(_ mode: PreemptionMode, costs: PreemptionCostModel) throws -> Scheduler {
        var scheduler = try Scheduler(
            config: SchedulerConfig(maxBatchedTokens: 64, maxRunning: 16, preemption: mode),
            blockManager: BlockManager(blockCount: 4, blockSize: 4))
        scheduler.preemptionCosts = costs
        try scheduler.addRequest(id: 1, prompt: [1, 2, 3, 4], maxTokens: 8)
        try scheduler.addRequest(id: 2, prompt: [5, 6, 7, 8], maxTokens: 8)
        return scheduler
    }

    /// The same squeeze as the recompute test: request 2 loses its blocks in step 6. Swapped,
    /// it comes back in step 9 computing only its one pending token; the fake runner checks
    /// that every earlier position holds the right token, so a wrong restore fails.
    @Test func swappedRequestResumesWithoutRecomputing() throws {
        var scheduler = try Self.scheduler(.swap, costs: PreemptionCostModel(swapCapacityTokens: 100))
        var runner = FakeRunner(blockSize: 4)
        let (steps, finished) = runToCompletion(&scheduler, runner: &runner)

        #expect(steps.map(\.preempted) == [[], [], [], [], [], [2], [], [], [], [], []])
        #expect(steps[5].swapOuts == [SwapOut(requestID: 2, blocks: [1, 3], tokenCount: 8)])
        let resume = try #require(steps[8].chunks.first)
        #expect(resume.requestID == 2)
        #expect(resume.positions == 8..<9)
        // Block 1 (positions 0-3) was still in the prefix cache; only logical block 1 is restored.
        #expect(steps[8].swapIns == [SwapIn(requestID: 2, blocks: resume.blockTable, firstRestoredBlock: 1, tokenCount: 8)])
        #expect(resume.blockTable.first == 1)

        let expected = (4..<12).map { FakeRunner.sampledToken(request: 2, position: $0) }
        #expect(finished[2].map { Array($0.outputTokens) } == expected)
        #expect(finished[2]?.preemptionCount == 1)
        #expect(scheduler.blockManager.freeBlockCount == 4)
        #expect(runner.swapped.isEmpty)
    }

    /// `.cheapest` follows the cost model; `.swap` without room falls back to recomputing.
    @Test func costModelAndCapacityDecideTheMode() throws {
        let cases: [(PreemptionMode, PreemptionCostModel, swaps: Bool)] = [
            (.cheapest, PreemptionCostModel(recomputeSecondsPerToken: 1e-3, swapSecondsPerToken: 1e-6, swapCapacityTokens: 100), true),
            (.cheapest, PreemptionCostModel(recomputeSecondsPerToken: 1e-6, swapSecondsPerToken: 1e-3, swapCapacityTokens: 100), false),
            (.cheapest, PreemptionCostModel(recomputeSecondsPerToken: 1e-3, swapSecondsPerToken: 1e-6, swapCapacityTokens: 7), false),
            (.swap, PreemptionCostModel(swapCapacityTokens: 0), false),
            (.recompute, PreemptionCostModel(swapCapacityTokens: 100), false),
        ]
        for (mode, costs, swaps) in cases {
            var scheduler = try Self.scheduler(mode, costs: costs)
            var runner = FakeRunner(blockSize: 4)
            let (steps, finished) = runToCompletion(&scheduler, runner: &runner)
            #expect(steps.flatMap(\.preempted) == [2])
            #expect(steps.contains { !$0.swapOuts.isEmpty } == swaps, "\(mode) \(costs)")
            #expect(steps.contains { !$0.swapIns.isEmpty } == swaps, "\(mode) \(costs)")
            #expect(finished[2].map { Array($0.outputTokens) } == (4..<12).map { FakeRunner.sampledToken(request: 2, position: $0) })
        }
    }

    /// Aborting a swapped request forgets it.
    @Test func abortingASwappedRequest() throws {
        var scheduler = try Self.scheduler(.swap, costs: PreemptionCostModel(swapCapacityTokens: 100))
        var runner = FakeRunner(blockSize: 4)
        for _ in 0..<6 { _ = scheduler.update(with: runner.run(scheduler.schedule(), on: scheduler)) }
        #expect(scheduler.request(2)?.status == .swapped)
        #expect(scheduler.abort(2)?.status == .finished(.aborted))
        runToCompletion(&scheduler, runner: &runner)
        #expect(scheduler.blockManager.freeBlockCount == 4)
    }
}
