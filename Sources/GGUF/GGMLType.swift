/// The element type of a tensor stored in a GGUF file (`enum ggml_type` in ggml).
///
/// Raw values are the ids written in the tensor-info section of the file. Ids that ggml has
/// retired (4, 5, 31–33, 36–38) are deliberately absent, so reading them fails with
/// `GGUFError.Kind.unknownTensorType`.
public enum GGMLType: UInt32, Sendable, CaseIterable, Hashable {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case iq2_xxs = 16
    case iq2_xs = 17
    case iq3_xxs = 18
    case iq1_s = 19
    case iq4_nl = 20
    case iq3_s = 21
    case iq2_s = 22
    case iq4_xs = 23
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case iq1_m = 29
    case bf16 = 30
    case tq1_0 = 34
    case tq2_0 = 35
    case mxfp4 = 39
    case nvfp4 = 40
    case q1_0 = 41
}

extension GGMLType {
    /// Elements in the super-block used by the K-quants and most i-quants (`QK_K`).
    private static let superBlock = 256

    /// Number of elements encoded by one block: 1 for plain scalar types, 32 for the classic
    /// quants (`q4_0` … `q8_1`, `iq4_nl`, `mxfp4`), 256 for K-quants and most i-quants.
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64:
            return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_nl, .mxfp4:
            return 32
        case .nvfp4:
            return 64
        case .q1_0:
            return 128
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K,
             .iq2_xxs, .iq2_xs, .iq3_xxs, .iq1_s, .iq3_s, .iq2_s, .iq4_xs, .iq1_m,
             .tq1_0, .tq2_0:
            return Self.superBlock
        }
    }

    /// Size in bytes of one block of `blockSize` elements, as laid out by ggml's block structs.
    public var bytesPerBlock: Int {
        let k = Self.superBlock
        switch self {
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .f64, .i64: return 8
        case .i8: return 1
        // Classic quants: fp16 scale (d), optional fp16 min (m), optional high-bit mask, nibbles.
        case .q4_0: return 2 + 16
        case .q4_1: return 2 + 2 + 16
        case .q5_0: return 2 + 4 + 16
        case .q5_1: return 2 + 2 + 4 + 16
        case .q8_0: return 2 + 32
        case .q8_1: return 4 + 4 + 32
        // K-quants over a 256-element super-block.
        case .q2_K: return 2 + 2 + k / 16 + k / 4
        case .q3_K: return 2 + k / 4 + k / 8 + 12
        case .q4_K: return 2 + 2 + k / 2 + 12
        case .q5_K: return 2 + 2 + k / 2 + k / 8 + 12
        case .q6_K: return 2 + k / 2 + k / 4 + k / 16
        case .q8_K: return 4 + k + k / 8
        // i-quants and ternary quants.
        case .iq2_xxs: return 2 + k / 4
        case .iq2_xs: return 2 + k / 4 + k / 32
        case .iq3_xxs: return 2 + k / 4 + k / 8
        case .iq1_s: return 2 + k / 8 + k / 16
        case .iq4_nl: return 2 + 16
        case .iq3_s: return 2 + k / 4 + k / 8 + k / 32 + 4
        case .iq2_s: return 2 + k / 4 + k / 16
        case .iq4_xs: return 2 + 2 + k / 2 + k / 64
        case .iq1_m: return k / 8 + k / 16 + k / 32
        case .tq1_0: return 2 + 4 * 13
        case .tq2_0: return 2 + 64
        case .mxfp4: return 1 + 16
        case .nvfp4: return 4 + 32
        case .q1_0: return 2 + 16
        }
    }

    /// Bytes needed to store `elements` values of this type.
    ///
    /// Returns `nil` when `elements` is negative, is not a whole number of blocks, or the
    /// byte count does not fit in `Int`.
    public func byteCount(elements: Int) -> Int? {
        guard elements >= 0, elements % blockSize == 0 else { return nil }
        let (bytes, overflow) = (elements / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
        return overflow ? nil : bytes
    }

    /// The type's name as ggml's tooling prints it, e.g. `"F32"`, `"Q4_1"`, `"IQ2_XXS"`.
    public var name: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q5_0: return "Q5_0"
        case .q5_1: return "Q5_1"
        case .q8_0: return "Q8_0"
        case .q8_1: return "Q8_1"
        case .q2_K: return "Q2_K"
        case .q3_K: return "Q3_K"
        case .q4_K: return "Q4_K"
        case .q5_K: return "Q5_K"
        case .q6_K: return "Q6_K"
        case .q8_K: return "Q8_K"
        case .iq2_xxs: return "IQ2_XXS"
        case .iq2_xs: return "IQ2_XS"
        case .iq3_xxs: return "IQ3_XXS"
        case .iq1_s: return "IQ1_S"
        case .iq4_nl: return "IQ4_NL"
        case .iq3_s: return "IQ3_S"
        case .iq2_s: return "IQ2_S"
        case .iq4_xs: return "IQ4_XS"
        case .i8: return "I8"
        case .i16: return "I16"
        case .i32: return "I32"
        case .i64: return "I64"
        case .f64: return "F64"
        case .iq1_m: return "IQ1_M"
        case .bf16: return "BF16"
        case .tq1_0: return "TQ1_0"
        case .tq2_0: return "TQ2_0"
        case .mxfp4: return "MXFP4"
        case .nvfp4: return "NVFP4"
        case .q1_0: return "Q1_0"
        }
    }
}

extension GGMLType: CustomStringConvertible {
    /// Same as `name`.
    public var description: String { name }
}
