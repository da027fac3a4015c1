/// Latency targets a request must all meet to count toward goodput (DistServe, OSDI 2024).
public struct ServiceLevelObjectives: Codable, Sendable, Equatable {
    /// Time to first token, milliseconds.
    public var ttftMs: Double?
    /// Time per output token, milliseconds.
    public var tpotMs: Double?
    /// End-to-end latency, milliseconds.
    public var e2eMs: Double?

    public init(ttftMs: Double? = nil, tpotMs: Double? = nil, e2eMs: Double? = nil) {
        self.ttftMs = ttftMs
        self.tpotMs = tpotMs
        self.e2eMs = e2eMs
    }

    public var isEmpty: Bool { ttftMs == nil && tpotMs == nil && e2eMs == nil }

    /// Whether `record` succeeded and met every given target. A request with one output token
    /// has no TPOT and meets the TPOT target by definition (it has no decode phase).
    public func isMet(by record: RequestRecord) -> Bool {
        guard record.succeeded, let ttft = record.ttft else { return false }
        if let ttftMs, ttft * 1000 > ttftMs { return false }
        if let tpotMs, let tpot = record.tpot, tpot * 1000 > tpotMs { return false }
        if let e2eMs, record.latency * 1000 > e2eMs { return false }
        return true
    }

    enum CodingKeys: String, CodingKey { case ttftMs = "ttft_ms", tpotMs = "tpot_ms", e2eMs = "e2e_ms" }
}
