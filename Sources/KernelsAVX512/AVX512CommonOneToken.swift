#if TERN_AVX512
import CIntrinsics

/// Decode (one token) for Q8_0, Q4_0 and Q4_1 with AVX-512 VNNI: one `vpdpbusd` covers two
/// consecutive weight blocks. The two halves are then scaled and accumulated one block after the
/// other into eight float lanes, exactly as the AVX2 one-token kernel does, so the results are
/// bit-identical to it. A last odd block takes the AVX2 instructions.
extension AVX512Common {
    /// Writes `output[r]` for r in `rows`: the dot product of weight row r with one token.
    /// - Parameters:
    ///   - codes, scales, sums: the token's activation codes, block scales d and d·Σcodes
    public static func oneToken(_ format: Format, weights: UnsafeRawPointer, rowStride: Int, rows: Range<Int>,
                                codes: UnsafePointer<Int8>, scales: UnsafePointer<Float>, sums: UnsafePointer<Float>,
                                blocks: Int, output: UnsafeMutablePointer<Float>) {
        switch format {
        case .q8_0:
            for r in rows { output[r] = q8_0Row(weights + r * rowStride, codes, scales, blocks: blocks) }
        case .q4_0:
            for r in rows { output[r] = q4Row(.q4_0, weights + r * rowStride, codes, scales, sums, blocks: blocks) }
        case .q4_1:
            for r in rows { output[r] = q4Row(.q4_1, weights + r * rowStride, codes, scales, sums, blocks: blocks) }
        }
    }

    @inline(__always)
    private static func q8_0Row(_ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>, _ scales: UnsafePointer<Float>,
                                blocks: Int) -> Float {
        let zero = _mm512_setzero_si512()
        let bias = _mm512_set1_epi8(-128)
        var acc = _mm256_setzero_ps()
        let x = UnsafeRawPointer(codes)
        var b = 0
        while b + 2 <= blocks {
            let w0 = row + b * 34, w1 = w0 + 34
            let w = _mm512_mask_broadcast_i64x4(_mm512_castsi256_si512((w0 + 2).loadUnaligned(as: __m256i.self)), 0xF0,
                                                (w1 + 2).loadUnaligned(as: __m256i.self))
            let xv = _mm512_xor_si512((x + 32 * b).loadUnaligned(as: __m512i.self), bias)
            // (x + 128)·w − 128·w summed in 32-bit integers: exactly Σ x·w per lane.
            let start = _mm512_sub_epi32(zero, _mm512_dpbusd_epi32(zero, bias, w))
            let products = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(start, xv, w))
            acc = _mm256_fmadd_ps(_mm256_set1_ps(loadHalf(w0) * scales[b]), _mm512_castps512_ps256(products), acc)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(loadHalf(w1) * scales[b + 1]), upperHalf(products), acc)
            b += 2
        }
        if b < blocks {
            let w0 = row + b * 34
            let w = (w0 + 2).loadUnaligned(as: __m256i.self)
            let xv = (x + 32 * b).loadUnaligned(as: __m256i.self)
            let products = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(xv, w)),
                                                                _mm256_set1_epi16(1)))
            acc = _mm256_fmadd_ps(_mm256_set1_ps(loadHalf(w0) * scales[b]), products, acc)
        }
        return horizontalSum(acc)
    }

    @inline(__always)
    private static func q4Row(_ format: Format, _ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                              _ scales: UnsafePointer<Float>, _ sums: UnsafePointer<Float>, blocks: Int) -> Float {
        let stride = format == .q4_0 ? 18 : 20
        let codeOffset = format == .q4_0 ? 2 : 4
        let zero = _mm512_setzero_si512()
        let mask = _mm512_set1_epi8(0x0F)
        var acc = _mm256_setzero_ps()
        var offsetTotal: Float = 0
        let x = UnsafeRawPointer(codes)
        @inline(__always) func offset(_ w: UnsafeRawPointer, _ d: Float) -> Float {
            format == .q4_0 ? -8 * d : loadHalf(w, byteOffset: 2)
        }
        var b = 0
        while b + 2 <= blocks {
            let w0 = row + b * stride, w1 = w0 + stride
            // Block b's 16 packed bytes in 128-bit lanes 0-1, block b + 1's in lanes 2-3; lanes 1
            // and 3 shifted right by 4: each block's low then high nibbles, as in AVX2.
            let packed = _mm512_mask_broadcast_i32x4(_mm512_broadcast_i32x4((w0 + codeOffset).loadUnaligned(as: __m128i.self)),
                                                     0xFF00, (w1 + codeOffset).loadUnaligned(as: __m128i.self))
            let q = _mm512_and_si512(_mm512_mask_srli_epi16(packed, 0xFF00_FF00, packed, 4), mask)
            let products = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(zero, q, (x + 32 * b).loadUnaligned(as: __m512i.self)))
            let d0 = loadHalf(w0), d1 = loadHalf(w1)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d0 * scales[b]), _mm512_castps512_ps256(products), acc)
            offsetTotal += offset(w0, d0) * sums[b]
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d1 * scales[b + 1]), upperHalf(products), acc)
            offsetTotal += offset(w1, d1) * sums[b + 1]
            b += 2
        }
        if b < blocks {
            let w0 = row + b * stride
            let packed = (w0 + codeOffset).loadUnaligned(as: __m128i.self)
            let low = _mm_and_si128(packed, _mm_set1_epi8(0x0F))
            let high = _mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(0x0F))
            let q = _mm256_set_m128i(high, low)
            let xv = (x + 32 * b).loadUnaligned(as: __m256i.self)
            let products = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(q, xv), _mm256_set1_epi16(1)))
            let d0 = loadHalf(w0)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d0 * scales[b]), products, acc)
            offsetTotal += offset(w0, d0) * sums[b]
        }
        return horizontalSum(acc) + offsetTotal
    }
}
#endif
