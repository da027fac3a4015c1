import Testing
@testable import Kernels

/// Activation quantization: the AVX2 and threaded paths against the plain scalar one, which is
/// itself checked by hand on one block.
struct QuantizedActivationsTests {
    /// codes, scales, sums and block-major sums of `rows` quantized rows
    func quantized(_ input: [Float], rows: Int, columns: Int, path: KernelPath, threads: Int) -> ([Int8], [Float], [Float], [Float]) {
        let q = QuantizedActivations(capacityRows: rows + 3, columns: columns)
        q.quantize(input, rows: rows, pool: ThreadPool(threadCount: threads), path: path)
        let blocks = columns / 32
        let byBlock = (0..<rows * blocks).map { i in q.sumsByBlock[(i % blocks) * q.capacityRows + i / blocks] }
        return (Array(UnsafeBufferPointer(start: q.codes, count: rows * columns)),
                Array(UnsafeBufferPointer(start: q.scales, count: rows * blocks)),
                Array(UnsafeBufferPointer(start: q.sums, count: rows * blocks)), byBlock)
    }

    @Test(arguments: [(1, 32), (3, 96), (37, 160)])
    func pathsAgreeBitForBit(rows: Int, columns: Int) {
        var random = TestRandom(seed: UInt64(rows * 31 + columns))
        var input = random.floats(rows * columns, scale: 4)
        // A block of zeros, and a block with max 127 (scale 1) whose values lie halfway between codes.
        for i in 0..<32 { input[i] = 0 }
        if rows > 1 {
            for i in 0..<31 { input[columns + i] = Float(i) - 15.5 }
            input[columns + 31] = 127
        }
        let plain = quantized(input, rows: rows, columns: columns, path: .portable, threads: 1)
        #expect(plain.2 == plain.3, "block-major sums")
        let threaded = quantized(input, rows: rows, columns: columns, path: .portable, threads: 2)
        #expect(threaded.0 == plain.0 && threaded.1 == plain.1 && threaded.2 == plain.2 && threaded.3 == plain.3)
        if KernelPath.avx2Available {
            let avx = quantized(input, rows: rows, columns: columns, path: .avx2, threads: 2)
            #expect(avx.0 == plain.0 && avx.1 == plain.1 && avx.2 == plain.2 && avx.3 == plain.3)
        }
    }

    /// max |x| = 2 → d = 2/127; 1 → 63.5 → 64 (ties to even), −0.5 → −31.75 → −32.
    @Test func oneBlockByHand() {
        var input = [Float](repeating: 0, count: 32)
        input[0] = 2; input[1] = 1; input[2] = -0.5; input[3] = -2
        let (codes, scales, sums, _) = quantized(input, rows: 1, columns: 32, path: .portable, threads: 1)
        #expect(Array(codes[0..<5]) == [127, 64, -32, -127, 0])
        #expect(scales[0] == Float(Float16(Float(2) / 127)))
        #expect(sums[0] == Float(Float16(Float(2) / 127 * 32)))
    }
}
