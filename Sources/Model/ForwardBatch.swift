/// The tokens one forward pass computes, possibly from several sequences at once.
///
/// Each segment is a run of consecutive positions of one sequence (a prompt chunk or a single
/// decode token). Its keys and values are written to the slots its block table maps, and its
/// queries attend to every earlier position of the same sequence.
public struct ForwardBatch: Sendable {
    public struct Segment: Sendable {
        /// Indices into `tokens`.
        public var tokenRange: Range<Int>
        /// Position of the first token in its sequence.
        public var startPosition: Int
        /// Physical KV block of each logical block of the sequence; must cover every position
        /// up to the segment's last.
        public var blockTable: [Int32]

        public init(tokenRange: Range<Int>, startPosition: Int, blockTable: [Int32]) {
            self.tokenRange = tokenRange
            self.startPosition = startPosition
            self.blockTable = blockTable
        }
    }

    public var tokens: [Int32]
    public var segments: [Segment]
    /// Token indices whose next-token logits are wanted, in output order.
    public var logitIndices: [Int]

    public init(tokens: [Int32] = [], segments: [Segment] = [], logitIndices: [Int] = []) {
        self.tokens = tokens
        self.segments = segments
        self.logitIndices = logitIndices
    }

    /// Empties the batch but keeps its storage, so a decode loop allocates nothing per step.
    public mutating func removeAll() {
        tokens.removeAll(keepingCapacity: true)
        segments.removeAll(keepingCapacity: true)
        logitIndices.removeAll(keepingCapacity: true)
    }
}
