/// Counts how often each token occurs in a short sequence, using memory
/// proportional to the sequence rather than to the vocabulary.
///
/// An open-addressing hash table (linear probing, multiplicative hashing)
/// with at least twice as many slots as tokens, reused across calls: it only
/// reallocates when a longer sequence than ever before is counted.
struct TokenCounter: Sendable {
    private static let emptySlot: Int32 = -1
    private var keys: [Int32] = []
    private var counts: [Int32] = []
    /// log2 of the slot count.
    private var slotBits = 0

    /// Counts the tokens of `tokens` that lie in `0 ..< vocabulary` and calls
    /// `body(token, occurrences)` once per distinct one, in slot order.
    mutating func forEachDistinct(
        in tokens: some Collection<Int32>,
        vocabulary: Int,
        _ body: (Int32, Int32) -> Void
    ) {
        let length = tokens.count
        guard length > 0 else { return }
        reserveSlots(for: length)
        let bits = slotBits
        keys.withUnsafeMutableBufferPointer { keys in
            counts.withUnsafeMutableBufferPointer { counts in
                keys.update(repeating: Self.emptySlot)
                let mask = keys.count - 1
                for token in tokens where token >= 0 && Int(token) < vocabulary {
                    // Fibonacci hashing: the top bits of id · 2^32/φ.
                    var slot = Int((UInt32(bitPattern: token) &* 0x9E37_79B1) >> UInt32(32 - bits))
                    while keys[slot] != Self.emptySlot && keys[slot] != token {
                        slot = (slot + 1) & mask
                    }
                    if keys[slot] == token {
                        counts[slot] &+= 1
                    } else {
                        keys[slot] = token
                        counts[slot] = 1
                    }
                }
                for slot in 0 ..< keys.count where keys[slot] != Self.emptySlot {
                    body(keys[slot], counts[slot])
                }
            }
        }
    }

    /// Ensures at least `2 · length` slots (a power of two, at least 16), so
    /// the table is never more than half full and probes stay short.
    private mutating func reserveSlots(for length: Int) {
        var bits = max(slotBits, 4)
        while (1 << bits) < 2 * length { bits += 1 }
        guard bits != slotBits || keys.isEmpty else { return }
        slotBits = bits
        keys = [Int32](repeating: Self.emptySlot, count: 1 << bits)
        counts = [Int32](repeating: 0, count: 1 << bits)
    }
}
