/// Element encodings of weight matrices the kernels can read.
///
/// Block layouts follow ggml's (GGUF) definitions; each row of a matrix is a whole number of blocks.
public enum WeightType: Sendable, Equatable, CaseIterable {
    case f32
    case f16
    case bf16
    /// 32 elements: f16 scale `d`, 32 × int8. value = d · q
    case q8_0
    /// 32 elements: f16 scale `d`, 16 bytes of 4-bit codes. value = d · (q − 8)
    case q4_0
    /// 32 elements: f16 scale `d`, f16 minimum `m`, 16 bytes of 4-bit codes. value = d · q + m
    case q4_1
    /// 32 elements: f16 scale `d`, 4 bytes of high bits `qh`, 16 bytes of low nibbles.
    /// value = d · (q − 16), q = low nibble | bit j of `qh` << 4
    case q5_0
    /// 32 elements: f16 scale `d`, f16 minimum `m`, 4 bytes `qh`, 16 bytes of low nibbles.
    /// value = d · q + m
    case q5_1
    /// 256 elements (8 sub-blocks of 32): f16 `d`, f16 `dmin`, 12 bytes of packed 6-bit
    /// sub-block scales and mins, 128 bytes of 4-bit codes. value = d · scale · q − dmin · min
    case q4_K
    /// 256 elements: as `q4_K` plus 32 bytes of fifth bits `qh` (176 bytes in all).
    case q5_K
    /// 256 elements (16 sub-blocks of 16): 128 bytes of low nibbles `ql`, 64 bytes of 2-bit
    /// high parts `qh`, 16 int8 sub-block scales, f16 `d`. value = d · scale · (q − 32)
    case q6_K

    /// Elements per block.
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: 1
        case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1: 32
        case .q4_K, .q5_K, .q6_K: 256
        }
    }

    /// Bytes per block.
    public var bytesPerBlock: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .q8_0: 34
        case .q4_0: 18
        case .q4_1: 20
        case .q5_0: 22
        case .q5_1: 24
        case .q4_K: 144
        case .q5_K: 176
        case .q6_K: 210
        }
    }

    /// Bytes taken by one row of `columns` elements (a multiple of `blockSize`).
    public func rowBytes(columns: Int) -> Int { columns / blockSize * bytesPerBlock }

    /// Whether the decode path quantizes activations to 8 bits and uses integer dot products.
    public var usesQuantizedActivations: Bool { activationQuantization != nil }

    /// How the activations multiplied with this format are quantized; nil for float formats.
    /// The K-quants take one scale per 256 values, as llama.cpp does (its Q8_K), so that their
    /// kernels sum whole super-blocks in integers.
    public var activationQuantization: ActivationQuantization? {
        switch self {
        case .f32, .f16, .bf16: nil
        case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1: .perBlock
        case .q4_K, .q5_K, .q6_K: .perSuperBlock
        }
    }
}

/// A read-only view of a row-major weight matrix in one of the `WeightType` encodings.
///
/// `rows` output features, each a contiguous row of `columns` input features. The memory is
/// owned elsewhere (usually a memory-mapped GGUF file) and must outlive the view.
public struct WeightMatrix: @unchecked Sendable {
    public let type: WeightType
    public let rows: Int
    public let columns: Int
    public let base: UnsafeRawPointer
    public let rowStride: Int

    public init(type: WeightType, rows: Int, columns: Int, base: UnsafeRawPointer) {
        precondition(columns % type.blockSize == 0, "columns must be a multiple of the block size")
        self.type = type
        self.rows = rows
        self.columns = columns
        self.base = base
        self.rowStride = type.rowBytes(columns: columns)
    }

    @inline(__always)
    public func row(_ index: Int) -> UnsafeRawPointer { base + index * rowStride }
}
