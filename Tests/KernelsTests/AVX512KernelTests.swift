import Testing
@testable import Kernels

/// The AVX-512 VNNI kernels for Q8_0, Q4_0 and Q4_1 (one to three tokens, and tiles of eight)
/// against the AVX2 ones (the float arithmetic per token is the same, so results must be
/// bit-identical) and against the plain reference. Row counts leave an odd row for the two-row
/// tile, token counts leave tokens beyond the last tile of eight, and odd block counts leave a
/// block beyond the last pair.
@Suite(.enabled(if: KernelPath.avx512Available, "the CPU has no AVX-512 VNNI; the AVX2 kernels cover it"))
struct AVX512KernelTests {
    static let shapes: [(rows: Int, columns: Int, tokens: Int)] = [(1, 32, 8), (2, 64, 16), (37, 96, 19), (130, 576, 37), (3, 1536, 8), (5, 96, 1), (37, 160, 2), (9, 224, 3)]

    @Test(arguments: [WeightType.q8_0, .q4_0, .q4_1])
    func matchesAVX2BitForBitAndTheReference(type: WeightType) {
        for shape in Self.shapes {
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
                let scratch = QuantizedActivations(capacityRows: shape.tokens + 3, columns: shape.columns)
                MatMul(path: .avx2, avx512: true)(weights, input: input, tokens: shape.tokens, output: &avx512, scratch: scratch, pool: pool)
                MatMul(path: .avx2, avx512: false)(weights, input: input, tokens: shape.tokens, output: &avx2, scratch: scratch, pool: pool)
                referenceMatMul(weights, input: input, tokens: shape.tokens, output: &reference)
            }
            #expect(avx512 == avx2, "\(type) \(shape)")
            #expect(normalizedError(avx512, reference) < MatMulTests.tolerance(type), "\(type) \(shape)")
        }
    }

    @Test func isChosenByDefaultOnThisCPU() {
        #expect(MatMul(path: .avx2).usesAVX512 || getenvString("TERN_KERNELS") == "avx2")
        #expect(!MatMul(path: .portable).usesAVX512)
    }
}
