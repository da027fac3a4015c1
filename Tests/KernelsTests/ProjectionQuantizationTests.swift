import Testing
@testable import Kernels

/// `MatMul.project` over weight formats that want different activation quantizations: each
/// projection must give exactly what it gives with the input quantized for it alone.
struct ProjectionQuantizationTests {
    static var paths: [(KernelPath, Bool)] {
        var paths: [(KernelPath, Bool)] = [(.portable, false)]
        if KernelPath.avx2Available { paths.append((.avx2, false)) }
        if KernelPath.avx512Available { paths.append((.avx2, true)) }
        return paths
    }

    @Test(arguments: [1, 9])
    func mixedFormatsMatchSeparateQuantization(tokens: Int) {
        let rows = 19, columns = 512
        let types: [WeightType] = [.q6_K, .q8_0, .q4_K, .f16, .q5_K, .q4_0]
        var random = TestRandom(seed: 21)
        let encoded = types.map { type in (0..<rows).flatMap { _ in random.floats(columns).withUnsafeBufferPointer { quantizeRow(type, $0) } } }
        let input = random.floats(tokens * columns, scale: 2)
        for (path, avx512) in Self.paths {
            let matmul = MatMul(path: path, avx512: avx512)
            let pool = ThreadPool(threadCount: 2)
            let count = tokens * rows
            let together = UnsafeMutablePointer<Float>.allocate(capacity: types.count * count)
            defer { together.deallocate() }
            var separate = [[Float]](repeating: [Float](repeating: .nan, count: count), count: types.count)
            withWeights(types, encoded, rows: rows, columns: columns) { weights in
                let scratch = QuantizedActivations(capacityRows: tokens, columns: columns)
                matmul.project(input, tokens: tokens, scratch: scratch, pool: pool, weights.indices.map { (weights[$0], together + $0 * count) })
                for (k, w) in weights.enumerated() {
                    matmul(w, input: input, tokens: tokens, output: &separate[k], scratch: QuantizedActivations(capacityRows: tokens, columns: columns), pool: pool)
                }
            }
            for k in types.indices {
                #expect(Array(UnsafeBufferPointer(start: together + k * count, count: count)) == separate[k], "\(types[k]) \(path) avx512 \(avx512)")
            }
        }
    }

    /// Reusing a quantization made for another weight format is refused.
    @Test func reusingTheWrongModeIsRefused() async {
        await #expect(processExitsWith: .failure) {
            let columns = 256
            let block = [Float](repeating: 0.5, count: columns).withUnsafeBufferPointer { quantizeRow(.q4_K, $0) }
            let scratch = QuantizedActivations(capacityRows: 1, columns: columns)
            let input = [Float](repeating: 1, count: columns)
            scratch.quantize(input, rows: 1, mode: .perBlock)
            var output: [Float] = [0]
            block.withUnsafeBytes { raw in
                MatMul()(WeightMatrix(type: .q4_K, rows: 1, columns: columns, base: raw.baseAddress!), input: input, tokens: 1,
                         output: &output, scratch: scratch, pool: ThreadPool(threadCount: 1), quantizeInput: false)
            }
        }
    }

    private func withWeights(_ types: [WeightType], _ encoded: [[UInt8]], rows: Int, columns: Int, _ body: ([WeightMatrix]) -> Void) {
        var weights: [WeightMatrix] = []
        func nest(_ k: Int) {
            if k == types.count { body(weights); return }
            encoded[k].withUnsafeBytes { raw in
                weights.append(WeightMatrix(type: types[k], rows: rows, columns: columns, base: raw.baseAddress!))
                nest(k + 1)
                weights.removeLast()
            }
        }
        nest(0)
    }
}
