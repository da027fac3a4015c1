import Testing
@testable import ServeBench

/// The sweep's answer: the highest load reached before attainment first drops below target.
struct SweepSelectionTests {
    @Test func highestLoadBeforeTheFirstMiss() {
        let points: [(load: Double, attainment: Double)] = [(8, 0.5), (1, 0.99), (16, 0.95), (2, 0.95), (4, 0.9)]
        // Loads 1, 2, 4 pass (4 exactly at the target); 8 misses, so 16's pass does not count.
        #expect(SweepSelection.highestPassing(points, target: 0.9) == 4)
        #expect(SweepSelection.highestPassing(points, target: 0.96) == 1)
        #expect(SweepSelection.highestPassing(points, target: 0.999) == nil)
        #expect(SweepSelection.highestPassing([], target: 0.9) == nil)
    }

    static func run(rate: Double, attainment good: Int, of total: Int) -> ServeResult {
        let configuration = BenchmarkConfiguration(
            url: "http://x", model: nil, endpoint: .completions, dataset: "synthetic", numPrompts: total, requestRate: .perSecond(rate),
            burstiness: 1, maxConcurrency: nil, inputLen: 1, outputLen: 1, rangeRatio: 0, sharedPrefixLen: 0, promptLengthsChecked: true,
            ignoreEOS: true, slo: .init(ttftMs: 100), seed: 0, requestTimeout: 1, clientVersion: "test")
        // Requests 1 s apart; the first `good` have a 50 ms TTFT, the rest 500 ms.
        let records = (0..<total).map { index in
            RequestRecord(start: Double(index), end: Double(index) + 1, ttft: index < good ? 0.05 : 0.5, itls: [], inputTokens: 1,
                          outputTokens: 1, error: nil)
        }
        return ServeResult(configuration: configuration, records: records)
    }

    @Test func sweepResultPicksItsBestRunAndGoodput() throws {
        let sweep = SweepResult(dimension: .requestRate, targetAttainment: 0.9,
                                runs: [Self.run(rate: 1, attainment: 10, of: 10), Self.run(rate: 2, attainment: 9, of: 10),
                                       Self.run(rate: 4, attainment: 5, of: 10)])
        #expect(sweep.best == 1)
        // 9 good requests over a 10 s run.
        #expect(try #require(sweep.maxGoodput) == 0.9)
    }
}
