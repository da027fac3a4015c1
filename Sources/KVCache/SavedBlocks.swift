/// Keys and values of a preempted sequence, copied out of the block pool into one contiguous
/// buffer so its blocks can go to other sequences (swap-out), and copied back later (swap-in).
public struct SavedBlocks: Sendable {
    /// (blocks, layers, 2, blockBytes) bytes in the storage's element type: each logical block's
    /// keys then values for every layer, so restoring a suffix of blocks reads one contiguous range.
    let bytes: [UInt8]
    public let blockCount: Int

    public var byteCount: Int { bytes.count }
}

extension KVStorage {
    /// Copies blocks `blocks` (a sequence's table, in logical order) out of the pool.
    public func save(blocks: [Int32]) -> SavedBlocks {
        let blockBytes = blockBytes
        let bytes = [UInt8](unsafeUninitializedCapacity: blocks.count * layers * 2 * blockBytes) { buffer, count in
            guard let base = buffer.baseAddress else { return }
            var out = UnsafeMutableRawPointer(base)
            for block in blocks {
                for l in 0..<layers {
                    let view = layer(l)
                    out.copyMemory(from: view.keyBytes + Int(block) * blockBytes, byteCount: blockBytes)
                    (out + blockBytes).copyMemory(from: view.valueBytes + Int(block) * blockBytes, byteCount: blockBytes)
                    out += 2 * blockBytes
                }
            }
            count = buffer.count
        }
        return SavedBlocks(bytes: bytes, blockCount: blocks.count)
    }

    /// Writes saved logical blocks `firstBlock...` back into `blocks[firstBlock...]` (the
    /// sequence's new table; earlier entries came from the prefix cache and are left alone).
    /// `saved` must come from a storage of the same shape and element type.
    public func restore(_ saved: SavedBlocks, into blocks: [Int32], from firstBlock: Int) {
        let blockBytes = blockBytes
        let end = min(saved.blockCount, blocks.count)
        guard firstBlock < end, saved.bytes.count == saved.blockCount * layers * 2 * blockBytes else { return }
        saved.bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var source = base + firstBlock * layers * 2 * blockBytes
            for logical in firstBlock..<end {
                let block = Int(blocks[logical])
                for l in 0..<layers {
                    let view = layer(l)
                    (view.keyBytes + block * blockBytes).copyMemory(from: source, byteCount: blockBytes)
                    (view.valueBytes + block * blockBytes).copyMemory(from: source + blockBytes, byteCount: blockBytes)
                    source += 2 * blockBytes
                }
            }
        }
    }
}
