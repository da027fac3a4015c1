import Testing
@testable import Kernels

/// The AVX-512 kernels against the AVX2 ones and the plain reference. For Q8_0, Q4_0 and Q4_1
/// (VNNI; one to three tokens, and tiles of eight) the float arithmetic per token is the AVX2
/// kernels', so results must be bit-identical; for F32, F16 and BF16 (FMA tiles of four rows by
/// six tokens) they sum sixteen lanes instead of eight and must agree to rounding. Row counts
/// leave partial tiles, token counts tokens beyond the last tile, and block or column counts a
/// partial pair or chunk. That a token's result does not depend on its batch is
/// `GroupedTokenKernelTests`.
@Suite(.enabled(if: KernelPath.avx512Available, "the CPU has no AVX-512 VNNI; the AVX2 kernels cover it"))
struct AVX512KernelTests {
    /// Float weights: tiles of four rows by six tokens, and column counts that leave a partial
    /// chunk of sixteen.
    static let floatShapes: [(rows: Int, columns: Int, tokens: Int)] = [(1, 8, 1), (4, 16, 6), (7, 40, 13), (130, 100, 5), (9, 576, 12), (5, 1536, 2)]
    static let shapes: [(rows: Int, columns: Int, tokens: Int)] = [(1, 32, 8), (2, 64, 16), (37, 96, 19), (130, 576, 37), (3, 1536, 8), (5, 96, 1), (37, 160, 2), (9, 224, 3)]

    @Test(arguments: [WeightType.q8_0, .q4_0, .q4_1, .f32, .f16, .bf16])
    func matchesAVX2AndTheReference(type: WeightType) {
        for shape in type.usesQuantizedActivations ? Self.shapes : Self.floatShapes {
            var random = TestRandom(seed: UInt64(shape.rows * 31 + shape.columns + shape.tokens))
            var encoded: [UInt8] = []
            for _ in 0..<shape.rows { encoded += random.floats(shape.columns).withUnsafeBufferPointer { quantizeRow(type, $0) } }
            // Some activations far larger than the rest, so block scales differ widely.
            var input = random.floats(shape.tokens * shape.columns, scale: 2)
            for i in stride(from: 5, to: input.count, by: 97) { input[i] *= 40 }
            let count = shape.tokens * shape.rows
            var avx512 = [Float](repeating: .nan, count: count)
            var avx2 = [Float](repeating: .nan, count: count)
            var reference = [Float](repeating: .nan, count: count)
            let pool = ThreadPool(threadCount: 2)
            encoded.withUnsafeBytes { raw in
                let weights = WeightMatrix(type: type, rows: shape.rows, columns: shape.columns, base: raw.baseAddress!)
                let scratch = QuantizedActivations(capacityRows: shape.tokens + 3, columns: (shape.columns + 31) / 32 * 32)  // unused by float weights
                MatMul(path: .avx2, avx512: true)(weights, input: input, tokens: shape.tokens, output: &avx512, scratch: scratch, pool: pool)
                MatMul(path: .avx2, avx512: false)(weights, input: input, tokens: shape.tokens, output: &avx2, scratch: scratch, pool: pool)
                referenceMatMul(weights, input: input, tokens: shape.tokens, output: &reference)
            }
            if type.usesQuantizedActivations {
                #expect(avx512 == avx2, "\(type) \(shape)")
            } else {
                #expect(normalizedError(avx512, avx2) < 1e-6, "\(type) \(shape)")
            }
            #expect(normalizedError(avx512, reference) < MatMulTests.tolerance(type), "\(type) \(shape)")
        }
    }

    @Test func isChosenByDefaultOnThisCPU() {
        #expect(MatMul(path: .avx2).usesAVX512 || getenvString("TERN_KERNELS") == "avx2")
        #expect(!MatMul(path: .portable).usesAVX512)
    }
}
