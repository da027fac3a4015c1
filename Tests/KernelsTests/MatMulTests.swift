import Testing
@testable import Kernels

/// The fast matmul paths against the dequantize-then-multiply reference, on shapes that are not
/// multiples of the thread chunk and with several token counts (decode and prefill).
struct MatMulTests {
    static let shapes: [(rows: Int, columns: Int, tokens: Int)] = [(1, 32, 1), (7, 64, 3), (37, 96, 1), (130, 160, 5), (576, 576, 2)]
    /// K-quant rows are whole super-blocks of 256 elements.
    static let superBlockShapes: [(rows: Int, columns: Int, tokens: Int)] = [(1, 256, 1), (7, 256, 3), (37, 512, 1), (130, 768, 5)]

    static func shapes(for type: WeightType) -> [(rows: Int, columns: Int, tokens: Int)] {
        type.blockSize == 256 ? superBlockShapes : shapes
    }

    /// Quantized-activation paths lose precision to the 8-bit activations; float paths only to
    /// summation order.
    static func tolerance(_ type: WeightType) -> Double {
        switch type {
        case .f32: 1e-6
        case .f16, .bf16: 1e-5
        case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_K, .q5_K, .q6_K: 1.5e-2
        }
    }

    func run(_ type: WeightType, path: KernelPath, rows: Int, columns: Int, tokens: Int, threads: Int) -> (fast: [Float], reference: [Float]) {
        var random = TestRandom(seed: UInt64(rows * 1000 + columns * 10 + tokens))
        var encoded: [UInt8] = []
        for _ in 0..<rows {
            let row = random.floats(columns)
            encoded += row.withUnsafeBufferPointer { quantizeRow(type, $0) }
        }
        let input = random.floats(tokens * columns, scale: 2)
        var fast = [Float](repeating: .nan, count: tokens * rows)
        var reference = [Float](repeating: .nan, count: tokens * rows)
        let pool = ThreadPool(threadCount: threads)
        let scratch = QuantizedActivations(capacityRows: tokens, columns: max(32, columns))
        encoded.withUnsafeBytes { raw in
            let weights = WeightMatrix(type: type, rows: rows, columns: columns, base: raw.baseAddress!)
            let scratch = type.usesQuantizedActivations ? QuantizedActivations(capacityRows: tokens, columns: columns) : scratch
            MatMul(path: path)(weights, input: input, tokens: tokens, output: &fast, scratch: scratch, pool: pool)
            referenceMatMul(weights, input: input, tokens: tokens, output: &reference)
        }
        return (fast, reference)
    }

    @Test(arguments: WeightType.allCases)
    func portableMatchesReference(type: WeightType) {
        for shape in Self.shapes(for: type) {
            let (fast, reference) = run(type, path: .portable, rows: shape.rows, columns: shape.columns, tokens: shape.tokens, threads: 2)
            #expect(normalizedError(fast, reference) < Self.tolerance(type), "\(type) \(shape)")
        }
    }

    @Test(.enabled(if: KernelPath.avx2Available), arguments: WeightType.allCases)
    func avx2MatchesReference(type: WeightType) {
        for shape in Self.shapes(for: type) {
            let (fast, reference) = run(type, path: .avx2, rows: shape.rows, columns: shape.columns, tokens: shape.tokens, threads: 2)
            #expect(normalizedError(fast, reference) < Self.tolerance(type), "\(type) \(shape)")
        }
    }

    /// The integer part of the quantized dot products is exact, so the AVX2 and portable paths
    /// differ only by float summation order.
    @Test(.enabled(if: KernelPath.avx2Available), arguments: WeightType.allCases)
    func avx2MatchesPortable(type: WeightType) {
        let columns = type.blockSize == 256 ? 512 : 224
        let avx = run(type, path: .avx2, rows: 67, columns: columns, tokens: 3, threads: 1).fast
        let portable = run(type, path: .portable, rows: 67, columns: columns, tokens: 3, threads: 1).fast
        #expect(normalizedError(avx, portable) < 1e-5)
    }

    @Test func quantizeRoundTripErrorBounds() {
        var random = TestRandom(seed: 7)
        let values = random.floats(4096)
        // Worst-case relative error of each format on uniform values, from its step size.
        // Uniform rounding error is step/√12 against an RMS value of 1/√3: Q5_0 steps 1/16 (≈ 0.031),
        // Q5_1 and Q5_K 2/31 (≈ 0.032), Q4_K 2/15 (≈ 0.067), Q6_K 1/32 (≈ 0.016).
        let bounds: [WeightType: Double] = [.f32: 0, .f16: 1e-3, .bf16: 8e-3, .q8_0: 1e-2, .q4_0: 0.12, .q4_1: 0.07,
                                            .q5_0: 0.04, .q5_1: 0.04, .q4_K: 0.08, .q5_K: 0.04, .q6_K: 0.02]
        for type in WeightType.allCases {
            let encoded = values.withUnsafeBufferPointer { quantizeRow(type, $0) }
            var decoded = [Float](repeating: 0, count: values.count)
            encoded.withUnsafeBytes { dequantizeRow(type, $0.baseAddress!, into: &decoded, count: values.count) }
            #expect(normalizedError(decoded, values) <= bounds[type]!, "\(type)")
        }
    }

    /// Hand-built Q4_1 block: d = 0.5, m = −1, codes 0...15 then 15...0.
    @Test func q4_1BlockLayout() {
        var block: [UInt8] = []
        block += withUnsafeBytes(of: Float16(0.5).bitPattern) { Array($0) }
        block += withUnsafeBytes(of: Float16(-1).bitPattern) { Array($0) }
        for j in 0..<16 { block.append(UInt8(j) | UInt8(15 - j) << 4) }
        var out = [Float](repeating: 0, count: 32)
        block.withUnsafeBytes { dequantizeRow(.q4_1, $0.baseAddress!, into: &out, count: 32) }
        #expect(out[0] == -1 && out[15] == 6.5 && out[16] == 6.5 && out[31] == -1)
    }
}

/// Prefill groups tokens four, six or eight at a time; each token's result must not depend on its
/// group, with the AVX2 eight-token kernel and with the AVX-512 one (where the CPU has it).
struct GroupedTokenKernelTests {
    @Test(.enabled(if: KernelPath.avx2Available),
          arguments: [WeightType.q8_0, .q4_0, .q4_1, .f32, .f16, .bf16], [5, 9, 21, 37])
    func groupedTokensMatchOneAtATime(type: WeightType, tokens: Int) {
        let rows = 37, columns = 96
        var random = TestRandom(seed: 99)
        var encoded: [UInt8] = []
        for _ in 0..<rows { encoded += random.floats(columns).withUnsafeBufferPointer { quantizeRow(type, $0) } }
        let input = random.floats(tokens * columns, scale: 2)
        let pool = ThreadPool(threadCount: 2)
        for avx512 in KernelPath.avx512Available ? [false, true] : [false] {
            var batched = [Float](repeating: .nan, count: tokens * rows)
            var single = [Float](repeating: .nan, count: tokens * rows)
            let matmul = MatMul(path: .avx2, avx512: avx512)
            encoded.withUnsafeBytes { raw in
                let weights = WeightMatrix(type: type, rows: rows, columns: columns, base: raw.baseAddress!)
                let scratch = QuantizedActivations(capacityRows: tokens, columns: columns)
                matmul(weights, input: input, tokens: tokens, output: &batched, scratch: scratch, pool: pool)
                input.withUnsafeBufferPointer { x in
                    single.withUnsafeMutableBufferPointer { out in
                        for t in 0..<tokens {
                            matmul(weights, input: x.baseAddress! + t * columns, tokens: 1,
                                   output: out.baseAddress! + t * rows, scratch: scratch, pool: pool)
                        }
                    }
                }
            }
            #expect(batched == single, "avx512: \(avx512)")
        }
    }
}
