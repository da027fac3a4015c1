import Testing
@testable import Kernels

/// The AVX2 K-quant matmul (one-token and four-token kernels) against the dequantize-then-multiply
/// reference and the portable kernels, on row counts that are not multiples of the thread chunk
/// and token counts on both sides of the four-token tiles.
struct KQuantKernelTests {
    static let types: [WeightType] = [.q4_K, .q5_K, .q6_K]
    static let tokenCounts = [1, 3, 4, 5, 8, 9, 17]

    /// (rows, columns) weights of random values in [-1, 1), quantized by the codec.
    static func randomWeights(_ type: WeightType, rows: Int, columns: Int, seed: UInt64) -> [UInt8] {
        var random = TestRandom(seed: seed)
        var encoded: [UInt8] = []
        for _ in 0..<rows { encoded += random.floats(columns).withUnsafeBufferPointer { quantizeRow(type, $0) } }
        return encoded
    }

    /// (tokens, rows) results of `MatMul(path:)` on `pool`.
    static func matmul(_ type: WeightType, _ encoded: [UInt8], rows: Int, columns: Int, input: [Float], tokens: Int,
                       path: KernelPath, threads: Int = 2) -> [Float] {
        var output = [Float](repeating: .nan, count: tokens * rows)
        let pool = ThreadPool(threadCount: threads)
        encoded.withUnsafeBytes { raw in
            let weights = WeightMatrix(type: type, rows: rows, columns: columns, base: raw.baseAddress!)
            let scratch = QuantizedActivations(capacityRows: tokens, columns: columns)
            MatMul(path: path)(weights, input: input, tokens: tokens, output: &output, scratch: scratch, pool: pool)
        }
        return output
    }

    static func reference(_ type: WeightType, _ encoded: [UInt8], rows: Int, columns: Int, input: [Float], tokens: Int) -> [Float] {
        var output = [Float](repeating: .nan, count: tokens * rows)
        encoded.withUnsafeBytes { raw in
            let weights = WeightMatrix(type: type, rows: rows, columns: columns, base: raw.baseAddress!)
            referenceMatMul(weights, input: input, tokens: tokens, output: &output)
        }
        return output
    }

    /// The error left by 8-bit activations and the codec's rounding (as in `MatMulTests`).
    @Test(.enabled(if: KernelPath.avx2Available), arguments: types, tokenCounts)
    func avx2MatchesReference(type: WeightType, tokens: Int) {
        for (rows, columns) in [(1, 256), (7, 512), (37, 768), (130, 256)] {
            let encoded = Self.randomWeights(type, rows: rows, columns: columns, seed: UInt64(rows * 31 + columns))
            var random = TestRandom(seed: UInt64(tokens * 7 + rows))
            let input = random.floats(tokens * columns, scale: 2)
            let fast = Self.matmul(type, encoded, rows: rows, columns: columns, input: input, tokens: tokens, path: .avx2)
            let reference = Self.reference(type, encoded, rows: rows, columns: columns, input: input, tokens: tokens)
            #expect(fast.allSatisfy { $0.isFinite })
            #expect(normalizedError(fast, reference) < 1.5e-2, "\(type) rows \(rows) columns \(columns) tokens \(tokens)")
        }
    }

    /// Same quantized activations, same exact integer sums per block: AVX2 and portable differ
    /// only by float rounding, far below the activation quantization error.
    @Test(.enabled(if: KernelPath.avx2Available), arguments: types, [1, 5, 17])
    func avx2MatchesPortable(type: WeightType, tokens: Int) {
        let rows = 67, columns = 1024
        let encoded = Self.randomWeights(type, rows: rows, columns: columns, seed: 5)
        var random = TestRandom(seed: 6)
        let input = random.floats(tokens * columns, scale: 3)
        let avx = Self.matmul(type, encoded, rows: rows, columns: columns, input: input, tokens: tokens, path: .avx2, threads: 1)
        let portable = Self.matmul(type, encoded, rows: rows, columns: columns, input: input, tokens: tokens, path: .portable, threads: 1)
        #expect(normalizedError(avx, portable) < 1e-5, "\(type) tokens \(tokens)")
    }

    /// Tokens in four-token tiles and tokens done alone run the same per-token arithmetic, so
    /// each token's result is bit-identical however the batch is split.
    @Test(.enabled(if: KernelPath.avx2Available), arguments: types, [4, 5, 8, 9, 17])
    func tiledTokensMatchOneAtATime(type: WeightType, tokens: Int) {
        let rows = 37, columns = 512
        let encoded = Self.randomWeights(type, rows: rows, columns: columns, seed: 11)
        var random = TestRandom(seed: 12)
        let input = random.floats(tokens * columns, scale: 2)
        let batched = Self.matmul(type, encoded, rows: rows, columns: columns, input: input, tokens: tokens, path: .avx2)
        var single: [Float] = []
        for t in 0..<tokens {
            let token = Array(input[(t * columns)..<((t + 1) * columns)])
            single += Self.matmul(type, encoded, rows: rows, columns: columns, input: token, tokens: 1, path: .avx2)
        }
        #expect(batched == single, "\(type) tokens \(tokens)")
    }

    /// Largest codes, largest 6-bit (or most negative 8-bit) scales and full-scale activations
    /// (codes ±127): the kernels' 16-bit partial sums are at their bounds here, so an overflow
    /// or a saturating add would show as a large error.
    @Test(.enabled(if: KernelPath.avx2Available), arguments: types)
    func extremeCodesAndScales(type: WeightType) {
        let rows = 3, columns = 512, tokens = 5
        let encoded = extremeKQuantWeights(type, rows: rows, columns: columns)
        let input = fullScaleActivations(tokens: tokens, columns: columns)
        let fast = Self.matmul(type, encoded, rows: rows, columns: columns, input: input, tokens: tokens, path: .avx2)
        let portable = Self.matmul(type, encoded, rows: rows, columns: columns, input: input, tokens: tokens, path: .portable)
        let reference = Self.reference(type, encoded, rows: rows, columns: columns, input: input, tokens: tokens)
        #expect(normalizedError(fast, reference) < 1e-3, "\(type)")
        #expect(normalizedError(fast, portable) < 1e-6, "\(type)")
    }
}
