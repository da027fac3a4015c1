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
    public let elementType: KVElementType
    /// per layer: (blockCount, blockSize, kvHeads, rowBytes) bytes, rows of `elementType`
    private let keys: [UnsafeMutableRawPointer]
    private let values: [UnsafeMutableRawPointer]

    /// Bytes of keys and values held per token slot across all layers.
    public static func bytesPerSlot(layers: Int, kvHeads: Int, headSize: Int, elementType: KVElementType = .f16) -> Int {
        2 * layers * kvHeads * elementType.rowBytes(headSize: headSize)
    }

    /// Half-precision storage.
    public convenience init(layers: Int, blockCount: Int, blockSize: Int, kvHeads: Int, headSize: Int) {
        self.init(checked: layers, blockCount: blockCount, blockSize: blockSize, kvHeads: kvHeads, headSize: headSize,
                  elementType: .f16)
    }

    /// Storage of `elementType` rows; throws when that type cannot hold heads of `headSize`
    /// (Q8_0 needs a multiple of 32).
    public convenience init(layers: Int, blockCount: Int, blockSize: Int, kvHeads: Int, headSize: Int,
                            elementType: KVElementType) throws(KVStorageError) {
        guard elementType.supports(headSize: headSize) else { throw .unsupportedHeadSize(elementType, headSize: headSize) }
        self.init(checked: layers, blockCount: blockCount, blockSize: blockSize, kvHeads: kvHeads, headSize: headSize,
                  elementType: elementType)
    }

    /// `elementType.supports(headSize:)` holds.
    private init(checked layers: Int, blockCount: Int, blockSize: Int, kvHeads: Int, headSize: Int, elementType: KVElementType) {
        self.layers = layers
        self.blockCount = blockCount
        self.blockSize = blockSize
        self.kvHeads = kvHeads
        self.headSize = headSize
        self.elementType = elementType
        let bytes = blockCount * blockSize * kvHeads * elementType.rowBytes(headSize: headSize)
        func allocate() -> UnsafeMutableRawPointer {
            let pointer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            // f16 rows are read through typed Float16 pointers; Q8_0 rows only as raw bytes.
            if elementType == .f16 { pointer.bindMemory(to: Float16.self, capacity: bytes / 2) }
            return pointer
        }
        keys = (0..<layers).map { _ in allocate() }
        values = (0..<layers).map { _ in allocate() }
    }

    deinit {
        for pointer in keys { pointer.deallocate() }
        for pointer in values { pointer.deallocate() }
    }

    public var byteCount: Int {
        blockCount * blockSize * Self.bytesPerSlot(layers: layers, kvHeads: kvHeads, headSize: headSize, elementType: elementType)
    }

    /// Bytes of one layer's keys (or values) in one block.
    var blockBytes: Int { blockSize * kvHeads * elementType.rowBytes(headSize: headSize) }

    /// The paged view of one layer for the attention kernel.
    public func layer(_ index: Int) -> PagedKV {
        PagedKV(keyBytes: keys[index], valueBytes: values[index], elementType: elementType, blockSize: blockSize,
                kvHeads: kvHeads, headSize: headSize)
    }
}

extension KVStorage {
    /// Copies every layer's keys and values of block `source` into block `destination`
    /// (copy-on-write of a shared, partly filled block).
    public func copyBlock(from source: Int, to destination: Int) {
        let bytes = blockBytes
        for l in 0..<layers {
            (keys[l] + destination * bytes).copyMemory(from: keys[l] + source * bytes, byteCount: bytes)
            (values[l] + destination * bytes).copyMemory(from: values[l] + source * bytes, byteCount: bytes)
        }
    }
}
