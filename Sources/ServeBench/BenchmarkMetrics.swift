/// The figures of one benchmark run, computed from its request records.
///
/// Throughputs divide by the run's duration (first send to last response end). Goodput counts
/// the requests that succeeded and met every SLO, per second; SLO attainment is that count
/// over all requests sent, failures included. Both are nil when no SLO was given.
public struct BenchmarkMetrics: Codable, Sendable, Equatable {
    public var completed: Int
    public var failed: Int
    public var durationSeconds: Double
    public var totalInputTokens: Int
    public var totalOutputTokens: Int
    /// Completed requests per second.
    public var requestThroughput: Double
    /// Output tokens of completed requests per second.
    public var outputThroughput: Double
    /// Input plus output tokens of completed requests per second.
    public var totalTokenThroughput: Double
    /// Most requests in flight at one time.
    public var peakConcurrency: Int
    public var ttftMs: Distribution?
    public var tpotMs: Distribution?
    public var itlMs: Distribution?
    public var e2eMs: Distribution?
    public var inputTokens: Distribution?
    public var outputTokens: Distribution?
    public var goodput: Double?
    public var sloAttainment: Double?
    /// Failure messages with how many requests failed that way, most frequent first.
    public var errors: [ErrorCount]

    public struct ErrorCount: Codable, Sendable, Equatable {
        public var message: String
        public var count: Int
    }

    public init(records: [RequestRecord], slo: ServiceLevelObjectives) {
        let successes = records.filter(\.succeeded)
        completed = successes.count
        failed = records.count - successes.count
        let first = records.map(\.start).min() ?? 0
        durationSeconds = (records.map(\.end).max() ?? first) - first
        totalInputTokens = successes.reduce(0) { $0 + $1.inputTokens }
        totalOutputTokens = successes.reduce(0) { $0 + $1.outputTokens }
        let perSecond = durationSeconds > 0 ? 1 / durationSeconds : 0
        requestThroughput = Double(completed) * perSecond
        outputThroughput = Double(totalOutputTokens) * perSecond
        totalTokenThroughput = Double(totalInputTokens + totalOutputTokens) * perSecond
        peakConcurrency = Self.peakConcurrency(records)
        ttftMs = Distribution(successes.compactMap(\.ttft), scale: 1000)
        tpotMs = Distribution(successes.compactMap(\.tpot), scale: 1000)
        itlMs = Distribution(successes.flatMap(\.itls), scale: 1000)
        e2eMs = Distribution(successes.map(\.latency), scale: 1000)
        inputTokens = Distribution(successes.map { Double($0.inputTokens) })
        outputTokens = Distribution(successes.map { Double($0.outputTokens) })
        if slo.isEmpty {
            goodput = nil
            sloAttainment = nil
        } else {
            let good = records.count(where: slo.isMet(by:))
            goodput = Double(good) * perSecond
            sloAttainment = records.isEmpty ? 0 : Double(good) / Double(records.count)
        }
        var counts: [String: Int] = [:]
        for record in records { if let error = record.error { counts[error, default: 0] += 1 } }
        errors = counts.map { ErrorCount(message: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.message < $1.message }
    }

    /// The most intervals `[start, end)` that overlap: a request ending at the instant another
    /// starts does not overlap it.
    static func peakConcurrency(_ records: [RequestRecord]) -> Int {
        // (time, +1 start / −1 end); at equal times ends sort first.
        var events: [(time: Double, change: Int)] = []
        events.reserveCapacity(records.count * 2)
        for record in records {
            events.append((record.start, 1))
            events.append((record.end, -1))
        }
        events.sort { a, b in a.time != b.time ? a.time < b.time : a.change < b.change }
        var current = 0, peak = 0
        for event in events {
            current += event.change
            peak = max(peak, current)
        }
        return peak
    }

    enum CodingKeys: String, CodingKey {
        case completed, failed, goodput, errors
        case durationSeconds = "duration_s", totalInputTokens = "total_input_tokens", totalOutputTokens = "total_output_tokens"
        case requestThroughput = "request_throughput", outputThroughput = "output_throughput"
        case totalTokenThroughput = "total_token_throughput", peakConcurrency = "peak_concurrency"
        case ttftMs = "ttft_ms", tpotMs = "tpot_ms", itlMs = "itl_ms", e2eMs = "e2e_ms"
        case inputTokens = "input_tokens", outputTokens = "output_tokens", sloAttainment = "slo_attainment"
    }
}
