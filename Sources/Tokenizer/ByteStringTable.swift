/// An insert-only hash set of byte strings that hands out dense ids (0, 1, 2, … in insertion
/// order) and answers look-ups from any byte buffer without allocating.
///
/// Token texts are compared byte for byte. `String` would be the wrong key here: Swift compares
/// strings by canonical equivalence, so two distinct vocabulary entries such as a precomposed
/// "é" and "e" + U+0301 would collide.
struct ByteStringTable: Sendable {
    private var storage: [UInt8] = []
    private var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Open-addressing slots holding `id + 1`; 0 marks an empty slot.
    private var slots: [Int32]
    private var mask: Int

    init(expectedCount: Int = 16) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity <<= 1 }
        slots = Array(repeating: 0, count: capacity)
        mask = capacity - 1
    }

    /// Number of distinct strings stored.
    var count: Int { hashes.count }

    /// The bytes of the string with the given id.
    func bytes(of id: Int32) -> ArraySlice<UInt8> {
        storage[offsets[Int(id)]..<offsets[Int(id) + 1]]
    }

    /// The id of `key`, or nil when it was never inserted.
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        let hash = Self.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            let id = Int(entry - 1)
            if hashes[id] == hash && equals(id, key) { return Int32(id) }
            slot = (slot + 1) & mask
        }
    }

    /// The id of `key`, or nil when it was never inserted.
    func find<C: Collection<UInt8>>(_ key: C) -> Int32? {
        if let found = key.withContiguousStorageIfAvailable({ find($0) }) { return found }
        return Array(key).withUnsafeBufferPointer { find($0) }
    }

    /// Inserts `key` unless present; returns its id and whether it was new.
    @discardableResult
    mutating func insert<C: Collection<UInt8>>(_ key: C) -> (id: Int32, inserted: Bool) {
        let bytes = Array(key)
        if let existing = find(bytes) { return (existing, false) }
        if (hashes.count + 1) * 2 > slots.count { grow() }
        let id = hashes.count
        storage.append(contentsOf: bytes)
        offsets.append(storage.count)
        let hash = bytes.withUnsafeBufferPointer { Self.hash($0) }
        hashes.append(hash)
        place(id: id, hash: hash)
        return (Int32(id), true)
    }

    private mutating func place(id: Int, hash: UInt64) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(id + 1)
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        for id in hashes.indices { place(id: id, hash: hashes[id]) }
    }

    private func equals(_ id: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = offsets[id], end = offsets[id + 1]
        guard end - start == key.count else { return false }
        return storage.withUnsafeBufferPointer { stored in
            var i = 0
            while i < key.count {
                if stored[start + i] != key[i] { return false }
                i += 1
            }
            return true
        }
    }

    /// FNV-1a, 64-bit: short keys, cheap and deterministic.
    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash ^ (hash >> 29)
    }
}
