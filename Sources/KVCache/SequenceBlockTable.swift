/// The physical blocks one sequence holds in a `BlockManager`, in logical order.
///
/// Only the `BlockManager` that filled it may change it; hand it back to the same manager's
/// `free(sequence:)` when the sequence ends or is preempted.
public struct SequenceBlockTable: Sendable, Equatable {
    /// Physical block of each logical block (positions `i * blockSize ..< (i + 1) * blockSize`).
    public internal(set) var blocks: [Int32] = []
    /// Positions that have a slot reserved; the blocks cover exactly these, rounded up.
    public internal(set) var tokenCount = 0
    /// Leading positions whose keys and values came from the prefix cache at `allocate` and
    /// need not be computed.
    public internal(set) var numCachedTokens = 0
    /// Chain hash of each leading full block that is registered in the prefix cache.
    var blockHashes: [UInt64] = []

    /// An empty table; fill it with `BlockManager.allocate(sequence:tokens:)`.
    public init() {}
}

/// A block the runner must copy before the step runs: a sequence was about to write into a
/// partially filled block that other sequences share, so it got a private copy instead.
public struct BlockCopy: Sendable, Equatable {
    public var source: Int32
    public var destination: Int32

    public init(source: Int32, destination: Int32) {
        self.source = source
        self.destination = destination
    }
}
