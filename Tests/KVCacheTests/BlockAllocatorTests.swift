import Testing
import KVCache

struct BlockAllocatorTests {
    @Test func allocatesLowestIdsFirstAndReusesFreedOnes() {
        var allocator = BlockAllocator(blockCount: 4)
        #expect(allocator.allocate() == 0)
        #expect(allocator.allocate() == 1)
        #expect(allocator.allocate() == 2)
        allocator.release(1)
        #expect(allocator.allocate() == 1)
        #expect(allocator.allocate() == 3)
        #expect(allocator.allocate() == nil)
        #expect(allocator.freeCount == 0)
    }

    @Test func sequenceReservesWholeBlocksAndMapsSlots() {
        var allocator = BlockAllocator(blockCount: 3)
        _ = allocator.allocate()  // block 0 taken by someone else
        var sequence = SequenceBlocks(blockSize: 4)
        #expect(sequence.reserve(positions: 5, from: &allocator))
        #expect(sequence.blockTable == [1, 2])
        #expect(sequence.slot(0) == 4 && sequence.slot(3) == 7 && sequence.slot(4) == 8)
        #expect(!sequence.reserve(positions: 9, from: &allocator))
        sequence.releaseAll(to: &allocator)
        #expect(allocator.freeCount == 2)
        #expect(sequence.capacity == 0)
    }
}
