import KVCache
import Scheduler
import Testing

/// OpenAI's `n`: samples of one prompt fork off the request that computed it.
struct ParallelSampleTests {
    /// Children share the prompt's blocks, write their own tokens into private copies of the
    /// shared partial block, and each produce their own output (the fake runner checks every
    /// slot a chunk reads holds that request's token, so a missed copy-on-write fails).
    @Test func forkedSamplesShareThePromptAndCopyOnWrite() throws {
        var scheduler = try makeScheduler(blocks: 16, blockSize: 4, budget: 32, maxRunning: 4)
        try scheduler.addRequest(id: 1, prompt: prompt(50, count: 6), maxTokens: 4)
        var runner = FakeRunner(blockSize: 4)
        runner.forks[1] = [2, 3]

        let prefill = scheduler.schedule()
        #expect(prefill.chunks.map(\.requestID) == [1])
        let promptBlocks = try #require(prefill.chunks.first?.blockTable)
        #expect(promptBlocks.count == 2)
        _ = scheduler.update(with: runner.run(prefill, on: scheduler))

        // All three hold the same two blocks: the full first block and the partial second.
        for id in 1...3 { #expect(scheduler.request(id)?.blocks.blocks == promptBlocks) }
        #expect(promptBlocks.allSatisfy { scheduler.blockManager.referenceCount(of: $0) == 3 })
        #expect(scheduler.request(2)?.outputTokens.elementsEqual([FakeRunner.sampledToken(request: 2, position: 6)]) == true)

        // First decode: position 6 lands in the shared partial block, so two of the three get
        // a private copy and the last writer keeps the original.
        let decode = scheduler.schedule()
        #expect(decode.chunks.map(\.requestID) == [1, 2, 3])
        #expect(decode.chunks.allSatisfy { $0.positions == 6..<7 })
        #expect(decode.blockCopies.count == 2)
        #expect(decode.blockCopies.allSatisfy { $0.source == promptBlocks[1] })
        #expect(Set(decode.chunks.map { $0.blockTable[1] }).count == 3)
        #expect(decode.chunks.allSatisfy { $0.blockTable[0] == promptBlocks[0] })
        _ = scheduler.update(with: runner.run(decode, on: scheduler))

        let (_, finished) = runToCompletion(&scheduler, runner: &runner)
        for id in 1...3 {
            let request = try #require(finished[id])
            #expect(Array(request.outputTokens) == (6..<10).map { FakeRunner.sampledToken(request: id, position: $0) })
            #expect(request.promptTokens.elementsEqual(prompt(50, count: 6)))
        }
        #expect(scheduler.blockManager.freeBlockCount == 16)
    }

    /// A child whose first token is a stop finishes in the same step and holds nothing.
    @Test func childStoppingAtItsFirstTokenFinishesAtOnce() throws {
        var scheduler = try makeScheduler(blocks: 8, blockSize: 4)
        try scheduler.addRequest(id: 1, prompt: prompt(1, count: 5), maxTokens: 3)
        var runner = FakeRunner(blockSize: 4)
        runner.forks[1] = [2]
        runner.stopAtPosition[2] = 5
        let output = scheduler.schedule()
        let finished = scheduler.update(with: runner.run(output, on: scheduler))
        #expect(finished.map(\.id) == [2])
        #expect(finished.first?.status == .finished(.stop))
        #expect(scheduler.request(2) == nil)
        #expect(output.chunks.first.map { $0.blockTable.allSatisfy { scheduler.blockManager.referenceCount(of: $0) == 1 } } == true)
        runToCompletion(&scheduler, runner: &runner)
        #expect(scheduler.blockManager.freeBlockCount == 8)
    }

    /// Forks are only taken when the parent's prompt is complete; later ones are ignored.
    @Test func forksAfterThePromptAreIgnored() throws {
        var scheduler = try makeScheduler(blocks: 8, blockSize: 4)
        try scheduler.addRequest(id: 1, prompt: prompt(1, count: 3), maxTokens: 3)
        var runner = FakeRunner(blockSize: 4)
        _ = scheduler.update(with: runner.run(scheduler.schedule(), on: scheduler))
        let decode = scheduler.schedule()
        var result = runner.run(decode, on: scheduler)
        result.forks = [StepResult.Fork(parent: 1, child: 9, token: 7)]
        _ = scheduler.update(with: result)
        #expect(scheduler.request(9) == nil)
        #expect(scheduler.runningCount == 1)
    }
}
