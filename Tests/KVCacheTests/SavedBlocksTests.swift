import KVCache
import Testing

/// Swap-out and swap-in of a sequence's blocks.
struct SavedBlocksTests {
    /// Every element of a slot gets a value naming its layer, block, slot and lane.
    static func fill(_ storage: KVStorage) {
        let elements = storage.blockSize * storage.kvHeads * storage.headSize
        for l in 0..<storage.layers {
            let view = storage.layer(l)
            for i in 0..<(storage.blockCount * elements) {
                view.keys[i] = Float16(Float(l * 1000 + i))
                view.values[i] = Float16(-Float(l * 1000 + i))
            }
        }
    }

    @Test func restoredBlocksHoldTheSavedContents() {
        let storage = KVStorage(layers: 2, blockCount: 8, blockSize: 2, kvHeads: 1, headSize: 3)
        Self.fill(storage)
        let elements = 2 * 1 * 3
        let saved = storage.save(blocks: [5, 2, 6])
        #expect(saved.blockCount == 3)
        #expect(saved.byteCount == 3 * 2 * 2 * elements * 2)
        // Overwrite everything, then restore logical blocks 1 and 2 into new physical blocks.
        for l in 0..<2 {
            storage.layer(l).keys.update(repeating: 0, count: 8 * elements)
            storage.layer(l).values.update(repeating: 0, count: 8 * elements)
        }
        storage.restore(saved, into: [0, 3, 7], from: 1)
        for l in 0..<2 {
            let view = storage.layer(l)
            for (logical, (old, new)) in zip([5, 2, 6], [0, 3, 7]).enumerated() {
                for e in 0..<elements {
                    let expected: Float = logical == 0 ? 0 : Float(l * 1000 + old * elements + e)
                    #expect(Float(view.keys[new * elements + e]) == expected)
                    #expect(Float(view.values[new * elements + e]) == -expected)
                }
            }
        }
    }
}
