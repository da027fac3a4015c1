/// Hands out physical KV blocks from a fixed pool, lowest free id first.
///
/// Deterministic order keeps allocation testable by exact block ids. Reference counting and
/// prefix sharing build on this in the serving core.
public struct BlockAllocator: Sendable {
    public let blockCount: Int
    /// Free block ids, kept so that `popLast` yields the lowest id.
    private var free: [Int32]

    public init(blockCount: Int) {
        self.blockCount = blockCount
        free = (0..<Int32(blockCount)).reversed()
    }

    public var freeCount: Int { free.count }

    /// A block id, or nil when the pool is exhausted.
    public mutating func allocate() -> Int32? { free.popLast() }

    /// Returns `block` to the pool. Freeing a block twice is a programming error.
    public mutating func release(_ block: Int32) {
        precondition(block >= 0 && Int(block) < blockCount && !free.contains(block), "invalid or double free of block \(block)")
        let index = free.firstIndex { $0 < block } ?? free.endIndex
        free.insert(block, at: index)
    }
}

/// The block table of one sequence and how many of its positions hold keys and values.
public struct SequenceBlocks: Sendable {
    public private(set) var blockTable: [Int32] = []
    public let blockSize: Int

    public init(blockSize: Int) { self.blockSize = blockSize }

    /// Positions that fit in the blocks already held.
    public var capacity: Int { blockTable.count * blockSize }

    /// Grows the table to cover `positions` positions, taking blocks from `allocator`.
    /// Returns false (keeping what it took) when the pool runs out.
    public mutating func reserve(positions: Int, from allocator: inout BlockAllocator) -> Bool {
        while capacity < positions {
            guard let block = allocator.allocate() else { return false }
            blockTable.append(block)
        }
        return true
    }

    /// Gives every block back.
    public mutating func releaseAll(to allocator: inout BlockAllocator) {
        for block in blockTable.reversed() { allocator.release(block) }
        blockTable.removeAll()
    }

    /// Physical slot of `position`.
    @inline(__always)
    public func slot(_ position: Int) -> Int {
        Int(blockTable[position / blockSize]) * blockSize + position % blockSize
    }
}
