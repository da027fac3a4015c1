import Testing
import KVCache

/// Allocator tests assert the exact block ids handed out. Free blocks are handed out from the
/// front of the queue: initially 0, 1, 2, ...; a freed uncached block rejoins at the front,
/// a freed cached block at the back.
struct BlockManagerTests {
    private func tokens(_ range: ClosedRange<Int32>) -> [Int32] { Array(range) }

    /// Allocates `tokens` in a fresh table and registers every computed full block.
    private func computedSequence(_ tokens: [Int32], in manager: inout BlockManager) throws -> SequenceBlockTable {
        var table = SequenceBlockTable()
        try #require(manager.allocate(sequence: &table, tokens: tokens))
        manager.cacheComputedBlocks(sequence: &table, tokens: tokens, computedCount: tokens.count)
        return table
    }

    @Test func rejectsInvalidGeometry() {
        #expect(throws: BlockManagerError.invalidBlockSize(0)) { try BlockManager(blockCount: 4, blockSize: 0) }
        #expect(throws: BlockManagerError.invalidBlockCount(-1)) { try BlockManager(blockCount: -1) }
    }

    @Test func secondSequenceReusesCachedPrefixBlocks() throws {
        var manager = try BlockManager(blockCount: 8, blockSize: 4)
        let a = try computedSequence(tokens(1...10), in: &manager)
        #expect(a.blocks == [0, 1, 2])
        #expect(a.numCachedTokens == 0)
        // Blocks 0 (tokens 1-4) and 1 (5-8) are full and registered; block 2 is partial.
        #expect(manager.isCached(0) && manager.isCached(1) && !manager.isCached(2))

        var b = SequenceBlockTable()
        #expect(manager.allocate(sequence: &b, tokens: tokens(1...8) + [20, 21, 22]))
        #expect(b.blocks == [0, 1, 3])
        #expect(b.numCachedTokens == 8)
        #expect(manager.referenceCount(of: 0) == 2 && manager.referenceCount(of: 1) == 2)
        #expect(manager.referenceCount(of: 3) == 1)
        #expect(manager.freeBlockCount == 4)
        #expect(manager.usage == 0.5)
    }

    @Test func promptEqualToCachedPrefixStillComputesItsLastBlock() throws {
        var manager = try BlockManager(blockCount: 8, blockSize: 4)
        _ = try computedSequence(tokens(1...9), in: &manager)  // blocks 0, 1, 2
        var b = SequenceBlockTable()
        // All 8 tokens are cached, but the last one must be computed to get logits, so only
        // block 0 is reused and positions 4-7 go to a new block.
        #expect(manager.allocate(sequence: &b, tokens: tokens(1...8)))
        #expect(b.blocks == [0, 3])
        #expect(b.numCachedTokens == 4)
    }

    @Test func hashCollisionWithDifferentTokensIsNotReused() throws {
        var manager = try BlockManager(blockCount: 8, blockSize: 4, hasher: { _, _ in 42 })
        let a = try computedSequence([1, 2, 3, 4, 5], in: &manager)
        #expect(a.blocks == [0, 1])
        #expect(manager.isCached(0))

        var b = SequenceBlockTable()
        #expect(manager.allocate(sequence: &b, tokens: [9, 9, 9, 9, 5]))
        #expect(b.blocks == [2, 3])
        #expect(b.numCachedTokens == 0)
        #expect(manager.referenceCount(of: 0) == 1)

        // Same tokens under the same (colliding) hash are still a genuine hit.
        var c = SequenceBlockTable()
        #expect(manager.allocate(sequence: &c, tokens: [1, 2, 3, 4, 7]))
        #expect(c.blocks == [0, 4])
        #expect(c.numCachedTokens == 4)
    }

    @Test func blockIsNotSplicedOntoADifferentPrefix() throws {
        // A hash that ignores the parent makes block [2,2,2,2] look the same after any prefix.
        var manager = try BlockManager(blockCount: 8, blockSize: 4, hasher: { _, tokens in UInt64(tokens.first ?? 0) })
        var a = try computedSequence([1, 1, 1, 1, 2, 2, 2, 2, 0], in: &manager)
        #expect(a.blocks == [0, 1, 2])
        manager.free(sequence: &a)
        #expect(manager.freeBlocksInAllocationOrder == [2, 3, 4, 5, 6, 7, 1, 0])

        let b = try computedSequence([3, 3, 3, 3, 2, 2, 2, 2, 0], in: &manager)
        #expect(b.blocks == [2, 3, 4])
        #expect(manager.isCached(2) && !manager.isCached(3))  // key of [2,2,2,2] already taken by block 1

        var c = SequenceBlockTable()
        #expect(manager.allocate(sequence: &c, tokens: [3, 3, 3, 3, 2, 2, 2, 2, 0]))
        // Block 2 matches; block 1 holds [2,2,2,2] computed after [1,1,1,1], so it is not reused.
        #expect(c.blocks == [2, 5, 6])
        #expect(c.numCachedTokens == 4)
    }

    @Test func freedCachedBlocksAreEvictedLastAndCanBeRevived() throws {
        var manager = try BlockManager(blockCount: 5, blockSize: 4)
        var a = try computedSequence(tokens(1...9), in: &manager)
        #expect(a.blocks == [0, 1, 2])
        manager.free(sequence: &a)
        // Block 2 (partial, uncached) is reused first; cached 1 and 0 wait at the back, the
        // prefix's tail (1) ahead of its head (0).
        #expect(manager.freeBlocksInAllocationOrder == [2, 3, 4, 1, 0])
        #expect(manager.freeBlockCount == 5)

        var b = SequenceBlockTable()
        #expect(manager.allocate(sequence: &b, tokens: tokens(50...62)))
        #expect(b.blocks == [2, 3, 4, 1])
        #expect(!manager.isCached(1) && manager.isCached(0))
        manager.free(sequence: &b)
        #expect(manager.freeBlocksInAllocationOrder == [2, 3, 4, 1, 0])

        var c = SequenceBlockTable()
        #expect(manager.allocate(sequence: &c, tokens: tokens(1...9)))
        #expect(c.blocks == [0, 2, 3])  // block 0 revived; block 1's contents were evicted
        #expect(c.numCachedTokens == 4)
        #expect(manager.freeBlocksInAllocationOrder == [4, 1])
    }

    @Test func referenceCountsReturnToZero() throws {
        var manager = try BlockManager(blockCount: 6, blockSize: 4)
        var a = try computedSequence(tokens(1...6), in: &manager)
        var b = manager.fork(sequence: a)
        var c = SequenceBlockTable()
        #expect(manager.allocate(sequence: &c, tokens: tokens(1...5)))
        #expect(c.blocks == [0, 2])
        #expect(manager.referenceCount(of: 0) == 3 && manager.referenceCount(of: 1) == 2)

        manager.free(sequence: &a)
        manager.free(sequence: &b)
        manager.free(sequence: &c)
        for block in Int32(0)..<6 { #expect(manager.referenceCount(of: block) == 0) }
        #expect(manager.freeBlockCount == 6)
        #expect(manager.usage == 0)
        #expect(c == SequenceBlockTable())
    }

    @Test func writingIntoSharedPartialBlockCopiesIt() throws {
        var manager = try BlockManager(blockCount: 8, blockSize: 4)
        var a = SequenceBlockTable()
        #expect(manager.allocate(sequence: &a, tokens: tokens(1...6)))
        #expect(a.blocks == [0, 1])
        var b = manager.fork(sequence: a)
        #expect(manager.referenceCount(of: 1) == 2)

        // Position 6 lies in shared block 1, which holds positions 4-5 of both sequences.
        #expect(manager.appendSlots(sequence: &b, newTokenCount: 1) == [BlockCopy(source: 1, destination: 2)])
        #expect(b.blocks == [0, 2])
        #expect(b.tokenCount == 7)
        #expect(manager.referenceCount(of: 1) == 1 && manager.referenceCount(of: 2) == 1)
        #expect(manager.referenceCount(of: 0) == 2)

        // Block 1 is now private to `a`: no copy.
        #expect(manager.appendSlots(sequence: &a, newTokenCount: 1) == [])
        #expect(a.blocks == [0, 1])
        #expect(manager.appendSlots(sequence: &a, newTokenCount: 2) == [])
        #expect(a.blocks == [0, 1, 3])
        #expect(a.tokenCount == 9)
    }

    @Test func forkOfFullBlocksNeedsNoCopy() throws {
        var manager = try BlockManager(blockCount: 8, blockSize: 4)
        var a = SequenceBlockTable()
        #expect(manager.allocate(sequence: &a, tokens: tokens(1...8)))
        var b = manager.fork(sequence: a)
        #expect(manager.appendSlots(sequence: &b, newTokenCount: 1) == [])
        #expect(b.blocks == [0, 1, 2])
        #expect(a.blocks == [0, 1])
    }

    @Test func runningOutOfBlocksChangesNothing() throws {
        var manager = try BlockManager(blockCount: 3, blockSize: 4)
        var a = try computedSequence([1, 2, 3, 4, 5], in: &manager)
        #expect(a.blocks == [0, 1])
        manager.free(sequence: &a)
        #expect(manager.freeBlocksInAllocationOrder == [1, 2, 0])

        // One hit (block 0, to revive) plus 3 new blocks do not fit in 3 free blocks.
        var b = SequenceBlockTable()
        #expect(!manager.allocate(sequence: &b, tokens: [1, 2, 3, 4] + tokens(5...13)))
        #expect(b == SequenceBlockTable())
        #expect(manager.freeBlocksInAllocationOrder == [1, 2, 0])
        #expect(manager.isCached(0))

        var c = SequenceBlockTable()
        #expect(manager.allocate(sequence: &c, tokens: tokens(20...28)))
        #expect(c.blocks == [1, 2, 0])
        #expect(!manager.isCached(0))
        let before = c
        #expect(manager.appendSlots(sequence: &c, newTokenCount: 4) == nil)
        #expect(c == before)
        #expect(manager.appendSlots(sequence: &c, newTokenCount: 3) == [])  // fits in block 0
        #expect(c.tokenCount == 12)

        var d = SequenceBlockTable()
        #expect(!manager.allocate(sequence: &d, tokens: [1]))
        #expect(d == SequenceBlockTable())
        manager.free(sequence: &c)
        #expect(manager.freeBlockCount == 3)
    }

    @Test func forkThenFreeReleasesBlocksOnlyWhenBothAreGone() throws {
        var manager = try BlockManager(blockCount: 4, blockSize: 4)
        var a = SequenceBlockTable()
        #expect(manager.allocate(sequence: &a, tokens: tokens(1...6)))
        var b = manager.fork(sequence: a)
        #expect(b.blocks == [0, 1])
        #expect(manager.freeBlockCount == 2)
        manager.free(sequence: &a)
        #expect(manager.referenceCount(of: 0) == 1 && manager.referenceCount(of: 1) == 1)
        #expect(manager.freeBlockCount == 2)
        manager.free(sequence: &b)
        #expect(manager.freeBlockCount == 4)
        #expect(manager.freeBlocksInAllocationOrder == [0, 1, 2, 3])
    }

    @Test func onlyComputedFullBlocksAreCached() throws {
        var manager = try BlockManager(blockCount: 4, blockSize: 4)
        var a = SequenceBlockTable()
        let prompt = tokens(1...9)
        #expect(manager.allocate(sequence: &a, tokens: prompt))
        manager.cacheComputedBlocks(sequence: &a, tokens: prompt, computedCount: 7)
        #expect(manager.isCached(0) && !manager.isCached(1) && !manager.isCached(2))
        manager.cacheComputedBlocks(sequence: &a, tokens: prompt, computedCount: 9)
        #expect(manager.isCached(1) && !manager.isCached(2))
    }

    @Test func defaultHasherIsFNV1aOverLittleEndianBytes() {
        // Values from a separate FNV-1a 64 implementation over the same byte layout.
        #expect(fnv1aBlockHasher(0, [1]) == 0xb46d_04d1_c6da_a804)
        #expect(fnv1aBlockHasher(0x0123_4567_89ab_cdef, [-1, 7]) == 0x1eed_b8d7_a073_84e6)
    }

    @Test func defaultHasherDependsOnParentAndTokenOrder() {
        let base = fnv1aBlockHasher(0, [1, 2])
        #expect(base == fnv1aBlockHasher(0, [1, 2]))
        #expect(base != fnv1aBlockHasher(1, [1, 2]))
        #expect(base != fnv1aBlockHasher(0, [2, 1]))
    }
}
