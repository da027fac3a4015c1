import Foundation
import Kernels
import KVCache
import Model

/// How much memory the KV cache may take: a byte count ("2GiB", "512MB", "1073741824") or a
/// fraction of physical memory ("0.25").
public enum KVMemoryBudget: Sendable, Equatable {
    case bytes(Int)
    case fractionOfMemory(Double)

    /// Parses a command-line value; nil when it is neither a size nor a fraction in (0, 1].
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let fraction = Double(trimmed), fraction > 0, fraction <= 1, trimmed.contains(".") || fraction == 1 {
            self = .fractionOfMemory(fraction)
            return
        }
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("GB", 1_000_000_000),
                                      ("MB", 1_000_000), ("KB", 1000), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), value > 0 else { return nil }
            self = .bytes(Int(value * Double(scale)))
            return
        }
        guard let value = Int(trimmed), value > 0 else { return nil }
        self = .bytes(value)
    }

    /// The budget in bytes on this machine.
    public var byteCount: Int {
        switch self {
        case .bytes(let count): count
        case .fractionOfMemory(let fraction): Int(Double(ProcessInfo.processInfo.physicalMemory) * fraction)
        }
    }

    /// KV blocks of `blockSize` positions, stored as `elementType`, that fit in the budget for
    /// `configuration`'s model.
    public func blockCount(for configuration: ModelConfiguration, blockSize: Int, elementType: KVElementType = .f16) -> Int {
        let perBlock = blockSize * KVStorage.bytesPerSlot(layers: configuration.layers, kvHeads: configuration.kvHeads,
                                                          headSize: configuration.headSize, elementType: elementType)
        return byteCount / perBlock
    }
}
