#if TERN_AVX512
import CIntrinsics

/// Prefill and batched-decode kernels for Q8_0, Q4_0 and Q4_1 weights on CPUs with AVX-512
/// VNNI. This module alone is compiled for AVX-512 and is only called after a run-time check,
/// so it holds no generic code (the linker could otherwise merge an AVX-512 specialization into
/// the rest of the program).
///
/// One `vpdpbusd` multiplies a 32-byte weight block against the same block of two tokens
/// (token t in the low 256 bits, t + 1 in the high), where AVX2 needs `vpmaddubsw` and
/// `vpmaddwd` per token. Per token the float arithmetic is exactly that of the AVX2 kernels
/// (the same d·dₓ product, the same fused multiply-add per block in the same lane order, the
/// same final reduction), so results are bit-identical to them for any batch.
public enum AVX512Common {
    public enum Format: Sendable { case q8_0, q4_0, q4_1 }

    /// Whether the CPU runs AVX-512 F/BW/VL with VNNI and the OS saves its registers.
    public static let isSupported: Bool = tern_cpu_supports_avx512vnni() != 0

    /// Eight tokens against weight rows `rows`: writes `output[t * outputStride + r]` for t in
    /// 0..<8 and r in `rows`.
    /// - Parameters:
    ///   - weights: row r starts at `weights + r * rowStride`
    ///   - codes: the tile's first token's activation codes; token t at `codes + t * codeStride`
    ///   - scalesByBlock, sumsByBlock: the eight tokens' scale d and d·Σcodes of block b at
    ///     `+ b * byBlockStride` (block-major, eight consecutive floats)
    public static func eightTokens(_ format: Format, weights: UnsafeRawPointer, rowStride: Int, rows: Range<Int>,
                                   codes: UnsafePointer<Int8>, codeStride: Int,
                                   scalesByBlock: UnsafePointer<Float>, sumsByBlock: UnsafePointer<Float>, byBlockStride: Int,
                                   blocks: Int, output: UnsafeMutablePointer<Float>, outputStride: Int) {
        // One loop per format, so that the format is a constant inside each.
        @inline(__always) func allRows(_ format: Format) {
            var r = rows.lowerBound
            while r < rows.upperBound {
                let second = r + 1 < rows.upperBound
                let row0 = weights + r * rowStride
                twoRows(format, row0, second ? row0 + rowStride : row0, codes: codes, codeStride: codeStride,
                        scalesByBlock: scalesByBlock, sumsByBlock: sumsByBlock, byBlockStride: byBlockStride, blocks: blocks,
                        output: output + r, outputStride: outputStride, writeSecond: second)
                r += 2
            }
        }
        switch format {
        case .q8_0: allRows(.q8_0)
        case .q4_0: allRows(.q4_0)
        case .q4_1: allRows(.q4_1)
        }
    }

    /// Two weight rows share every activation load; sixteen zmm accumulators hold
    /// (row, token pair).
    @inline(__always)
    private static func twoRows(_ format: Format, _ row0: UnsafeRawPointer, _ row1: UnsafeRawPointer,
                                codes: UnsafePointer<Int8>, codeStride: Int,
                                scalesByBlock: UnsafePointer<Float>, sumsByBlock: UnsafePointer<Float>, byBlockStride: Int,
                                blocks: Int, output: UnsafeMutablePointer<Float>, outputStride: Int, writeSecond: Bool) {
        let zero = _mm512_setzero_si512()
        var a00 = _mm512_setzero_ps(), a01 = _mm512_setzero_ps(), a02 = _mm512_setzero_ps(), a03 = _mm512_setzero_ps()
        var a10 = _mm512_setzero_ps(), a11 = _mm512_setzero_ps(), a12 = _mm512_setzero_ps(), a13 = _mm512_setzero_ps()
        var offsets0 = _mm256_setzero_ps(), offsets1 = _mm256_setzero_ps()
        // Lanes 0-7 take token 2k's value, lanes 8-15 token 2k+1's.
        let pair0 = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0)
        let pair1 = _mm512_add_epi32(pair0, _mm512_set1_epi32(2))
        let pair2 = _mm512_add_epi32(pair0, _mm512_set1_epi32(4))
        let pair3 = _mm512_add_epi32(pair0, _mm512_set1_epi32(6))
        let x = UnsafeRawPointer(codes)

        // Block b of tokens t and t + 1 in one register.
        @inline(__always) func tokenPair(_ t: Int, _ b: Int) -> __m512i {
            let low = (x + t * codeStride + 32 * b).loadUnaligned(as: __m256i.self)
            let high = (x + (t + 1) * codeStride + 32 * b).loadUnaligned(as: __m256i.self)
            return _mm512_mask_broadcast_i64x4(_mm512_castsi256_si512(low), 0xF0, high)
        }
        // acc += (d · dₓ) · Σ q·x, per token of the pair.
        @inline(__always) func accumulate(_ acc: inout __m512, _ products: __m512i, _ scales: __m256, _ pair: __m512i) {
            let scale = _mm512_permutexvar_ps(pair, _mm512_castps256_ps512(scales))
            acc = _mm512_fmadd_ps(scale, _mm512_cvtepi32_ps(products), acc)
        }

        switch format {
        case .q8_0:
            // vpdpbusd multiplies unsigned by signed bytes: x + 128 is unsigned, and the excess
            // 128·Σw per lane is subtracted up front (exact in 32-bit integers).
            let bias = _mm512_set1_epi8(-128)
            for b in 0..<blocks {
                let w0p = row0 + b * 34, w1p = row1 + b * 34
                let w0 = _mm512_broadcast_i64x4((w0p + 2).loadUnaligned(as: __m256i.self))
                let w1 = _mm512_broadcast_i64x4((w1p + 2).loadUnaligned(as: __m256i.self))
                let start0 = _mm512_sub_epi32(zero, _mm512_dpbusd_epi32(zero, bias, w0))
                let start1 = _mm512_sub_epi32(zero, _mm512_dpbusd_epi32(zero, bias, w1))
                let dx = (UnsafeRawPointer(scalesByBlock + b * byBlockStride)).loadUnaligned(as: __m256.self)
                let s0 = _mm256_mul_ps(_mm256_set1_ps(loadHalf(w0p)), dx)
                let s1 = _mm256_mul_ps(_mm256_set1_ps(loadHalf(w1p)), dx)
                let x0 = _mm512_xor_si512(tokenPair(0, b), bias), x1 = _mm512_xor_si512(tokenPair(2, b), bias)
                let x2 = _mm512_xor_si512(tokenPair(4, b), bias), x3 = _mm512_xor_si512(tokenPair(6, b), bias)
                accumulate(&a00, _mm512_dpbusd_epi32(start0, x0, w0), s0, pair0)
                accumulate(&a01, _mm512_dpbusd_epi32(start0, x1, w0), s0, pair1)
                accumulate(&a02, _mm512_dpbusd_epi32(start0, x2, w0), s0, pair2)
                accumulate(&a03, _mm512_dpbusd_epi32(start0, x3, w0), s0, pair3)
                accumulate(&a10, _mm512_dpbusd_epi32(start1, x0, w1), s1, pair0)
                accumulate(&a11, _mm512_dpbusd_epi32(start1, x1, w1), s1, pair1)
                accumulate(&a12, _mm512_dpbusd_epi32(start1, x2, w1), s1, pair2)
                accumulate(&a13, _mm512_dpbusd_epi32(start1, x3, w1), s1, pair3)
            }
        case .q4_0, .q4_1:
            let stride = format == .q4_0 ? 18 : 20
            let codeOffset = format == .q4_0 ? 2 : 4
            let mask = _mm512_set1_epi8(0x0F)
            // The 16 packed bytes in all four 128-bit lanes, shifted right by 4 in lanes 1 and 3:
            // low nibbles (elements 0-15) then high nibbles (16-31), for each token of a pair.
            @inline(__always) func unpack(_ p: UnsafeRawPointer) -> __m512i {
                let packed = _mm512_broadcast_i32x4(p.loadUnaligned(as: __m128i.self))
                return _mm512_and_si512(_mm512_mask_srli_epi16(packed, 0xFF00_FF00, packed, 4), mask)
            }
            for b in 0..<blocks {
                let w0p = row0 + b * stride, w1p = row1 + b * stride
                let w0 = unpack(w0p + codeOffset), w1 = unpack(w1p + codeOffset)
                let d0 = loadHalf(w0p), d1 = loadHalf(w1p)
                let dx = (UnsafeRawPointer(scalesByBlock + b * byBlockStride)).loadUnaligned(as: __m256.self)
                let s0 = _mm256_mul_ps(_mm256_set1_ps(d0), dx)
                let s1 = _mm256_mul_ps(_mm256_set1_ps(d1), dx)
                let x0 = tokenPair(0, b), x1 = tokenPair(2, b), x2 = tokenPair(4, b), x3 = tokenPair(6, b)
                accumulate(&a00, _mm512_dpbusd_epi32(zero, w0, x0), s0, pair0)
                accumulate(&a01, _mm512_dpbusd_epi32(zero, w0, x1), s0, pair1)
                accumulate(&a02, _mm512_dpbusd_epi32(zero, w0, x2), s0, pair2)
                accumulate(&a03, _mm512_dpbusd_epi32(zero, w0, x3), s0, pair3)
                accumulate(&a10, _mm512_dpbusd_epi32(zero, w1, x0), s1, pair0)
                accumulate(&a11, _mm512_dpbusd_epi32(zero, w1, x1), s1, pair1)
                accumulate(&a12, _mm512_dpbusd_epi32(zero, w1, x2), s1, pair2)
                accumulate(&a13, _mm512_dpbusd_epi32(zero, w1, x3), s1, pair3)
                let sums = UnsafeRawPointer(sumsByBlock + b * byBlockStride).loadUnaligned(as: __m256.self)
                let m0 = format == .q4_0 ? -8 * d0 : loadHalf(w0p, byteOffset: 2)
                let m1 = format == .q4_0 ? -8 * d1 : loadHalf(w1p, byteOffset: 2)
                offsets0 = _mm256_add_ps(offsets0, _mm256_mul_ps(_mm256_set1_ps(m0), sums))
                offsets1 = _mm256_add_ps(offsets1, _mm256_mul_ps(_mm256_set1_ps(m1), sums))
            }
        }
        store(a00, a01, a02, a03, offsets0, output, outputStride)
        if writeSecond { store(a10, a11, a12, a13, offsets1, output + 1, outputStride) }
    }

    /// output[t · stride] = Σ lanes of token t's accumulator + its offset term, reduced in the
    /// AVX2 kernels' order.
    @inline(__always)
    private static func store(_ a0: __m512, _ a1: __m512, _ a2: __m512, _ a3: __m512, _ offsets: __m256,
                              _ output: UnsafeMutablePointer<Float>, _ stride: Int) {
        @inline(__always) func halves(_ a: __m512) -> (SIMD8<Float>, SIMD8<Float>) { (_mm512_castps512_ps256(a), upperHalf(a)) }
        let o = unsafeBitCast(offsets, to: SIMD8<Float>.self)
        let (t0, t1) = halves(a0), (t2, t3) = halves(a1), (t4, t5) = halves(a2), (t6, t7) = halves(a3)
        output[0] = horizontalSum(t0) + o[0]
        output[stride] = horizontalSum(t1) + o[1]
        output[2 * stride] = horizontalSum(t2) + o[2]
        output[3 * stride] = horizontalSum(t3) + o[3]
        output[4 * stride] = horizontalSum(t4) + o[4]
        output[5 * stride] = horizontalSum(t5) + o[5]
        output[6 * stride] = horizontalSum(t6) + o[6]
        output[7 * stride] = horizontalSum(t7) + o[7]
    }
}
#endif
