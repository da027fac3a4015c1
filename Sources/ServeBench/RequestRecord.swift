/// What one request measured, in seconds since the start of the run.
///
/// `start` is when the request was sent (after any wait for a concurrency slot), `end` when
/// its stream ended or it failed. Times of tokens are the times their chunks were read.
public struct RequestRecord: Codable, Sendable, Equatable {
    public var start: Double
    public var end: Double
    /// Time to the first chunk carrying text; nil when none came.
    public var ttft: Double?
    /// Gaps between consecutive chunks carrying text (one fewer than those chunks).
    public var itls: [Double]
    /// Prompt tokens: the server's usage report, else the count the workload measured.
    public var inputTokens: Int
    /// Generated tokens: the server's usage report, else the number of chunks carrying text.
    public var outputTokens: Int
    /// Why the request failed; nil when it succeeded.
    public var error: String?

    public init(start: Double, end: Double, ttft: Double?, itls: [Double], inputTokens: Int, outputTokens: Int, error: String?) {
        self.start = start
        self.end = end
        self.ttft = ttft
        self.itls = itls
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.error = error
    }

    public var succeeded: Bool { error == nil }

    /// End-to-end latency.
    public var latency: Double { end - start }

    /// Time per output token after the first: (E2E − TTFT) / (output tokens − 1); nil for
    /// failures and for a single output token, which has no decode phase to time.
    public var tpot: Double? {
        guard succeeded, let ttft, outputTokens > 1 else { return nil }
        return (latency - ttft) / Double(outputTokens - 1)
    }

    enum CodingKeys: String, CodingKey {
        case start, end, ttft, itls, error
        case inputTokens = "input_tokens", outputTokens = "output_tokens"
    }
}
