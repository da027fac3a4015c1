import KVCache

/// Where a request is in its life.
public enum RequestStatus: Sendable, Equatable {
    /// Queued, never admitted.
    case waiting
    /// Holds blocks and is scheduled every step until it finishes or is preempted.
    case running
    /// Was running, lost its blocks to a more important request, and waits to be recomputed.
    case preempted
    /// Was running, lost its blocks, and waits with its keys and values saved aside.
    case swapped
    case finished(FinishReason)
}

/// Why a request stopped producing tokens.
public enum FinishReason: Sendable, Equatable {
    /// It produced `maxTokens` output tokens.
    case length
    /// The step result flagged a stop (end-of-sequence token or stop string).
    case stop
    /// The caller aborted it.
    case aborted
}

/// One generation request and its progress, as the scheduler tracks it.
///
/// There is no separate prefill or decode phase (vLLM v1): the request has `numTokens` known
/// tokens (prompt then output) of which the first `numComputedTokens` have keys and values in
/// the cache; each step computes some of the rest.
public struct Request: Sendable {
    public typealias ID = Int

    public let id: ID
    /// Prompt followed by the output tokens sampled so far.
    public private(set) var tokens: [Int32]
    public let promptCount: Int
    /// Positions whose keys and values are in the cache.
    public internal(set) var numComputedTokens = 0
    /// Output tokens after which the request finishes.
    public let maxTokens: Int
    /// Smaller values are served first and preempted last (vLLM's convention).
    public let priority: Int
    /// Whom the request belongs to, for per-user fairness.
    public let userID: String
    /// Order in which the scheduler received it; earlier is served first among equals.
    public let arrivalOrder: Int
    public internal(set) var status: RequestStatus = .waiting
    /// Times it lost its blocks and was put back in the waiting queue.
    public internal(set) var preemptionCount = 0
    /// KV blocks held while running; empty otherwise.
    public internal(set) var blocks = SequenceBlockTable()
    /// Computed positions whose keys and values were saved when it was swapped out.
    public internal(set) var swappedTokenCount = 0

    init(id: ID, prompt: [Int32], maxTokens: Int, priority: Int, userID: String, arrivalOrder: Int) {
        self.id = id
        self.tokens = prompt
        self.promptCount = prompt.count
        self.maxTokens = maxTokens
        self.priority = priority
        self.userID = userID
        self.arrivalOrder = arrivalOrder
    }

    public var promptTokens: ArraySlice<Int32> { tokens[..<promptCount] }
    public var outputTokens: ArraySlice<Int32> { tokens[promptCount...] }
    public var numTokens: Int { tokens.count }
    /// Tokens not yet computed.
    public var numPendingTokens: Int { tokens.count - numComputedTokens }
    public var isFinished: Bool { if case .finished = status { true } else { false } }

    mutating func appendOutput(_ token: Int32) { tokens.append(token) }
}
