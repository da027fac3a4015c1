import KVCache

/// The work of one request in one step: a run of consecutive positions to compute.
///
/// Maps one-to-one onto a forward-batch segment: append `tokens` to the batch, use
/// `startPosition` and `blockTable`, and ask for logits of the last token when `needsLogits`.
public struct ScheduledChunk: Sendable, Equatable {
    public var requestID: Request.ID
    /// Positions computed this step; `positions.lowerBound` is the segment's start position.
    public var positions: Range<Int>
    /// Token ids at `positions`.
    public var tokens: [Int32]
    /// Physical KV block of each logical block; covers every position in `positions`.
    public var blockTable: [Int32]
    /// True when the chunk ends at the request's last known token (last prompt chunk or a
    /// decode), so the step must sample a token for it.
    public var needsLogits: Bool

    public var startPosition: Int { positions.lowerBound }
}

/// Everything one step computes.
public struct ScheduleOutput: Sendable, Equatable {
    /// Running requests first (in admission order), then newly admitted ones.
    public var chunks: [ScheduledChunk] = []
    /// KV blocks the runner must copy before the forward pass (copy-on-write).
    public var blockCopies: [BlockCopy] = []
    /// Requests that lost their blocks this step and went back to the waiting queue.
    public var preempted: [Request.ID] = []
    /// Preempted requests whose blocks must be saved first (before copies and the forward pass).
    public var swapOuts: [SwapOut] = []
    /// Re-admitted swapped requests whose saved blocks must be restored before the forward pass.
    public var swapIns: [SwapIn] = []

    public init() {}

    /// Tokens computed this step; never above the scheduler's budget.
    public var tokenCount: Int { chunks.reduce(0) { $0 + $1.positions.count } }
    public var isEmpty: Bool { chunks.isEmpty }
}
