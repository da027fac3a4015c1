/// Hands out KV blocks from a fixed pool to sequences, with reference counts, prefix caching
/// of full blocks and copy-on-write for shared partial blocks (PagedAttention / vLLM v1).
///
/// - Free blocks wait in one queue. Allocation takes the front. A block whose last reference
///   goes away joins the front if it holds nothing reusable, or the back if it is registered
///   in the prefix cache, so cached contents are evicted least recently freed first and a
///   later prefix hit can revive them before that.
/// - A full block whose keys and values are computed is registered under a chained hash of
///   its tokens (`cacheComputedBlocks`). `allocate` reuses the longest run of registered
///   blocks that matches the start of a prompt, checking the stored tokens, not only the hash.
/// - Every operation either succeeds completely or changes nothing, so running out of blocks
///   never leaks any.
public struct BlockManager: Sendable {
    public let blockCount: Int
    public let blockSize: Int
    private let hasher: BlockHasher
    private var freeQueue: FreeBlockQueue
    private var referenceCounts: [Int]
    /// Per block: what it holds, when it is registered in the prefix cache.
    private var cachedContents: [CachedBlockContent?]
    private var blockByHash: [UInt64: Int32] = [:]
    private var nextContentID: UInt64 = 1
    /// When false, no block is registered, so nothing is ever reused across sequences (blocks
    /// are still shared by forks). For measuring what prefix caching saves.
    public var prefixCaching = true

    /// A pool of `blockCount` blocks of `blockSize` token slots each.
    /// - Parameter hasher: prefix-cache key of a full block; injectable so tests can force
    ///   collisions.
    public init(blockCount: Int, blockSize: Int = 16, hasher: @escaping BlockHasher = fnv1aBlockHasher) throws(BlockManagerError) {
        guard blockSize >= 1 else { throw .invalidBlockSize(blockSize) }
        guard blockCount >= 0, blockCount <= Int(Int32.max) else { throw .invalidBlockCount(blockCount) }
        self.blockCount = blockCount
        self.blockSize = blockSize
        self.hasher = hasher
        freeQueue = FreeBlockQueue(blockCount: blockCount)
        referenceCounts = Array(repeating: 0, count: blockCount)
        cachedContents = Array(repeating: nil, count: blockCount)
    }

    /// Blocks no sequence references, including cached ones that may still be revived.
    public var freeBlockCount: Int { freeQueue.count }

    /// Fraction of the pool referenced by sequences, in 0...1.
    public var usage: Double {
        blockCount == 0 ? 0 : Double(blockCount - freeQueue.count) / Double(blockCount)
    }

    /// Blocks needed to hold `tokenCount` positions.
    public func blocksNeeded(forTokens tokenCount: Int) -> Int {
        tokenCount <= 0 ? 0 : (tokenCount + blockSize - 1) / blockSize
    }

    /// How many sequences reference `block` (0 for free or unknown blocks).
    public func referenceCount(of block: Int32) -> Int {
        isValid(block) ? referenceCounts[Int(block)] : 0
    }

    /// Whether `block` is registered in the prefix cache.
    public func isCached(_ block: Int32) -> Bool {
        isValid(block) && cachedContents[Int(block)] != nil
    }

    /// Free blocks in the order they will be handed out.
    public var freeBlocksInAllocationOrder: [Int32] { freeQueue.orderedBlocks }

    // MARK: - Sequences

    /// Reserves slots for every position of `tokens` (a prompt, or all tokens of a preempted
    /// sequence that is recomputed) in the empty table `sequence`, reusing cached blocks for
    /// the longest matching run of full blocks at the start.
    ///
    /// At least the last token is always left to compute, so the hit stops before it. On
    /// success `sequence.numCachedTokens` tells how many leading positions are already
    /// computed. Returns false, changing nothing, when the pool cannot cover the rest or
    /// `sequence` is not empty.
    public mutating func allocate(sequence: inout SequenceBlockTable, tokens: [Int32]) -> Bool {
        guard sequence.blocks.isEmpty, sequence.tokenCount == 0 else { return false }
        let hits = cachedPrefix(of: tokens)
        let newBlockCount = blocksNeeded(forTokens: tokens.count) - hits.count
        let revived = hits.filter { freeQueue.contains($0.block) }.count
        guard newBlockCount + revived <= freeQueue.count else { return false }

        for hit in hits {
            if freeQueue.contains(hit.block) { freeQueue.remove(hit.block) }
            referenceCounts[Int(hit.block)] += 1
        }
        sequence.blocks = hits.map(\.block)
        sequence.blockHashes = hits.map(\.hash)
        for _ in 0..<newBlockCount { sequence.blocks.append(takeFreeBlock()) }
        sequence.tokenCount = tokens.count
        sequence.numCachedTokens = hits.count * blockSize
        return true
    }

    /// Reserves slots for `newTokenCount` more positions of `sequence` (decode tokens or a
    /// continuation), taking new blocks as needed.
    ///
    /// If the next position falls in a partially filled block that other sequences share, the
    /// sequence gets a private copy of it: the returned pairs must be copied by the runner
    /// before the step. Returns nil, changing nothing, when the pool is exhausted (the caller
    /// should preempt something).
    public mutating func appendSlots(sequence: inout SequenceBlockTable, newTokenCount: Int) -> [BlockCopy]? {
        guard newTokenCount > 0 else { return [] }
        let writeBlockIndex = sequence.tokenCount / blockSize
        let needsCopy = writeBlockIndex < sequence.blocks.count
            && referenceCounts[Int(sequence.blocks[writeBlockIndex])] > 1
        let newBlockCount = blocksNeeded(forTokens: sequence.tokenCount + newTokenCount) - sequence.blocks.count
        guard newBlockCount + (needsCopy ? 1 : 0) <= freeQueue.count else { return nil }

        var copies: [BlockCopy] = []
        if needsCopy {
            let shared = sequence.blocks[writeBlockIndex]
            let copy = takeFreeBlock()
            release(shared)
            sequence.blocks[writeBlockIndex] = copy
            copies.append(BlockCopy(source: shared, destination: copy))
        }
        for _ in 0..<max(0, newBlockCount) { sequence.blocks.append(takeFreeBlock()) }
        sequence.tokenCount += newTokenCount
        return copies
    }

    /// Registers in the prefix cache every full block of `sequence` whose positions are all
    /// below `computedCount`, so later prompts with the same prefix can reuse it.
    ///
    /// `tokens` are the sequence's token ids from position 0. A block is skipped (and the
    /// blocks after it with it) when an identical prefix is already cached in another block.
    public mutating func cacheComputedBlocks(sequence: inout SequenceBlockTable, tokens: [Int32], computedCount: Int) {
        guard prefixCaching else { return }
        let limit = min(computedCount, tokens.count, sequence.tokenCount)
        var index = sequence.blockHashes.count
        while (index + 1) * blockSize <= limit, index < sequence.blocks.count {
            let block = sequence.blocks[index]
            let blockTokens = tokens[(index * blockSize)..<((index + 1) * blockSize)]
            let parentHash = index == 0 ? 0 : sequence.blockHashes[index - 1]
            let hash = hasher(parentHash, blockTokens)
            if let existing = cachedContents[Int(block)] {
                // Shared with a fork that registered it first.
                guard existing.hash == hash, existing.tokens.elementsEqual(blockTokens) else { return }
            } else {
                let parentContentID: UInt64
                if index == 0 {
                    parentContentID = 0
                } else if let parent = cachedContents[Int(sequence.blocks[index - 1])] {
                    parentContentID = parent.contentID
                } else {
                    return
                }
                guard blockByHash[hash] == nil else { return }
                cachedContents[Int(block)] = CachedBlockContent(
                    hash: hash, tokens: Array(blockTokens), parentContentID: parentContentID, contentID: nextContentID)
                nextContentID += 1
                blockByHash[hash] = block
            }
            sequence.blockHashes.append(hash)
            index += 1
        }
    }

    /// Drops every reference `sequence` holds and empties it. Its cached blocks stay
    /// revivable until evicted; the rest are handed out first.
    public mutating func free(sequence: inout SequenceBlockTable) {
        // Tail first: if the freed blocks are evicted, the end of a prefix goes before its
        // start, which keeps the start reachable longer (a hit needs every earlier block).
        for block in sequence.blocks.reversed() { release(block) }
        sequence = SequenceBlockTable()
    }

    /// A new table sharing every block of `sequence` (parallel samples of one prompt).
    /// The first write into a shared partial block copies it (see `appendSlots`).
    public mutating func fork(sequence: SequenceBlockTable) -> SequenceBlockTable {
        for block in sequence.blocks { referenceCounts[Int(block)] += 1 }
        return sequence
    }

    // MARK: - Internals

    private func isValid(_ block: Int32) -> Bool { block >= 0 && Int(block) < blockCount }

    /// The registered blocks matching the full blocks at the start of `tokens`, stopping
    /// before the block that holds the last token.
    private func cachedPrefix(of tokens: [Int32]) -> [(block: Int32, hash: UInt64)] {
        let maxHits = max(0, tokens.count - 1) / blockSize
        var hits: [(block: Int32, hash: UInt64)] = []
        var parentHash: UInt64 = 0
        var parentContentID: UInt64 = 0
        for index in 0..<maxHits {
            let blockTokens = tokens[(index * blockSize)..<((index + 1) * blockSize)]
            let hash = hasher(parentHash, blockTokens)
            guard let block = blockByHash[hash], let content = cachedContents[Int(block)],
                  content.parentContentID == parentContentID,
                  content.tokens.elementsEqual(blockTokens)
            else { break }
            hits.append((block, hash))
            parentHash = hash
            parentContentID = content.contentID
        }
        return hits
    }

    /// Takes the front free block, evicting its cached contents; the caller has checked that
    /// one is free.
    private mutating func takeFreeBlock() -> Int32 {
        guard let block = freeQueue.popFront() else {
            preconditionFailure("takeFreeBlock called on an exhausted pool")
        }
        if let content = cachedContents[Int(block)] {
            if blockByHash[content.hash] == block { blockByHash[content.hash] = nil }
            cachedContents[Int(block)] = nil
        }
        referenceCounts[Int(block)] = 1
        return block
    }

    private mutating func release(_ block: Int32) {
        let index = Int(block)
        referenceCounts[index] -= 1
        guard referenceCounts[index] == 0 else { return }
        if cachedContents[index] != nil { freeQueue.pushBack(block) } else { freeQueue.pushFront(block) }
    }
}
