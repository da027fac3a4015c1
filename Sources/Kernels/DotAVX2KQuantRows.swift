#if TERN_AVX2
import CIntrinsics

/// The K-quant matmul loops: a range of weight rows against every token. Tokens go in tiles of
/// four, each weight super-block unpacked once per tile (`kQuantFour`) while the tile's
/// activations stay in cache for the whole row range; the remaining tokens (all of them in
/// decode) go one at a time. Each format gets its own loop with the kernel inlined and the
/// format a constant.
extension AVX2Dot {
    /// Rows `range` of y = x · Wᵀ for Q4_K, Q5_K or Q6_K weights.
    /// - Parameters:
    ///   - scratch: the `tokens` activation rows, quantized
    ///   - output: (tokens, weights.rows) results
    static func kQuantRows(_ weights: WeightMatrix, _ range: Range<Int>, tokens: Int,
                           scratch: QuantizedActivations, output: UnsafeMutablePointer<Float>) {
        switch weights.type {
        case .q4_K: q4KRows(weights, range, tokens: tokens, scratch: scratch, output: output)
        case .q5_K: q5KRows(weights, range, tokens: tokens, scratch: scratch, output: output)
        case .q6_K: q6KRows(weights, range, tokens: tokens, scratch: scratch, output: output)
        default: preconditionFailure("kQuantRows handles Q4_K, Q5_K and Q6_K only")
        }
    }

    private static func q4KRows(_ weights: WeightMatrix, _ range: Range<Int>, tokens: Int,
                                scratch: QuantizedActivations, output: UnsafeMutablePointer<Float>) {
        kQuantRows(.q4K, weights, range, tokens: tokens, scratch: scratch, output: output)
    }

    private static func q5KRows(_ weights: WeightMatrix, _ range: Range<Int>, tokens: Int,
                                scratch: QuantizedActivations, output: UnsafeMutablePointer<Float>) {
        kQuantRows(.q5K, weights, range, tokens: tokens, scratch: scratch, output: output)
    }

    private static func q6KRows(_ weights: WeightMatrix, _ range: Range<Int>, tokens: Int,
                                scratch: QuantizedActivations, output: UnsafeMutablePointer<Float>) {
        kQuantRows(.q6K, weights, range, tokens: tokens, scratch: scratch, output: output)
    }

    @inline(__always)
    private static func kQuantRows(_ format: KQuantFormat, _ weights: WeightMatrix, _ range: Range<Int>, tokens: Int,
                                   scratch: QuantizedActivations, output: UnsafeMutablePointer<Float>) {
        let rows = weights.rows, columns = weights.columns, blocks = columns / 32
        let tiles = tokens / 4
        for tile in 0..<tiles {
            let t = 4 * tile
            for r in range {
                kQuantFour(format, weights.row(r), codes: scratch.codes + t * columns, codeStride: columns,
                           scales: scratch.scales + t * blocks, sums: scratch.sums + t * blocks, blockStride: blocks,
                           blocks: blocks, output: output + t * rows + r, outputStride: rows)
            }
        }
        for t in (4 * tiles)..<tokens {
            for r in range {
                output[t * rows + r] = kQuantOne(format, weights.row(r), scratch.codes + t * columns,
                                                 scratch.scales + t * blocks, scratch.sums + t * blocks, blocks: blocks)
            }
        }
    }

    /// One weight row against four tokens: writes `output[t * outputStride]` for t in 0..<4.
    /// - Parameters:
    ///   - codes: first token's activation codes; token t starts at `codes + t * codeStride`
    ///   - scales, sums: first token's block scales and sums; token t at `+ t * blockStride`
    @inline(__always)
    static func kQuantFour(_ format: KQuantFormat, _ row: UnsafeRawPointer,
                           codes: UnsafePointer<Int8>, codeStride: Int,
                           scales: UnsafePointer<Float>, sums: UnsafePointer<Float>, blockStride: Int,
                           blocks: Int, output: UnsafeMutablePointer<Float>, outputStride: Int) {
        let stride = superBlockBytes(format)
        let x = UnsafeRawPointer(codes), s = UnsafeRawPointer(scales), m = UnsafeRawPointer(sums)
        let xStep = codeStride, sStep = 4 * blockStride
        var acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps()
        for b in 0..<blocks / 8 {
            let u = unpackKQuant(format, row + b * stride)
            let xo = 256 * b, so = 32 * b
            acc0 = accumulateKQuant(format, u, x + xo, s + so, m + so, acc0)
            acc1 = accumulateKQuant(format, u, x + xStep + xo, s + sStep + so, m + sStep + so, acc1)
            acc2 = accumulateKQuant(format, u, x + 2 * xStep + xo, s + 2 * sStep + so, m + 2 * sStep + so, acc2)
            acc3 = accumulateKQuant(format, u, x + 3 * xStep + xo, s + 3 * sStep + so, m + 3 * sStep + so, acc3)
        }
        output[0] = horizontalSum(acc0)
        output[outputStride] = horizontalSum(acc1)
        output[2 * outputStride] = horizontalSum(acc2)
        output[3 * outputStride] = horizontalSum(acc3)
    }
}
#endif
