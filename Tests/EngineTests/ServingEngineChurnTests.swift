import Engine
import Foundation
import Sampling
import Scheduler
import TernTestSupport
import Testing

/// Many short requests, a third of them cancelled at random points, must leave every KV block
/// free and the process's resident memory flat.
struct ServingEngineChurnTests {
    static let blocks = 64

    /// Runs `count` requests, `concurrency` at a time; returns how many completed.
    static func churn(_ engine: ServingEngine, count: Int, concurrency: Int, seed: UInt64) async -> Int {
        var generator = SplitMix64(seed: seed)
        var completed = 0
        var next = 0
        while next < count {
            let wave = min(concurrency, count - next)
            let plans: [(prompt: [Int32], maxTokens: Int, cancelAfter: Int?)] = (0..<wave).map { _ in
                let prompt = (0..<Int.random(in: 1...12, using: &generator)).map { _ in Int32.random(in: 0..<256, using: &generator) }
                let cancel = Int.random(in: 0..<3, using: &generator) == 0 ? Int.random(in: 0...3, using: &generator) : nil
                return (prompt, Int.random(in: 1...8, using: &generator), cancel)
            }
            next += wave
            completed += await withTaskGroup(of: Int.self) { group in
                for plan in plans {
                    let stream = engine.submit(EngineRequest(
                        prompt: plan.prompt, parameters: GenerationParameters(sampling: .greedy, maxTokens: plan.maxTokens, ignoreEOS: true)))
                    group.addTask {
                        var tokens = 0
                        do {
                            for try await event in stream {
                                if case .finished = event { return 1 }
                                tokens += 1
                                // Leaving the loop drops the stream, which aborts the request.
                                if let cancelAfter = plan.cancelAfter, tokens > cancelAfter { return 0 }
                            }
                        } catch {}
                        return 0
                    }
                }
                return await group.reduce(0, +)
            }
        }
        return completed
    }

    /// In a child process, so other tests running in parallel cannot move its memory.
    @Test func tenThousandRequestsWithCancellationsLeaveNothingBehind() async throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let path = model.path
        let result = try await #require(processExitsWith: .success, observing: [\.standardOutputContent]) { [path = path as String] in
            let bundle = try ModelBundle(path: path, threads: 1)
            let engine = try ServingEngine(bundle: bundle, configuration: .init(
                scheduler: SchedulerConfig(maxBatchedTokens: 64, maxRunning: 16), kvBlocks: Self.blocks, blockSize: 4))
            _ = await Self.churn(engine, count: 1_000, concurrency: 32, seed: 1)
            let warm = ProcessMemory.residentKiB
            let completed = await Self.churn(engine, count: 9_000, concurrency: 32, seed: 2)
            for _ in 0..<200 where engine.freeBlockCount != Self.blocks || engine.metrics.running + engine.metrics.waiting > 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            let after = ProcessMemory.residentKiB
            let metrics = engine.metrics
            print("completed \(completed) free \(engine.freeBlockCount) running \(metrics.running) waiting \(metrics.waiting) rss \(warm) -> \(after) KiB")
            // Every block back in the pool; memory within 2 MiB of the warm state (the
            // pool itself was allocated at start).
            guard engine.freeBlockCount == Self.blocks, metrics.running == 0, metrics.waiting == 0,
                  completed > 3_000, warm > 0, after - warm < 2048 else { exit(1) }
            engine.shutdown()
        }
        let output = String(decoding: result.standardOutputContent, as: UTF8.self)
        #expect(output.hasPrefix("completed"), "\(output)")
    }
}
