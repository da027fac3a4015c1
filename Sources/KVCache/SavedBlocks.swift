/// Keys and values of a preempted sequence, copied out of the block pool into one contiguous
/// buffer so its blocks can go to other sequences (swap-out), and copied back later (swap-in).
public struct SavedBlocks: Sendable {
    /// (blocks, layers, 2, blockSize, kvHeads, headSize) Float16: each logical block's keys then
    /// values for every layer, so restoring a suffix of blocks reads one contiguous range.
    let elements: [Float16]
    public let blockCount: Int

    public var byteCount: Int { elements.count * MemoryLayout<Float16>.stride }
}

extension KVStorage {
    /// Copies blocks `blocks` (a sequence's table, in logical order) out of the pool.
    public func save(blocks: [Int32]) -> SavedBlocks {
        let blockElements = blockSize * kvHeads * headSize
        let elements = [Float16](unsafeUninitializedCapacity: blocks.count * layers * 2 * blockElements) { buffer, count in
            guard var out = buffer.baseAddress else { return }
            for block in blocks {
                for l in 0..<layers {
                    let view = layer(l)
                    out.update(from: view.keys + Int(block) * blockElements, count: blockElements)
                    (out + blockElements).update(from: view.values + Int(block) * blockElements, count: blockElements)
                    out += 2 * blockElements
                }
            }
            count = buffer.count
        }
        return SavedBlocks(elements: elements, blockCount: blocks.count)
    }

    /// Writes saved logical blocks `firstBlock...` back into `blocks[firstBlock...]` (the
    /// sequence's new table; earlier entries came from the prefix cache and are left alone).
    public func restore(_ saved: SavedBlocks, into blocks: [Int32], from firstBlock: Int) {
        let blockElements = blockSize * kvHeads * headSize
        let end = min(saved.blockCount, blocks.count)
        guard firstBlock < end else { return }
        saved.elements.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var source = base + firstBlock * layers * 2 * blockElements
            for logical in firstBlock..<end {
                let block = Int(blocks[logical])
                for l in 0..<layers {
                    let view = layer(l)
                    (view.keys + block * blockElements).update(from: source, count: blockElements)
                    (view.values + block * blockElements).update(from: source + blockElements, count: blockElements)
                    source += 2 * blockElements
                }
            }
        }
    }
}
