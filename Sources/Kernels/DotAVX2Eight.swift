#if TERN_AVX2
import CIntrinsics

/// The prefill micro-kernel for Q8_0, Q4_0 and Q4_1: one weight row against eight activation
/// rows, eight ymm accumulators. Each weight block is unpacked once for eight tokens, and the
/// format's offset term is summed for the eight tokens in one vector from the block-major sums.
///
/// Per token the arithmetic is that of `AVX2Dot.quantizedCommon` (the scale d·dₓ is the same
/// float product, the same per-block operations, the same reductions), so each result is
/// bit-identical to the one-token path whatever the batch.
extension AVX2Dot {
    /// Writes `output[t * outputStride]` for t in 0..<8. A leaf: it calls nothing.
    /// - Parameters:
    ///   - codes: first token's activation codes; token t starts at `codes + t * codeStride`
    ///   - scales: first token's block scales; token t at `scales + t * blockStride`
    ///   - sumsByBlock: the eight tokens' sums of block b at `sumsByBlock + b * sumStride`
    @inline(__always)
    static func quantizedEight(_ type: WeightType, _ row: UnsafeRawPointer,
                               codes: UnsafePointer<Int8>, codeStride: Int,
                               scales: UnsafePointer<Float>, blockStride: Int,
                               sumsByBlock: UnsafePointer<Float>, sumStride: Int,
                               blocks: Int, output: UnsafeMutablePointer<Float>, outputStride: Int) {
        let ones = _mm256_set1_epi16(1)
        var acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps()
        var acc4 = _mm256_setzero_ps(), acc5 = _mm256_setzero_ps(), acc6 = _mm256_setzero_ps(), acc7 = _mm256_setzero_ps()
        var offsets = _mm256_setzero_ps()
        let x = UnsafeRawPointer(codes)
        let s = UnsafeRawPointer(scales)
        let codeStep = codeStride, scaleStep = 4 * blockStride

        // acc += (d · dₓ) · Σ q·x for token t of block b; `signs` moves Q8_0's weight signs onto x.
        @inline(__always) func accumulate(_ acc: inout __m256, _ t: Int, _ q: __m256i, _ signs: __m256i?,
                                          _ d: __m256, _ b: Int) {
            let xv = (x + t * codeStep + 32 * b).loadUnaligned(as: __m256i.self)
            let signed = signs.map { _mm256_sign_epi8(xv, $0) } ?? xv
            let products = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(q, signed), ones))
            let dx = _mm256_broadcast_ss((s + t * scaleStep + 4 * b).assumingMemoryBound(to: Float.self))
            acc = _mm256_fmadd_ps(_mm256_mul_ps(d, dx), products, acc)
        }

        switch type {
        case .q8_0:
            for b in 0..<blocks {
                let w = row + b * 34
                let wv = (w + 2).loadUnaligned(as: __m256i.self)
                let q = _mm256_sign_epi8(wv, wv)
                let d = _mm256_set1_ps(loadHalf(w))
                accumulate(&acc0, 0, q, wv, d, b)
                accumulate(&acc1, 1, q, wv, d, b)
                accumulate(&acc2, 2, q, wv, d, b)
                accumulate(&acc3, 3, q, wv, d, b)
                accumulate(&acc4, 4, q, wv, d, b)
                accumulate(&acc5, 5, q, wv, d, b)
                accumulate(&acc6, 6, q, wv, d, b)
                accumulate(&acc7, 7, q, wv, d, b)
            }
        case .q4_0, .q4_1:
            let stride = type == .q4_0 ? 18 : 20
            let codeOffset = type == .q4_0 ? 2 : 4
            for b in 0..<blocks {
                let w = row + b * stride
                let q = unpackNibbles(w + codeOffset)
                let dScalar = loadHalf(w)
                let d = _mm256_set1_ps(dScalar)
                accumulate(&acc0, 0, q, nil, d, b)
                accumulate(&acc1, 1, q, nil, d, b)
                accumulate(&acc2, 2, q, nil, d, b)
                accumulate(&acc3, 3, q, nil, d, b)
                accumulate(&acc4, 4, q, nil, d, b)
                accumulate(&acc5, 5, q, nil, d, b)
                accumulate(&acc6, 6, q, nil, d, b)
                accumulate(&acc7, 7, q, nil, d, b)
                let offset = type == .q4_0 ? -8 * dScalar : loadHalf(w, byteOffset: 2)
                let sums = UnsafeRawPointer(sumsByBlock + b * sumStride).loadUnaligned(as: __m256.self)
                offsets = _mm256_add_ps(offsets, _mm256_mul_ps(_mm256_set1_ps(offset), sums))
            }
        default:
            preconditionFailure("no eight-token kernel for \(type)")
        }
        output[0] = horizontalSum(acc0) + offsets[0]
        output[outputStride] = horizontalSum(acc1) + offsets[1]
        output[2 * outputStride] = horizontalSum(acc2) + offsets[2]
        output[3 * outputStride] = horizontalSum(acc3) + offsets[3]
        output[4 * outputStride] = horizontalSum(acc4) + offsets[4]
        output[5 * outputStride] = horizontalSum(acc5) + offsets[5]
        output[6 * outputStride] = horizontalSum(acc6) + offsets[6]
        output[7 * outputStride] = horizontalSum(acc7) + offsets[7]
    }
}
#endif
