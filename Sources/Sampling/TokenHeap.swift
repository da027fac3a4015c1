/// A binary heap of token ids living in caller-owned memory, ordered by a
/// per-token score looked up in a vocabulary-sized array.
///
/// "Better" means a higher score, ties going to the lower id — the one total
/// order every ranking in this module uses, so that truncation is
/// deterministic. NaN scores rank below everything (as −∞ does, but below it).
///
/// The heap never allocates: it permutes the ids it was given in place.
struct TokenHeap {
    /// Whether the best token sits at the root (a max-heap) or the worst one
    /// (a min-heap, used to keep the k best seen so far).
    enum Root { case best, worst }

    private let ids: UnsafeMutablePointer<Int32>
    private let scores: UnsafePointer<Float>
    private let root: Root
    /// Number of ids currently in heap order, at `ids[0 ..< count]`.
    private(set) var count: Int

    /// Arranges `ids[0 ..< count]` into heap order (Floyd's O(count) build).
    init(ids: UnsafeMutablePointer<Int32>, count: Int, scores: UnsafePointer<Float>, root: Root) {
        self.ids = ids
        self.scores = scores
        self.root = root
        self.count = count
        var index = count / 2
        while index > 0 {
            index -= 1
            siftDown(from: index)
        }
    }

    /// The id at the root. Only meaningful while `count > 0`.
    var top: Int32 { ids[0] }

    /// Whether token `a` ranks strictly better than token `b`.
    @inline(__always)
    func isBetter(_ a: Int32, than b: Int32) -> Bool {
        Self.isBetter(a, than: b, scores: scores)
    }

    /// Whether token `a` ranks strictly better than token `b` under `scores`.
    @inline(__always)
    static func isBetter(_ a: Int32, than b: Int32, scores: UnsafePointer<Float>) -> Bool {
        let sa = scores[Int(a)]
        let sb = scores[Int(b)]
        if sa > sb { return true }
        if sa == sb { return a < b }
        // Unordered pairs involve a NaN: a NaN never beats a number, and among
        // NaNs the lower id wins so the order stays total.
        if sa.isNaN || sb.isNaN { return sb.isNaN && (!sa.isNaN || a < b) }
        return false
    }

    @inline(__always)
    private func belongsAbove(_ a: Int32, _ b: Int32) -> Bool {
        switch root {
        case .best: isBetter(a, than: b)
        case .worst: isBetter(b, than: a)
        }
    }

    /// Replaces the root with `id` and restores heap order.
    mutating func replaceTop(with id: Int32) {
        ids[0] = id
        siftDown(from: 0)
    }

    /// Moves the root to `ids[count - 1]`, shrinks the heap by one and
    /// restores order; returns the removed id. Repeated pops leave the popped
    /// ids behind the heap, so they accumulate at the end of the buffer.
    mutating func popTop() -> Int32 {
        let removed = ids[0]
        count -= 1
        ids[0] = ids[count]
        ids[count] = removed
        siftDown(from: 0)
        return removed
    }

    private func siftDown(from start: Int) {
        var parent = start
        let moving = ids[parent]
        while true {
            var child = 2 * parent + 1
            if child >= count { break }
            if child + 1 < count, belongsAbove(ids[child + 1], ids[child]) { child += 1 }
            if !belongsAbove(ids[child], moving) { break }
            ids[parent] = ids[child]
            parent = child
        }
        ids[parent] = moving
    }
}
