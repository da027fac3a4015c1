/// The free blocks of a pool in eviction order: allocation takes from the front, and any
/// block can be unlinked from the middle in O(1) (a prefix-cache hit reviving a freed block).
///
/// A doubly linked list threaded through two arrays indexed by block id, as in vLLM v1's
/// `FreeKVCacheBlockQueue`: no per-operation allocation, no search.
struct FreeBlockQueue: Sendable {
    private static let none: Int32 = -1
    private var previous: [Int32]
    private var next: [Int32]
    private var isQueued: [Bool]
    private var head: Int32 = none
    private var tail: Int32 = none
    private(set) var count = 0

    /// A queue holding blocks `0..<blockCount` in ascending order.
    init(blockCount: Int) {
        previous = (0..<blockCount).map { Int32($0) - 1 }
        next = (0..<blockCount).map { $0 + 1 < blockCount ? Int32($0 + 1) : Self.none }
        isQueued = Array(repeating: true, count: blockCount)
        if blockCount > 0 {
            head = 0
            tail = Int32(blockCount - 1)
        }
        count = blockCount
    }

    func contains(_ block: Int32) -> Bool { isQueued[Int(block)] }

    /// Block ids from front to back (for tests and diagnostics).
    var orderedBlocks: [Int32] {
        var result: [Int32] = []
        result.reserveCapacity(count)
        var cursor = head
        while cursor != Self.none {
            result.append(cursor)
            cursor = next[Int(cursor)]
        }
        return result
    }

    /// Removes and returns the front block, or nil when empty.
    mutating func popFront() -> Int32? {
        guard head != Self.none else { return nil }
        let block = head
        remove(block)
        return block
    }

    /// Unlinks `block`, which must be queued.
    mutating func remove(_ block: Int32) {
        let index = Int(block)
        let before = previous[index], after = next[index]
        if before == Self.none { head = after } else { next[Int(before)] = after }
        if after == Self.none { tail = before } else { previous[Int(after)] = before }
        previous[index] = Self.none
        next[index] = Self.none
        isQueued[index] = false
        count -= 1
    }

    /// Queues `block` (not queued) at the back: the last to be handed out again.
    mutating func pushBack(_ block: Int32) {
        let index = Int(block)
        previous[index] = tail
        next[index] = Self.none
        if tail == Self.none { head = block } else { next[Int(tail)] = block }
        tail = block
        isQueued[index] = true
        count += 1
    }

    /// Queues `block` (not queued) at the front: the next to be handed out.
    mutating func pushFront(_ block: Int32) {
        let index = Int(block)
        previous[index] = Self.none
        next[index] = head
        if head == Self.none { tail = block } else { previous[Int(head)] = block }
        head = block
        isQueued[index] = true
        count += 1
    }
}
