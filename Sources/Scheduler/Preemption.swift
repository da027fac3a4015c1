/// What happens to a preempted request's keys and values.
///
/// Recomputing costs a prefill of everything the request had computed (less whatever prefix
/// is still cached when it is re-admitted); swapping costs copying its blocks out to a compact
/// side buffer and back, plus the side buffer's memory. FastSwitch observes that swapping
/// only pays when it moves large contiguous units; on a CPU the blocks already live in host
/// memory, so one contiguous copy per request is the unit.
public enum PreemptionMode: Sendable, Equatable {
    case recompute
    case swap
    /// Per victim, whichever ``PreemptionCostModel`` says is cheaper.
    case cheapest
}

/// Measured costs the engine feeds the scheduler so it can choose between recomputing and
/// swapping a victim.
public struct PreemptionCostModel: Sendable, Equatable {
    /// Seconds to compute one token of a prompt (prefill), measured on recent steps.
    public var recomputeSecondsPerToken: Double
    /// Seconds to copy one token's keys and values out and back in again.
    public var swapSecondsPerToken: Double
    /// Tokens the swap buffer can still take.
    public var swapCapacityTokens: Int

    public init(recomputeSecondsPerToken: Double = 1e-3, swapSecondsPerToken: Double = 1e-6, swapCapacityTokens: Int = 0) {
        self.recomputeSecondsPerToken = recomputeSecondsPerToken
        self.swapSecondsPerToken = swapSecondsPerToken
        self.swapCapacityTokens = swapCapacityTokens
    }

    /// Whether swapping `tokens` computed positions beats recomputing them.
    public func prefersSwap(tokens: Int) -> Bool {
        tokens <= swapCapacityTokens && Double(tokens) * swapSecondsPerToken < Double(tokens) * recomputeSecondsPerToken
    }
}

/// Blocks whose contents the runner must save before this step changes anything: the request
/// was preempted and its keys and values are kept aside instead of recomputed.
public struct SwapOut: Sendable, Equatable {
    public var requestID: Request.ID
    /// The request's physical blocks in logical order, covering `tokenCount` computed positions.
    public var blocks: [Int32]
    public var tokenCount: Int

    public init(requestID: Request.ID, blocks: [Int32], tokenCount: Int) {
        self.requestID = requestID
        self.blocks = blocks
        self.tokenCount = tokenCount
    }
}

/// Saved keys and values the runner must write back before this step's forward pass.
public struct SwapIn: Sendable, Equatable {
    public var requestID: Request.ID
    /// The request's new block table.
    public var blocks: [Int32]
    /// Logical blocks from here on are restored; earlier ones were found in the prefix cache.
    public var firstRestoredBlock: Int
    /// Computed positions restored in all (the saved `tokenCount`).
    public var tokenCount: Int

    public init(requestID: Request.ID, blocks: [Int32], firstRestoredBlock: Int, tokenCount: Int) {
        self.requestID = requestID
        self.blocks = blocks
        self.firstRestoredBlock = firstRestoredBlock
        self.tokenCount = tokenCount
    }
}
