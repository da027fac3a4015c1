import Kernels

/// Why a KV storage could not be created.
public enum KVStorageError: Error, Equatable, CustomStringConvertible {
    /// The element type cannot hold heads of this size (Q8_0 needs a multiple of 32).
    case unsupportedHeadSize(KVElementType, headSize: Int)

    public var description: String {
        switch self {
        case .unsupportedHeadSize(let type, let headSize):
            "\(type.rawValue) KV cache needs a head size that is a multiple of \(KVElementType.q8BlockSize); this model's is \(headSize) (use f16)"
        }
    }
}
