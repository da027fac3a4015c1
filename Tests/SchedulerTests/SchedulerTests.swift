import Testing
import KVCache
import Scheduler

struct SchedulerTests {
    @Test func rejectsRequestsThatCanNeverRun() throws {
        var scheduler = try makeScheduler(blocks: 2, blockSize: 4)
        #expect(throws: SchedulerError.emptyPrompt(1)) { try scheduler.addRequest(id: 1, prompt: [], maxTokens: 4) }
        #expect(throws: SchedulerError.invalidMaxTokens(1, 0)) { try scheduler.addRequest(id: 1, prompt: [1], maxTokens: 0) }
        // 6 prompt tokens + 3 more positions for outputs (the last output needs no slot) = 9 > 8 slots.
        #expect(throws: SchedulerError.requestTooLong(1, blocksNeeded: 3, poolBlocks: 2)) {
            try scheduler.addRequest(id: 1, prompt: prompt(1, count: 6), maxTokens: 4)
        }
        try scheduler.addRequest(id: 1, prompt: prompt(1, count: 6), maxTokens: 3)
        #expect(throws: SchedulerError.duplicateRequestID(1)) { try scheduler.addRequest(id: 1, prompt: [1], maxTokens: 1) }
        #expect(throws: SchedulerError.invalidTokenBudget(0)) {
            try Scheduler(config: SchedulerConfig(maxBatchedTokens: 0), blockManager: BlockManager(blockCount: 1))
        }
    }

    @Test func everyRequestFinishesWithinBudgetEveryStep() throws {
        var scheduler = try makeScheduler(budget: 8, maxRunning: 3)
        for id in 1...6 { try scheduler.addRequest(id: id, prompt: prompt(Int32(10 * id), count: 3 * id), maxTokens: id + 1) }
        var runner = FakeRunner(blockSize: 4)
        let (steps, finished) = runToCompletion(&scheduler, runner: &runner)
        #expect(steps.allSatisfy { $0.tokenCount <= 8 })
        for id in 1...6 {
            let request = try #require(finished[id])
            #expect(request.outputTokens.count == id + 1)
            #expect(request.status == .finished(.length))
            let expected = (0...id).map { FakeRunner.sampledToken(request: id, position: 3 * id + $0) }
            #expect(Array(request.outputTokens) == expected)
        }
        #expect(scheduler.blockManager.freeBlockCount == 64)
    }

    @Test func longPromptIsChunkedToTheBudget() throws {
        var scheduler = try makeScheduler(blocks: 8, blockSize: 16, budget: 16)
        try scheduler.addRequest(id: 1, prompt: prompt(1, count: 40), maxTokens: 2)
        var runner = FakeRunner(blockSize: 16)
        let (steps, finished) = runToCompletion(&scheduler, runner: &runner)
        let plan = steps.map { $0.chunks.map { [$0.positions.lowerBound, $0.positions.upperBound, $0.needsLogits ? 1 : 0] } }
        #expect(plan == [[[0, 16, 0]], [[16, 32, 0]], [[32, 40, 1]], [[40, 41, 1]]])
        // The whole prompt is reserved at admission: 40 positions in blocks 0-2.
        #expect(steps.first?.chunks.first?.blockTable == [0, 1, 2])
        #expect(finished[1]?.outputTokens.count == 2)
    }

    @Test func decodesKeepRunningWhileALongPromptIsPrefilled() throws {
        var scheduler = try makeScheduler(budget: 8)
        try scheduler.addRequest(id: 1, prompt: prompt(1, count: 3), maxTokens: 10)
        var runner = FakeRunner(blockSize: 4)
        var output = scheduler.schedule()
        _ = scheduler.update(with: runner.run(output, on: scheduler))

        try scheduler.addRequest(id: 2, prompt: prompt(100, count: 50), maxTokens: 1)
        for step in 0..<5 {
            output = scheduler.schedule()
            let decode = output.chunks.first { $0.requestID == 1 }
            let prefill = output.chunks.first { $0.requestID == 2 }
            #expect(decode?.positions == (3 + step)..<(4 + step))
            #expect(prefill?.positions == (7 * step)..<(7 * step + 7))
            #expect(output.tokenCount == 8)
            _ = scheduler.update(with: runner.run(output, on: scheduler))
        }
        #expect(scheduler.request(1)?.outputTokens.count == 6)
    }

    @Test func runningRequestsNeverExceedMaxRunning() throws {
        var scheduler = try makeScheduler(maxRunning: 2)
        try scheduler.addRequest(id: 1, prompt: [1, 2], maxTokens: 1)
        try scheduler.addRequest(id: 2, prompt: [3, 4], maxTokens: 3)
        try scheduler.addRequest(id: 3, prompt: [5, 6], maxTokens: 1)
        var runner = FakeRunner(blockSize: 4)
        let (steps, finished) = runToCompletion(&scheduler, runner: &runner)
        let ids = steps.map { $0.chunks.map(\.requestID) }
        // Request 1 finishes in step 1, making room for request 3 in step 2.
        #expect(ids == [[1, 2], [2, 3], [2]])
        #expect(finished.count == 3)
    }

    @Test func preemptedRequestIsRecomputedAndFinishesWithTheSameOutput() throws {
        // 4 blocks of 4 slots; each request needs 3 blocks (4 prompt + 7 output positions).
        var scheduler = try makeScheduler(blocks: 4, blockSize: 4, budget: 64)
        try scheduler.addRequest(id: 1, prompt: [1, 2, 3, 4], maxTokens: 8)
        try scheduler.addRequest(id: 2, prompt: [5, 6, 7, 8], maxTokens: 8)
        var runner = FakeRunner(blockSize: 4)
        let (steps, finished) = runToCompletion(&scheduler, runner: &runner)

        // Steps 1-5 run both; in step 6 both need a third block for position 8 and the later
        // arrival (2) gives its blocks to request 1.
        #expect(steps.map(\.preempted) == [[], [], [], [], [], [2], [], [], [], [], []])
        #expect(steps[4].chunks.map(\.blockTable) == [[0, 2], [1, 3]])
        // Request 2's freed blocks 3 then 1 went to the back of the free queue (both were
        // cached); request 1 took block 3, evicting its contents.
        #expect(steps[5].chunks.map(\.requestID) == [1])
        #expect(steps[5].chunks.first?.blockTable == [0, 2, 3])
        // Step 8 finishes request 1. In step 9 request 2 comes back: its first block (1) is
        // still cached, so only positions 4-8 are recomputed.
        #expect(steps[7].chunks.map(\.requestID) == [1])
        let recompute = try #require(steps[8].chunks.first)
        #expect(recompute.requestID == 2)
        #expect(recompute.positions == 4..<9)
        #expect(recompute.blockTable == [1, 3, 2])
        #expect(recompute.needsLogits)

        let expected = (4..<12).map { FakeRunner.sampledToken(request: 2, position: $0) }
        #expect(finished[2].map { Array($0.outputTokens) } == expected)
        #expect(finished[2]?.preemptionCount == 1)
        #expect(finished[1]?.outputTokens.count == 8)
        #expect(scheduler.blockManager.freeBlockCount == 4)
    }

    @Test func stopFlagFinishesEarly() throws {
        var scheduler = try makeScheduler()
        try scheduler.addRequest(id: 1, prompt: [1, 2, 3], maxTokens: 10)
        var runner = FakeRunner(blockSize: 4)
        runner.stopAtPosition[1] = 5
        let (_, finished) = runToCompletion(&scheduler, runner: &runner)
        #expect(finished[1]?.status == .finished(.stop))
        #expect(finished[1].map { Array($0.outputTokens) } == [1003, 1004, 1005])
    }

    @Test func singleRequestUserIsAdmittedAmongTheFirstTwo() throws {
        var scheduler = try makeScheduler(policy: .userFairness)
        for id in 1...5 { try scheduler.addRequest(id: id, prompt: [Int32(id)], maxTokens: 1, userID: "heavy") }
        try scheduler.addRequest(id: 6, prompt: [6], maxTokens: 1, userID: "light")
        let order = scheduler.schedule().chunks.map(\.requestID)
        #expect(order == [1, 6, 2, 3, 4, 5])

        var fcfs = try makeScheduler()
        for id in 1...5 { try fcfs.addRequest(id: id, prompt: [Int32(id)], maxTokens: 1, userID: "heavy") }
        try fcfs.addRequest(id: 6, prompt: [6], maxTokens: 1, userID: "light")
        #expect(fcfs.schedule().chunks.map(\.requestID) == [1, 2, 3, 4, 5, 6])
    }

    @Test func fairnessRotatesAcrossUsersOverSteps() throws {
        var scheduler = try makeScheduler(maxRunning: 1, policy: .userFairness)
        let users = ["a", "a", "a", "b", "b", "c"]
        for (index, user) in users.enumerated() {
            try scheduler.addRequest(id: index + 1, prompt: [Int32(index)], maxTokens: 1, userID: user)
        }
        var runner = FakeRunner(blockSize: 4)
        let (steps, _) = runToCompletion(&scheduler, runner: &runner)
        #expect(steps.flatMap { $0.chunks.map(\.requestID) } == [1, 4, 6, 2, 5, 3])
    }

    @Test func priorityPolicyAdmitsSmallestPriorityFirst() throws {
        var scheduler = try makeScheduler(maxRunning: 1, policy: .priority)
        try scheduler.addRequest(id: 1, prompt: [1], maxTokens: 1, priority: 2)
        try scheduler.addRequest(id: 2, prompt: [2], maxTokens: 1, priority: 0)
        try scheduler.addRequest(id: 3, prompt: [3], maxTokens: 1, priority: 1)
        try scheduler.addRequest(id: 4, prompt: [4], maxTokens: 1, priority: 0)
        var runner = FakeRunner(blockSize: 4)
        let (steps, _) = runToCompletion(&scheduler, runner: &runner)
        #expect(steps.flatMap { $0.chunks.map(\.requestID) } == [2, 4, 3, 1])
    }

    @Test func lowestPriorityIsPreemptedEvenIfItArrivedFirst() throws {
        var scheduler = try makeScheduler(blocks: 4, blockSize: 4, policy: .priority)
        try scheduler.addRequest(id: 1, prompt: [1, 2, 3, 4], maxTokens: 8, priority: 5)
        try scheduler.addRequest(id: 2, prompt: [5, 6, 7, 8], maxTokens: 8, priority: 0)
        var runner = FakeRunner(blockSize: 4)
        let (steps, finished) = runToCompletion(&scheduler, runner: &runner)
        #expect(steps[0].chunks.map(\.requestID) == [2, 1])
        #expect(steps.flatMap(\.preempted) == [1])
        #expect(finished[1]?.outputTokens.count == 8 && finished[2]?.outputTokens.count == 8)
    }

    @Test func sharedPrefixIsNotRecomputed() throws {
        var scheduler = try makeScheduler(blockSize: 4)
        try scheduler.addRequest(id: 1, prompt: prompt(1, count: 10), maxTokens: 1)
        var runner = FakeRunner(blockSize: 4)
        runToCompletion(&scheduler, runner: &runner)

        try scheduler.addRequest(id: 2, prompt: prompt(1, count: 8) + [50, 51, 52], maxTokens: 1)
        let output = scheduler.schedule()
        let chunk = try #require(output.chunks.first)
        // Blocks 0 and 1 (tokens 1-8) come from request 1; only 3 prompt tokens are computed.
        // Request 1's partial block 2 was not cached, so it was freed to the front and is reused.
        #expect(chunk.positions == 8..<11)
        #expect(chunk.blockTable == [0, 1, 2])
        #expect(output.tokenCount == 3)
        _ = scheduler.update(with: runner.run(output, on: scheduler))
    }

    @Test func abortFreesBlocks() throws {
        var scheduler = try makeScheduler(blocks: 8)
        try scheduler.addRequest(id: 1, prompt: prompt(1, count: 9), maxTokens: 4)
        _ = scheduler.schedule()
        #expect(scheduler.blockManager.freeBlockCount == 5)
        #expect(scheduler.abort(1)?.status == .finished(.aborted))
        #expect(scheduler.blockManager.freeBlockCount == 8)
        #expect(scheduler.update(with: StepResult(samples: [.init(requestID: 1, token: 7)])).isEmpty)
        #expect(!scheduler.hasUnfinishedRequests)
    }
}
