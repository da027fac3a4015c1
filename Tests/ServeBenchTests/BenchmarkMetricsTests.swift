import Testing
@testable import ServeBench

/// Throughput, goodput and SLO attainment of a small hand-built run.
struct BenchmarkMetricsTests {
    static func record(_ start: Double, _ end: Double, ttft: Double?, output: Int, input: Int = 0, itls: [Double] = [],
                       error: String? = nil) -> RequestRecord {
        RequestRecord(start: start, end: end, ttft: ttft, itls: itls, inputTokens: input, outputTokens: output, error: error)
    }

    /// A: 0–2 s, TTFT 0.5 s, 4 tokens → TPOT (2 − 0.5) / 3 = 0.5 s.
    /// B: 1–1.6 s, TTFT 0.2 s, 1 token → no TPOT.
    /// C: 1.5–4 s, TTFT 1.5 s, 11 tokens → TPOT (2.5 − 1.5) / 10 = 0.1 s.
    /// D, E: failures at 2–2.5 s and 3–3.1 s with the same message.
    static let run: [RequestRecord] = [
        record(0, 2, ttft: 0.5, output: 4, input: 10, itls: [0.5, 0.5, 0.5]),
        record(1, 1.6, ttft: 0.2, output: 1, input: 20),
        record(1.5, 4, ttft: 1.5, output: 11, input: 30, itls: Array(repeating: 0.1, count: 10)),
        record(2, 2.5, ttft: nil, output: 0, error: "HTTP 500: boom"),
        record(3, 3.1, ttft: nil, output: 0, error: "HTTP 500: boom"),
    ]

    @Test func tpotEdgeCases() {
        #expect(Self.record(0, 2, ttft: 0.5, output: 4).tpot == 0.5)
        #expect(abs(Self.record(0, 1, ttft: 0.4, output: 2).tpot! - 0.6) < 1e-12)
        #expect(Self.record(0, 1, ttft: 0.4, output: 1).tpot == nil)
        #expect(Self.record(0, 1, ttft: 0.4, output: 0).tpot == nil)
        #expect(Self.record(0, 1, ttft: 0.4, output: 5, error: "x").tpot == nil)
    }

    @Test func countsAndThroughputs() {
        let metrics = BenchmarkMetrics(records: Self.run, slo: ServiceLevelObjectives())
        #expect(metrics.completed == 3 && metrics.failed == 2)
        #expect(metrics.durationSeconds == 4)
        #expect(metrics.totalInputTokens == 60 && metrics.totalOutputTokens == 16)
        #expect(metrics.requestThroughput == 0.75)
        #expect(metrics.outputThroughput == 4)
        #expect(metrics.totalTokenThroughput == 19)
        #expect(metrics.errors == [.init(message: "HTTP 500: boom", count: 2)])
        #expect(metrics.goodput == nil && metrics.sloAttainment == nil)
    }

    /// At 1.5 s A, B and C are all in flight; B ending at 1.6 and D starting at 2 as A ends
    /// never make four.
    @Test func peakConcurrency() {
        #expect(BenchmarkMetrics(records: Self.run, slo: .init()).peakConcurrency == 3)
        // Back-to-back requests (one ends as the next starts) never overlap.
        #expect(BenchmarkMetrics.peakConcurrency([Self.record(0, 1, ttft: 0.1, output: 1), Self.record(1, 2, ttft: 0.1, output: 1)]) == 1)
    }

    /// TTFT (ms) of the successes: 500, 200, 1500; TPOT: 500, 100; ITL: three of 500, ten of 100.
    @Test func latencyDistributionsInMilliseconds() throws {
        let metrics = BenchmarkMetrics(records: Self.run, slo: .init())
        let ttft = try #require(metrics.ttftMs)
        #expect(ttft.count == 3 && ttft.median == 500 && abs(ttft.mean - 2200.0 / 3) < 1e-9)
        let tpot = try #require(metrics.tpotMs)
        #expect(tpot.count == 2 && abs(tpot.mean - 300) < 1e-9 && abs(tpot.p90 - 460) < 1e-9)
        let itl = try #require(metrics.itlMs)
        #expect(itl.count == 13 && abs(itl.median - 100) < 1e-9 && abs(itl.max - 500) < 1e-9)
        #expect(try #require(metrics.e2eMs).count == 3)
        #expect(try #require(metrics.outputTokens).mean == 16.0 / 3)
    }

    /// TTFT ≤ 1 s and TPOT ≤ 200 ms: A misses TPOT, C misses TTFT, B (one token) meets both;
    /// 1 good request of 5 over 4 s.
    @Test func goodputCountsRequestsMeetingEverySLO() {
        let both = BenchmarkMetrics(records: Self.run, slo: .init(ttftMs: 1000, tpotMs: 200))
        #expect(both.goodput == 0.25)
        #expect(both.sloAttainment == 0.2)
        // TPOT ≤ 500 ms alone: A (exactly 500), B and C; failures never count.
        let tpot = BenchmarkMetrics(records: Self.run, slo: .init(tpotMs: 500))
        #expect(tpot.goodput == 0.75 && tpot.sloAttainment == 0.6)
        // E2E ≤ 1 s: only B (0.6 s).
        #expect(BenchmarkMetrics(records: Self.run, slo: .init(e2eMs: 1000)).goodput == 0.25)
    }

    @Test func emptyRun() {
        let metrics = BenchmarkMetrics(records: [], slo: .init(ttftMs: 100))
        #expect(metrics.completed == 0 && metrics.failed == 0 && metrics.durationSeconds == 0)
        #expect(metrics.requestThroughput == 0 && metrics.goodput == 0 && metrics.sloAttainment == 0)
        #expect(metrics.ttftMs == nil && metrics.tpotMs == nil && metrics.itlMs == nil && metrics.peakConcurrency == 0)
    }

    @Test func allFailedRunHasNoLatencies() {
        let metrics = BenchmarkMetrics(records: Array(Self.run.suffix(2)), slo: .init(ttftMs: 100))
        #expect(metrics.completed == 0 && metrics.failed == 2)
        #expect(metrics.ttftMs == nil && metrics.e2eMs == nil)
        #expect(metrics.sloAttainment == 0)
    }
}
