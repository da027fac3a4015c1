/// Computes the prefix-cache key of one full block from the key of the block before it
/// (0 for the first block) and the block's token ids.
///
/// Chaining makes a block's key depend on the whole prefix, so equal keys mean equal prefixes
/// up to hash collisions; the `BlockManager` guards against collisions by comparing the stored
/// tokens and the parent block's identity before it reuses a block.
public typealias BlockHasher = @Sendable (_ parentHash: UInt64, _ tokens: ArraySlice<Int32>) -> UInt64

/// The default `BlockHasher`: 64-bit FNV-1a over the parent hash's 8 bytes and each token's
/// 4 bytes, little-endian. Deterministic across processes, unlike `Hasher`.
public let fnv1aBlockHasher: BlockHasher = { parentHash, tokens in
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    @inline(__always) func mix(_ byte: UInt64) {
        hash ^= byte & 0xff
        hash &*= 0x0000_0100_0000_01b3
    }
    for shift in stride(from: 0, to: 64, by: 8) { mix(parentHash >> UInt64(shift)) }
    for token in tokens {
        let bits = UInt64(UInt32(bitPattern: token))
        for shift in stride(from: 0, to: 32, by: 8) { mix(bits >> UInt64(shift)) }
    }
    return hash
}

/// What a cached block holds, kept to verify a hash hit before reusing the block.
struct CachedBlockContent: Sendable {
    /// The key under which the block is registered.
    var hash: UInt64
    /// The tokens of the block, compared on every hit.
    var tokens: [Int32]
    /// `contentID` of the parent block when this block was registered (0 for a first block).
    /// Content ids are never reused, so a match proves the whole prefix is the same.
    var parentContentID: UInt64
    /// A number unique to this registration.
    var contentID: UInt64
}

/// Why a `BlockManager` could not be created.
public enum BlockManagerError: Error, Equatable, CustomStringConvertible {
    case invalidBlockSize(Int)
    case invalidBlockCount(Int)

    public var description: String {
        switch self {
        case .invalidBlockSize(let size): "block size must be at least 1, got \(size)"
        case .invalidBlockCount(let count): "block count must be in 0...\(Int32.max), got \(count)"
        }
    }
}
