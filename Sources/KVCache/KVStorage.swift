import Kernels

/// The key/value memory of all layers, carved into fixed-size blocks of token slots.
///
/// Sequences do not own contiguous regions: each has a block table mapping its logical blocks
/// (positions p / blockSize) to physical blocks here, as in vLLM's PagedAttention. One block
/// holds `blockSize` slots in every layer.
public final class KVStorage: @unchecked Sendable {
    public let layers: Int
    public let blockCount: Int
    public let blockSize: Int
    public let kvHeads: Int
    public let headSize: Int
    /// per layer: (blockCount, blockSize, kvHeads, headSize) Float16
    private let keys: [UnsafeMutablePointer<Float16>]
    private let values: [UnsafeMutablePointer<Float16>]

    /// Bytes of keys and values held per token slot across all layers.
    public static func bytesPerSlot(layers: Int, kvHeads: Int, headSize: Int) -> Int {
        2 * layers * kvHeads * headSize * MemoryLayout<Float16>.stride
    }

    public init(layers: Int, blockCount: Int, blockSize: Int, kvHeads: Int, headSize: Int) {
        self.layers = layers
        self.blockCount = blockCount
        self.blockSize = blockSize
        self.kvHeads = kvHeads
        self.headSize = headSize
        let elements = blockCount * blockSize * kvHeads * headSize
        keys = (0..<layers).map { _ in .allocate(capacity: elements) }
        values = (0..<layers).map { _ in .allocate(capacity: elements) }
    }

    deinit {
        for pointer in keys { pointer.deallocate() }
        for pointer in values { pointer.deallocate() }
    }

    public var byteCount: Int { blockCount * blockSize * Self.bytesPerSlot(layers: layers, kvHeads: kvHeads, headSize: headSize) }

    /// The paged view of one layer for the attention kernel.
    public func layer(_ index: Int) -> PagedKV {
        PagedKV(keys: keys[index], values: values[index], blockSize: blockSize, kvHeads: kvHeads, headSize: headSize)
    }
}

extension KVStorage {
    /// Copies every layer's keys and values of block `source` into block `destination`
    /// (copy-on-write of a shared, partly filled block).
    public func copyBlock(from source: Int, to destination: Int) {
        let blockElements = blockSize * kvHeads * headSize
        for l in 0..<layers {
            let view = layer(l)
            (view.keys + destination * blockElements).update(from: view.keys + source * blockElements, count: blockElements)
            (view.values + destination * blockElements).update(from: view.values + source * blockElements, count: blockElements)
        }
    }
}
