import Testing
import KVCache
import Scheduler

/// Stands in for the model: "computes" each scheduled chunk by writing its token ids into a
/// fake KV memory (one entry per slot) and samples a token that depends only on the request
/// and the position, so a request's output is the same however it was scheduled.
///
/// Before writing, it checks what a real model would rely on: the block table covers the
/// chunk, and every earlier position of the request already holds that request's token
/// (so a prefix-cache hit or a recompute after preemption read the right keys and values).
struct FakeRunner {
    let blockSize: Int
    /// slot → token id whose key/value the slot holds.
    private(set) var memory: [Int: Int32] = [:]
    /// Request ids to stop (as if they sampled end-of-sequence) at the given position.
    var stopAtPosition: [Request.ID: Int] = [:]
    /// Parallel samples to split off each parent when its prompt is computed.
    var forks: [Request.ID: [Request.ID]] = [:]

    init(blockSize: Int) { self.blockSize = blockSize }

    static func sampledToken(request: Request.ID, position: Int) -> Int32 { Int32(1000 * request + position) }

    /// Slot contents saved per swapped-out request, by position.
    private(set) var swapped: [Request.ID: [Int32?]] = [:]

    mutating func run(_ output: ScheduleOutput, on scheduler: Scheduler) -> StepResult {
        for swap in output.swapOuts {
            swapped[swap.requestID] = (0..<swap.tokenCount).map { position in
                memory[Int(swap.blocks[position / blockSize]) * blockSize + position % blockSize]
            }
        }
        for copy in output.blockCopies {
            for offset in 0..<blockSize {
                memory[Int(copy.destination) * blockSize + offset] = memory[Int(copy.source) * blockSize + offset]
            }
        }
        for swap in output.swapIns {
            guard let saved = swapped.removeValue(forKey: swap.requestID) else {
                Issue.record("swap-in of \(swap.requestID) without a swap-out")
                continue
            }
            #expect(saved.count == swap.tokenCount)
            for position in (swap.firstRestoredBlock * blockSize)..<swap.tokenCount {
                memory[Int(swap.blocks[position / blockSize]) * blockSize + position % blockSize] = saved[position]
            }
        }
        var samples: [StepResult.Sample] = []
        var splits: [StepResult.Fork] = []
        for chunk in output.chunks {
            guard let request = scheduler.request(chunk.requestID) else {
                Issue.record("scheduled request \(chunk.requestID) is unknown")
                continue
            }
            #expect(chunk.tokens == Array(request.tokens[chunk.positions]))
            #expect(chunk.blockTable.count * blockSize >= chunk.positions.upperBound)
            for position in 0..<chunk.positions.lowerBound {
                let slot = Int(chunk.blockTable[position / blockSize]) * blockSize + position % blockSize
                #expect(memory[slot] == request.tokens[position], "request \(chunk.requestID) position \(position)")
            }
            for (position, token) in zip(chunk.positions, chunk.tokens) {
                memory[Int(chunk.blockTable[position / blockSize]) * blockSize + position % blockSize] = token
            }
            if chunk.needsLogits {
                let position = chunk.positions.upperBound
                samples.append(StepResult.Sample(
                    requestID: chunk.requestID,
                    token: Self.sampledToken(request: chunk.requestID, position: position),
                    isStop: stopAtPosition[chunk.requestID] == position))
                if request.outputTokens.isEmpty {
                    for child in forks[chunk.requestID] ?? [] {
                        splits.append(StepResult.Fork(parent: chunk.requestID, child: child,
                                                      token: Self.sampledToken(request: child, position: position),
                                                      isStop: stopAtPosition[child] == position))
                    }
                }
            }
        }
        return StepResult(samples: samples, forks: splits)
    }
}

/// Runs `scheduler` to completion (or `maxSteps`), checking the step limits, and returns
/// every step's plan and the finished requests by id.
@discardableResult
func runToCompletion(
    _ scheduler: inout Scheduler, runner: inout FakeRunner, maxSteps: Int = 1000
) -> (steps: [ScheduleOutput], finished: [Request.ID: Request]) {
    var steps: [ScheduleOutput] = []
    var finished: [Request.ID: Request] = [:]
    while scheduler.hasUnfinishedRequests, steps.count < maxSteps {
        let output = scheduler.schedule()
        #expect(output.tokenCount <= scheduler.config.maxBatchedTokens)
        #expect(output.chunks.count <= scheduler.config.maxRunning)
        #expect(scheduler.runningCount <= scheduler.config.maxRunning)
        #expect(Set(output.chunks.map(\.requestID)).count == output.chunks.count)
        let result = runner.run(output, on: scheduler)
        for request in scheduler.update(with: result) { finished[request.id] = request }
        steps.append(output)
    }
    #expect(!scheduler.hasUnfinishedRequests, "did not finish within \(maxSteps) steps")
    return (steps, finished)
}

func makeScheduler(
    blocks: Int = 64, blockSize: Int = 4, budget: Int = 64, maxRunning: Int = 16,
    policy: SchedulingPolicy = .firstComeFirstServed
) throws -> Scheduler {
    try Scheduler(
        config: SchedulerConfig(maxBatchedTokens: budget, maxRunning: maxRunning, policy: policy),
        blockManager: BlockManager(blockCount: blocks, blockSize: blockSize))
}

func prompt(_ first: Int32, count: Int) -> [Int32] { (0..<Int32(count)).map { first + $0 } }
