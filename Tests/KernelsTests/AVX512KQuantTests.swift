import Testing
@testable import Kernels

/// The AVX-512 K-quant kernels (one token, tiles of eight) against the plain reference with a
/// bound derived from the activation quantization, against the portable kernels (same codes,
/// same integer sums), and against themselves across batch sizes. Row counts are odd, token
/// counts leave tokens beyond the last tile, rows have several super-blocks, and rows of 2,560
/// take the tiles' passes of eight super-blocks (with thread chunks of more than one group of
/// rows for 300 rows).
@Suite(.enabled(if: KernelPath.avx512Available, "the CPU has no AVX-512 VNNI; the AVX2 K-quant kernels cover it"))
struct AVX512KQuantTests {
    static let types: [WeightType] = [.q4_K, .q5_K, .q6_K]
    static let shapes: [(rows: Int, columns: Int, tokens: Int)] = [(1, 256, 1), (7, 512, 9), (37, 768, 19), (130, 256, 8), (5, 1024, 3), (33, 2048, 17), (300, 2560, 9)]

    static func weights(_ type: WeightType, rows: Int, columns: Int, seed: UInt64) -> [UInt8] {
        var random = TestRandom(seed: seed)
        var encoded: [UInt8] = []
        for _ in 0..<rows { encoded += random.floats(columns).withUnsafeBufferPointer { quantizeRow(type, $0) } }
        return encoded
    }

    static func matmul(_ type: WeightType, _ encoded: [UInt8], rows: Int, columns: Int, input: [Float], tokens: Int,
                       path: KernelPath, avx512: Bool, threads: Int = 2) -> [Float] {
        var output = [Float](repeating: .nan, count: tokens * rows)
        encoded.withUnsafeBytes { raw in
            let weights = WeightMatrix(type: type, rows: rows, columns: columns, base: raw.baseAddress!)
            let scratch = QuantizedActivations(capacityRows: tokens + 2, columns: columns)
            MatMul(path: path, avx512: avx512)(weights, input: input, tokens: tokens, output: &output, scratch: scratch,
                                               pool: ThreadPool(threadCount: threads))
        }
        return output
    }

    /// Each code is within d/2 of x · 127 / max|x|, d being its super-block's scale, so a
    /// result differs from the exact product of the decoded weights with x by at most
    /// Σ |w| · d / 2, plus float rounding (bounded here by 1e-5 · Σ |w · x|).
    @Test(arguments: types)
    func withinTheActivationQuantizationBound(type: WeightType) {
        for shape in Self.shapes {
            let (rows, columns, tokens) = shape
            let encoded = Self.weights(type, rows: rows, columns: columns, seed: UInt64(rows * 31 + columns))
            var random = TestRandom(seed: UInt64(tokens * 7 + rows))
            var input = random.floats(tokens * columns, scale: 2)
            for i in stride(from: 5, to: input.count, by: 97) { input[i] *= 40 }
            let fast = Self.matmul(type, encoded, rows: rows, columns: columns, input: input, tokens: tokens, path: .avx2, avx512: true)
            var decoded = [Float](repeating: 0, count: rows * columns)
            encoded.withUnsafeBytes { raw in
                decoded.withUnsafeMutableBufferPointer { out in
                    for r in 0..<rows {
                        dequantizeRow(type, raw.baseAddress! + r * type.rowBytes(columns: columns), into: out.baseAddress! + r * columns, count: columns)
                    }
                }
            }
            var worst: Double = 0
            for t in 0..<tokens {
                for r in 0..<rows {
                    var exact: Double = 0, bound: Double = 0, magnitude: Double = 0
                    for s in 0..<columns / 256 {
                        var maxMagnitude: Double = 0, weightMass: Double = 0
                        for i in (256 * s)..<(256 * s + 256) {
                            let w = Double(decoded[r * columns + i]), x = Double(input[t * columns + i])
                            exact += w * x
                            magnitude += abs(w * x)
                            maxMagnitude = max(maxMagnitude, abs(x))
                            weightMass += abs(w)
                        }
                        bound += weightMass * maxMagnitude / 127 / 2
                    }
                    let error = abs(Double(fast[t * rows + r]) - exact)
                    worst = max(worst, error / (bound + 1e-5 * magnitude))
                }
            }
            #expect(worst <= 1, "\(type) \(shape)")
            #expect(fast.allSatisfy { $0.isFinite })
        }
    }

    /// The same quantized activations and exact integer sums: AVX-512 and portable differ only
    /// by float rounding.
    @Test(arguments: types)
    func matchesPortable(type: WeightType) {
        for shape in Self.shapes {
            let encoded = Self.weights(type, rows: shape.rows, columns: shape.columns, seed: 3)
            var random = TestRandom(seed: 4)
            let input = random.floats(shape.tokens * shape.columns, scale: 3)
            let fast = Self.matmul(type, encoded, rows: shape.rows, columns: shape.columns, input: input, tokens: shape.tokens,
                                   path: .avx2, avx512: true)
            let portable = Self.matmul(type, encoded, rows: shape.rows, columns: shape.columns, input: input, tokens: shape.tokens,
                                       path: .portable, avx512: false)
            #expect(normalizedError(fast, portable) < 1e-5, "\(type) \(shape)")
        }
    }

    /// Tokens in tiles of eight and tokens done alone: bit-identical results.
    @Test(arguments: types, [8, 9, 17, 23])
    func tilesMatchOneTokenBitForBit(type: WeightType, tokens: Int) {
        let rows = 300, columns = 2560
        #if TERN_AVX512
        #expect(columns / 256 > MatMul.superBlocksPerPass, "rows should span several tile passes")
        #endif
        let encoded = Self.weights(type, rows: rows, columns: columns, seed: 11)
        var random = TestRandom(seed: 12)
        let input = random.floats(tokens * columns, scale: 2)
        let batched = Self.matmul(type, encoded, rows: rows, columns: columns, input: input, tokens: tokens, path: .avx2, avx512: true)
        var single: [Float] = []
        for t in 0..<tokens {
            let token = Array(input[(t * columns)..<((t + 1) * columns)])
            single += Self.matmul(type, encoded, rows: rows, columns: columns, input: token, tokens: 1, path: .avx2, avx512: true, threads: 1)
        }
        #expect(batched == single, "\(type) tokens \(tokens)")
    }

    /// Largest codes and scales (Q6_K: code 0, i.e. −32, with scale −128) against activation
    /// codes ±127: the 16-bit packed lanes are at their bounds, so an overflow or saturation
    /// would show as a large error.
    @Test(arguments: types)
    func extremeCodesAndScales(type: WeightType) {
        let rows = 3, columns = 512, tokens = 9
        let encoded = extremeKQuantWeights(type, rows: rows, columns: columns)
        let input = fullScaleActivations(tokens: tokens, columns: columns)
        let fast = Self.matmul(type, encoded, rows: rows, columns: columns, input: input, tokens: tokens, path: .avx2, avx512: true)
        var reference = [Float](repeating: .nan, count: tokens * rows)
        encoded.withUnsafeBytes { raw in
            referenceMatMul(WeightMatrix(type: type, rows: rows, columns: columns, base: raw.baseAddress!), input: input, tokens: tokens, output: &reference)
        }
        // ±1 quantize exactly (codes ±127, d = 1/127), so only float rounding remains.
        #expect(normalizedError(fast, reference) < 1e-6, "\(type)")
    }
}
