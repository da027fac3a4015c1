import Testing
@testable import Kernels

/// Activation quantization per super-block of 256 (ggml's Q8_K), for the K-quant weights: one
/// hand-computed super-block, and every path against a plain restatement of the format.
struct SuperBlockActivationsTests {
    struct Quantized: Equatable {
        var codes: [Int8], scales: [Float], sums: [Float], scalesByBlock: [Float], sumsByBlock: [Float]
        var sums16: [Int16], sums32: [Int16], pairsByBlock: [Int32]
    }

    static func quantized(_ input: [Float], rows: Int, columns: Int, path: KernelPath, threads: Int) -> Quantized {
        let q = QuantizedActivations(capacityRows: rows + 3, columns: columns)
        q.quantize(input, rows: rows, mode: .perSuperBlock, pool: ThreadPool(threadCount: threads), path: path)
        #expect(q.mode == .perSuperBlock)
        let blocks = columns / 32
        return Quantized(
            codes: Array(UnsafeBufferPointer(start: q.codes, count: rows * columns)),
            scales: Array(UnsafeBufferPointer(start: q.scales, count: rows * blocks)),
            sums: Array(UnsafeBufferPointer(start: q.sums, count: rows * blocks)),
            scalesByBlock: (0..<rows * blocks).map { i in q.scalesByBlock[(i % blocks) * q.capacityRows + i / blocks] },
            sumsByBlock: (0..<rows * blocks).map { i in q.sumsByBlock[(i % blocks) * q.capacityRows + i / blocks] },
            sums16: Array(UnsafeBufferPointer(start: q.codeSums16, count: rows * columns / 16)),
            sums32: Array(UnsafeBufferPointer(start: q.codeSums32, count: rows * blocks)),
            pairsByBlock: (0..<rows * blocks / 2).map { i in q.codeSumPairsByBlock[(i % (blocks / 2)) * q.capacityRows + i / (blocks / 2)] })
    }

    /// The format restated plainly, one value at a time.
    static func plain(_ input: [Float], rows: Int, columns: Int) -> Quantized {
        var result = Quantized(codes: [], scales: [], sums: [], scalesByBlock: [], sumsByBlock: [], sums16: [], sums32: [], pairsByBlock: [])
        for r in 0..<rows {
            for s in 0..<columns / 256 {
                let x = input[(r * columns + 256 * s)..<(r * columns + 256 * s + 256)]
                let maxMagnitude = x.map { abs($0) }.max()!
                let d = maxMagnitude / 127
                let codes = x.map { Int8(($0 * (maxMagnitude == 0 ? 0 : 127 / maxMagnitude)).rounded(.toNearestOrEven)) }
                result.codes += codes
                for k in 0..<8 {
                    let block = codes[(32 * k)..<(32 * k + 32)].map { Int($0) }
                    result.scales.append(d)
                    result.sums.append(d * Float(block.reduce(0, +)))
                    result.sums16 += [Int16(block[0..<16].reduce(0, +)), Int16(block[16..<32].reduce(0, +))]
                    result.sums32.append(Int16(block.reduce(0, +)))
                }
                for p in 0..<4 {
                    let low = result.sums32[result.sums32.count - 8 + 2 * p], high = result.sums32[result.sums32.count - 7 + 2 * p]
                    result.pairsByBlock.append(Int32(bitPattern: UInt32(UInt16(bitPattern: low)) | UInt32(UInt16(bitPattern: high)) << 16))
                }
            }
        }
        result.scalesByBlock = result.scales
        result.sumsByBlock = result.sums
        return result
    }

    /// max |x| = 2 anywhere in the super-block sets d = 2/127 for all eight blocks (kept in full
    /// precision, unlike the per-32 mode's half-precision scales): 1 → 63.5 → 64 (ties to even),
    /// −0.5 → −31.75 → −32, 0.25 → 15.875 → 16. A super-block of zeros has d = 0 and codes 0.
    @Test func oneSuperBlockByHand() {
        var input = [Float](repeating: 0, count: 512)
        input[0] = 1; input[1] = -0.5; input[17] = 0.25
        input[40] = -2; input[255] = 2
        let q = Self.quantized(input, rows: 1, columns: 512, path: .portable, threads: 1)
        #expect(q.codes[0] == 64 && q.codes[1] == -32 && q.codes[17] == 16 && q.codes[40] == -127 && q.codes[255] == 127)
        #expect(q.codes.enumerated().allSatisfy { [0, 1, 17, 40, 255].contains($0.offset) || $0.element == 0 })
        let d = Float(2) / 127
        #expect(q.scales == [Float](repeating: d, count: 8) + [Float](repeating: 0, count: 8))
        #expect(Array(q.sums16[0..<4]) == [32, 16, -127, 0])
        #expect(q.sums16[15] == 127)
        #expect(Array(q.sums32[0..<2]) == [48, -127] && q.sums32[7] == 127)
        #expect(q.sums[0] == d * 48 && q.sums[1] == d * -127)
        // Blocks 0 and 1 in one word: 48 low, −127 high.
        #expect(q.pairsByBlock[0] == Int32(bitPattern: UInt32(48) | UInt32(UInt16(bitPattern: -127)) << 16))
        #expect(q.sums16[16..<32].allSatisfy { $0 == 0 } && q.sums[8..<16].allSatisfy { $0 == 0 })
    }

    @Test(arguments: [(1, 256), (3, 512), (37, 768)])
    func everyPathMatchesThePlainFormat(rows: Int, columns: Int) {
        var random = TestRandom(seed: UInt64(rows * 31 + columns))
        var input = random.floats(rows * columns, scale: 4)
        // A zero super-block, a full-scale one (max 127, values halfway between codes), large values.
        for i in 0..<256 { input[i] = 0 }
        if rows > 1 {
            for i in 0..<255 { input[columns + i] = Float(i % 64) - 31.5 }
            input[columns + 255] = 127
        }
        for i in stride(from: 3, to: input.count, by: 101) { input[i] *= 50 }
        let plain = Self.plain(input, rows: rows, columns: columns)
        var paths: [KernelPath] = [.portable]
        if KernelPath.avx2Available { paths.append(.avx2) }
        for path in paths {
            for threads in [1, 2] {
                #expect(Self.quantized(input, rows: rows, columns: columns, path: path, threads: threads) == plain, "\(path) \(threads) threads")
            }
        }
    }
}
