/// How keys and values are held in the paged KV cache.
public enum KVElementType: String, Sendable, CaseIterable, Equatable {
    /// Half precision, two bytes per element.
    case f16
    /// ggml's Q8_0 block layout: each run of 32 elements of one (slot, head) row is stored as
    /// a Float16 scale d followed by 32 signed 8-bit codes, value ≈ d · code (34 bytes per 32
    /// elements, 1.0625 bytes per element). d = max|x| / 127, codes rounded to nearest.
    case q8_0

    /// Elements per Q8_0 block.
    public static let q8BlockSize = 32
    /// Bytes of one Q8_0 block: the Float16 scale, then the codes.
    public static let q8BlockBytes = 2 + 32

    /// Whether a head of `headSize` elements can be stored in this type (Q8_0 needs whole blocks).
    public func supports(headSize: Int) -> Bool {
        switch self {
        case .f16: headSize >= 0
        case .q8_0: headSize > 0 && headSize % Self.q8BlockSize == 0
        }
    }

    /// Bytes of one (slot, head) row of `headSize` elements.
    public func rowBytes(headSize: Int) -> Int {
        switch self {
        case .f16: headSize * MemoryLayout<Float16>.stride
        case .q8_0: headSize / Self.q8BlockSize * Self.q8BlockBytes
        }
    }
}
