#if TERN_AVX2
import CIntrinsics

/// One weight row against four activation rows at once, for prefill and batched decode: each
/// weight block is loaded and unpacked once and used four times. Per token the arithmetic is
/// exactly that of `AVX2Dot.quantized` (same per-block operations, same reduction order), so
/// results do not depend on how tokens are grouped.
extension AVX2Dot {
    /// Types with a four-token kernel.
    static func hasFourTokenKernel(_ type: WeightType) -> Bool {
        type == .q8_0 || type == .q4_0 || type == .q4_1
    }

    /// Writes `output[t * outputStride]` for t in 0..<4.
    /// - Parameters:
    ///   - codes: first token's activation codes; token t starts at `codes + t * codeStride`
    ///   - scales, sums: first token's block scales and sums; token t at `+ t * blockStride`
    static func quantizedFour(_ type: WeightType, _ row: UnsafeRawPointer,
                              codes: UnsafePointer<Int8>, codeStride: Int,
                              scales: UnsafePointer<Float>, sums: UnsafePointer<Float>, blockStride: Int,
                              blocks: Int, output: UnsafeMutablePointer<Float>, outputStride: Int) {
        let ones = _mm256_set1_epi16(1)
        var acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps()
        var offset0: Float = 0, offset1: Float = 0, offset2: Float = 0, offset3: Float = 0
        let x0 = UnsafeRawPointer(codes), x1 = x0 + codeStride, x2 = x1 + codeStride, x3 = x2 + codeStride
        let s0 = scales, s1 = s0 + blockStride, s2 = s1 + blockStride, s3 = s2 + blockStride

        @inline(__always) func products(_ weights: __m256i, _ x: UnsafeRawPointer, _ signs: __m256i?) -> __m256 {
            let xv = x.loadUnaligned(as: __m256i.self)
            let signed = signs.map { _mm256_sign_epi8(xv, $0) } ?? xv
            return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(weights, signed), ones))
        }

        switch type {
        case .q8_0:
            for b in 0..<blocks {
                let w = row + b * 34
                let wv = (w + 2).loadUnaligned(as: __m256i.self)
                let magnitudes = _mm256_sign_epi8(wv, wv)
                let d = loadHalf(w)
                let o = b * 32
                acc0 = _mm256_fmadd_ps(_mm256_set1_ps(d * s0[b]), products(magnitudes, x0 + o, wv), acc0)
                acc1 = _mm256_fmadd_ps(_mm256_set1_ps(d * s1[b]), products(magnitudes, x1 + o, wv), acc1)
                acc2 = _mm256_fmadd_ps(_mm256_set1_ps(d * s2[b]), products(magnitudes, x2 + o, wv), acc2)
                acc3 = _mm256_fmadd_ps(_mm256_set1_ps(d * s3[b]), products(magnitudes, x3 + o, wv), acc3)
            }
        case .q4_0, .q4_1:
            let stride = type == .q4_0 ? 18 : 20
            let codeOffset = type == .q4_0 ? 2 : 4
            let m0 = sums, m1 = m0 + blockStride, m2 = m1 + blockStride, m3 = m2 + blockStride
            for b in 0..<blocks {
                let w = row + b * stride
                let q = unpackNibbles(w + codeOffset)
                let d = loadHalf(w)
                let o = b * 32
                acc0 = _mm256_fmadd_ps(_mm256_set1_ps(d * s0[b]), products(q, x0 + o, nil), acc0)
                acc1 = _mm256_fmadd_ps(_mm256_set1_ps(d * s1[b]), products(q, x1 + o, nil), acc1)
                acc2 = _mm256_fmadd_ps(_mm256_set1_ps(d * s2[b]), products(q, x2 + o, nil), acc2)
                acc3 = _mm256_fmadd_ps(_mm256_set1_ps(d * s3[b]), products(q, x3 + o, nil), acc3)
                let offset = type == .q4_0 ? -8 * d : loadHalf(w, byteOffset: 2)
                offset0 += offset * m0[b]
                offset1 += offset * m1[b]
                offset2 += offset * m2[b]
                offset3 += offset * m3[b]
            }
        default:
            preconditionFailure("no four-token kernel for \(type)")
        }
        output[0] = horizontalSum(acc0) + offset0
        output[outputStride] = horizontalSum(acc1) + offset1
        output[2 * outputStride] = horizontalSum(acc2) + offset2
        output[3 * outputStride] = horizontalSum(acc3) + offset3
    }
}
#endif
