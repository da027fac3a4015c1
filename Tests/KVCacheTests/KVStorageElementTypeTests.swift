import Kernels
import KVCache
import Testing

/// KV storage sizes and block copies for both element types.
struct KVStorageElementTypeTests {
    /// SmolLM2-135M's shape: 30 layers, 3 key/value heads of 64. f16: 2 (k, v) · 30 · 3 · 64 · 2
    /// bytes; Q8_0: 2 · 30 · 3 · (2 blocks · 34 bytes).
    @Test func bytesPerSlotCountsRealBytes() throws {
        #expect(KVStorage.bytesPerSlot(layers: 30, kvHeads: 3, headSize: 64) == 23_040)
        #expect(KVStorage.bytesPerSlot(layers: 30, kvHeads: 3, headSize: 64, elementType: .q8_0) == 12_240)
        // Llama 3.2 1B: 16 layers, 8 heads of 128.
        #expect(KVStorage.bytesPerSlot(layers: 16, kvHeads: 8, headSize: 128, elementType: .f16) == 65_536)
        #expect(KVStorage.bytesPerSlot(layers: 16, kvHeads: 8, headSize: 128, elementType: .q8_0) == 34_816)
        let storage = try KVStorage(layers: 30, blockCount: 10, blockSize: 16, kvHeads: 3, headSize: 64, elementType: .q8_0)
        #expect(storage.byteCount == 10 * 16 * 12_240)
        #expect(storage.elementType == .q8_0)
    }

    @Test func q8RejectsHeadsThatAreNotWholeBlocks() {
        #expect(throws: KVStorageError.unsupportedHeadSize(.q8_0, headSize: 48)) {
            try KVStorage(layers: 1, blockCount: 1, blockSize: 16, kvHeads: 1, headSize: 48, elementType: .q8_0)
        }
        #expect(throws: Never.self) {
            try KVStorage(layers: 1, blockCount: 1, blockSize: 16, kvHeads: 1, headSize: 48, elementType: .f16)
        }
    }

    /// Raw bytes of one (slot, head) row of keys and of values in `layer`.
    static func row(_ storage: KVStorage, layer: Int, slot: Int, head: Int) -> [UInt8] {
        let view = storage.layer(layer)
        let offset = view.rowOffset(slot: slot, head: head)
        return Array(UnsafeRawBufferPointer(start: view.keyBytes + offset, count: view.rowBytes))
            + Array(UnsafeRawBufferPointer(start: view.valueBytes + offset, count: view.rowBytes))
    }

    /// Stores slot-specific values into every slot of `blocks`, for each layer.
    static func fill(_ storage: KVStorage, blocks: [Int], seed: Float) {
        let width = storage.kvHeads * storage.headSize
        for l in 0..<storage.layers {
            for block in blocks {
                for offset in 0..<storage.blockSize {
                    let slot = block * storage.blockSize + offset
                    let keys = (0..<width).map { Float(($0 * 7 + slot * 3 + l) % 23) - 11 + seed }
                    let values = (0..<width).map { Float(($0 * 5 + slot + 2 * l) % 19) / 4 - seed }
                    storage.layer(l).store(slot: slot, keys: keys, values: values)
                }
            }
        }
    }

    @Test(arguments: KVElementType.allCases)
    func copyBlockCopiesEveryLayer(type: KVElementType) throws {
        let storage = try KVStorage(layers: 2, blockCount: 4, blockSize: 3, kvHeads: 2, headSize: 64, elementType: type)
        Self.fill(storage, blocks: [0, 1, 2, 3], seed: 0.25)
        storage.copyBlock(from: 1, to: 3)
        for l in 0..<2 {
            for offset in 0..<3 {
                for head in 0..<2 {
                    #expect(Self.row(storage, layer: l, slot: 9 + offset, head: head) == Self.row(storage, layer: l, slot: 3 + offset, head: head))
                }
                #expect(Self.row(storage, layer: l, slot: 6 + offset, head: 0) != Self.row(storage, layer: l, slot: 3 + offset, head: 0))
            }
        }
    }

    /// Swap-out then swap-in into other physical blocks restores every row byte for byte, and the
    /// restored Q8_0 rows still decode to within half a quantization step of what was stored.
    @Test(arguments: KVElementType.allCases)
    func swapRoundTrip(type: KVElementType) throws {
        let storage = try KVStorage(layers: 2, blockCount: 8, blockSize: 4, kvHeads: 2, headSize: 64, elementType: type)
        Self.fill(storage, blocks: [5, 2, 6], seed: 0.5)
        let before = (0..<2).map { l in [5, 2, 6].map { block in (0..<4).map { Self.row(storage, layer: l, slot: block * 4 + $0, head: 1) } } }
        let saved = storage.save(blocks: [5, 2, 6])
        #expect(saved.byteCount == 3 * 2 * 2 * 4 * 2 * type.rowBytes(headSize: 64))
        Self.fill(storage, blocks: Array(0..<8), seed: 3)
        storage.restore(saved, into: [0, 3, 7], from: 0)
        for l in 0..<2 {
            for (logical, block) in [0, 3, 7].enumerated() {
                for offset in 0..<4 {
                    #expect(Self.row(storage, layer: l, slot: block * 4 + offset, head: 1) == before[l][logical][offset])
                }
            }
        }
        // Slot 7·4 + 1 came from slot 6·4 + 1 of layer 1: its keys were (i·7 + 25·3 + 1) % 23 − 11 + 0.5.
        let view = storage.layer(1)
        var keys = [Float](repeating: .nan, count: 64)
        let row = view.keyBytes + view.rowOffset(slot: 29, head: 1)
        switch type {
        case .f16: for i in 0..<64 { keys[i] = Float(row.load(fromByteOffset: 2 * i, as: Float16.self)) }
        case .q8_0: KVQ8Codec.dequantize(row, count: 64, into: &keys)
        }
        for i in 0..<64 {
            let stored = Float(((64 + i) * 7 + 25 * 3 + 1) % 23) - 11 + 0.5
            // |x| ≤ 11.5: half a Q8_0 step is at most 11.5/254, plus the Float16 rounding of the
            // scale (relative 2⁻¹¹) times |code| ≤ 127.
            #expect(abs(keys[i] - stored) <= (type == .q8_0 ? 11.5 / 254 + 11.5 / 2048 : 0), "\(i)")
        }
    }
}
