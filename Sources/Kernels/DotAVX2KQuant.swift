#if TERN_AVX2
import CIntrinsics

/// AVX2 dot products of K-quant weight rows (Q4_K, Q5_K, Q6_K) with 8-bit activations in blocks
/// of 32 (scale dₓ per block, sums dₓ·Σx per block). K-quant activations are quantized per
/// super-block (`ActivationQuantization.perSuperBlock`), so the eight scales of a super-block are
/// equal; these kernels read them per block all the same.
///
/// A 256-element super-block is unpacked once (`KQuantSuperBlock`): eight 32-byte code vectors and
/// 16-bit sub-block scale vectors. One token's share is then integer work up to a single float
/// step: eight `vpmaddubsw`, a reduction in 16-bit lanes that places the eight 32-element block
/// sums side by side, one `vpmaddwd` by the sub-block scales per 128 elements, and one FMA with
/// d·dₓ for all eight blocks (plus one FMA of dmin·m with the activation block sums for the
/// Q4_K/Q5_K mins). The one-token and four-token kernels run exactly this per token, so their
/// results are bit-identical.
///
/// The 16-bit reduction adds eight products per lane: at most 8·31·127 = 31,496 for Q4_K/Q5_K codes
/// and 8·32·127 = 32,512 for Q6_K's |q − 32|, both below 2¹⁵, so it is exact (activation codes
/// lie in −127...127). The scaled block sums stay below 2²⁴ (Q6_K: 32·32·127·128 < 16.7M), so
/// their conversion to float is exact too.
enum KQuantFormat {
    case q4K, q5K, q6K
}

/// One unpacked super-block: the eight blocks' codes as unsigned bytes (Q4_K/Q5_K: q; Q6_K:
/// |q − 32|, with the signs of q − 32 kept to move onto the activations).
struct KQuantSuperBlock {
    var q0, q1, q2, q3, q4, q5, q6, q7: __m256i
    /// Q6_K only: q − 32 for each block (its sign is what matters).
    var s0, s1, s2, s3, s4, s5, s6, s7: __m256i
    /// 16-bit multipliers of the reduced sums of blocks 0-3 and 4-7: lane pair j of the low
    /// 128 bits scales elements 0-15 of block j, of the high 128 bits elements 16-31.
    var scalesLow, scalesHigh: __m256i
    /// d, broadcast.
    var d: __m256
    /// dmin · m of each 32-element block (Q4_K/Q5_K); zero for Q6_K.
    var mins: __m256
}

extension AVX2Dot {
    static func hasKQuantKernel(_ type: WeightType) -> Bool {
        type == .q4_K || type == .q5_K || type == .q6_K
    }

    /// Bytes per super-block.
    @inline(__always)
    static func superBlockBytes(_ format: KQuantFormat) -> Int {
        switch format {
        case .q4K: 144
        case .q5K: 176
        case .q6K: 210
        }
    }

    @inline(__always)
    static func unpackKQuant(_ format: KQuantFormat, _ w: UnsafeRawPointer) -> KQuantSuperBlock {
        let zero = _mm256_setzero_si256()
        if format == .q6K { return unpackQ6K(w) }
        let lowNibble = _mm256_set1_epi8(0x0F), bit4 = _mm256_set1_epi8(0x10)
        let qsOffset = format == .q4K ? 16 : 48
        var highBits = format == .q5K ? (w + 16).loadUnaligned(as: __m256i.self) : zero
        @inline(__always) func pair(_ c: Int) -> (__m256i, __m256i) {
            let packed = (w + qsOffset + 32 * c).loadUnaligned(as: __m256i.self)
            var low = _mm256_and_si256(packed, lowNibble)
            var high = _mm256_and_si256(_mm256_srli_epi16(packed, 4), lowNibble)
            if format == .q5K {
                // After shifting right by 2c, bits 0 and 1 of each qh byte are the fifth bits of
                // sub-blocks 2c and 2c + 1.
                low = _mm256_or_si256(low, _mm256_and_si256(_mm256_slli_epi16(highBits, 4), bit4))
                high = _mm256_or_si256(high, _mm256_and_si256(_mm256_slli_epi16(highBits, 3), bit4))
                highBits = _mm256_srli_epi16(highBits, 2)
            }
            return (low, high)
        }
        let (q0, q1) = pair(0), (q2, q3) = pair(1), (q4, q5) = pair(2), (q6, q7) = pair(3)

        // The 12 packed bytes of 6-bit scales and mins (see `KQuantCodec.scaleAndMin`), decoded
        // four at a time in 32-bit words.
        let u0 = w.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian
        let u1 = w.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
        let u2 = w.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian
        let scales03 = u0 & 0x3F3F_3F3F, mins03 = u1 & 0x3F3F_3F3F
        let scales47 = (u2 & 0x0F0F_0F0F) | ((u0 >> 2) & 0x3030_3030)
        let mins47 = ((u2 >> 4) & 0x0F0F_0F0F) | ((u1 >> 2) & 0x3030_3030)
        let scaleBytes = _mm256_set1_epi64x(Int64(bitPattern: UInt64(scales03) | UInt64(scales47) << 32))
        // Byte j → 16-bit lanes 2j and 2j + 1 of both 128-bit halves (index 0x80 zeroes the high byte).
        let scalesLow = _mm256_shuffle_epi8(scaleBytes, _mm256_set_epi64x(Int64(bitPattern: 0x8003_8003_8002_8002), Int64(bitPattern: 0x8001_8001_8000_8000),
                                                                          Int64(bitPattern: 0x8003_8003_8002_8002), Int64(bitPattern: 0x8001_8001_8000_8000)))
        let scalesHigh = _mm256_shuffle_epi8(scaleBytes, _mm256_set_epi64x(Int64(bitPattern: 0x8007_8007_8006_8006), Int64(bitPattern: 0x8005_8005_8004_8004),
                                                                           Int64(bitPattern: 0x8007_8007_8006_8006), Int64(bitPattern: 0x8005_8005_8004_8004)))
        let minBytes = _mm_cvtsi64_si128(Int64(bitPattern: UInt64(mins03) | UInt64(mins47) << 32))
        let mins = _mm256_mul_ps(_mm256_set1_ps(loadHalf(w, byteOffset: 2)), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(minBytes)))
        return KQuantSuperBlock(q0: q0, q1: q1, q2: q2, q3: q3, q4: q4, q5: q5, q6: q6, q7: q7,
                           s0: zero, s1: zero, s2: zero, s3: zero, s4: zero, s5: zero, s6: zero, s7: zero,
                           scalesLow: scalesLow, scalesHigh: scalesHigh,
                           d: _mm256_set1_ps(loadHalf(w)), mins: mins)
    }

    @inline(__always)
    private static func unpackQ6K(_ w: UnsafeRawPointer) -> KQuantSuperBlock {
        let lowNibble = _mm256_set1_epi8(0x0F), highPair = _mm256_set1_epi8(0x30), bias = _mm256_set1_epi8(32)
        // Blocks 4h ..< 4h + 4: (nibble of ql0/ql1) | (2 bits of qh) << 4, minus 32.
        @inline(__always) func half(_ h: Int) -> (__m256i, __m256i, __m256i, __m256i) {
            let ql0 = (w + 64 * h).loadUnaligned(as: __m256i.self)
            let ql1 = (w + 64 * h + 32).loadUnaligned(as: __m256i.self)
            let qh = (w + 128 + 32 * h).loadUnaligned(as: __m256i.self)
            return (
                _mm256_sub_epi8(_mm256_or_si256(_mm256_and_si256(ql0, lowNibble), _mm256_and_si256(_mm256_slli_epi16(qh, 4), highPair)), bias),
                _mm256_sub_epi8(_mm256_or_si256(_mm256_and_si256(ql1, lowNibble), _mm256_and_si256(_mm256_slli_epi16(qh, 2), highPair)), bias),
                _mm256_sub_epi8(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), lowNibble), _mm256_and_si256(qh, highPair)), bias),
                _mm256_sub_epi8(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), lowNibble),
                                                _mm256_and_si256(_mm256_srli_epi16(qh, 2), highPair)), bias)
            )
        }
        let (s0, s1, s2, s3) = half(0), (s4, s5, s6, s7) = half(1)
        // int8 scales of the sixteen 16-element sub-blocks; block k of half h has scales[8h + 2k]
        // (elements 0-15, low 128 bits) and scales[8h + 2k + 1] (elements 16-31, high 128 bits).
        let scaleBytes = (w + 192).loadUnaligned(as: __m128i.self)
        let scalesLow = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(scaleBytes, _mm_set_epi64x(0x0707_0505_0303_0101, 0x0606_0404_0202_0000)))
        let scalesHigh = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(scaleBytes, _mm_set_epi64x(0x0F0F_0D0D_0B0B_0909, 0x0E0E_0C0C_0A0A_0808)))
        return KQuantSuperBlock(q0: _mm256_abs_epi8(s0), q1: _mm256_abs_epi8(s1), q2: _mm256_abs_epi8(s2), q3: _mm256_abs_epi8(s3),
                           q4: _mm256_abs_epi8(s4), q5: _mm256_abs_epi8(s5), q6: _mm256_abs_epi8(s6), q7: _mm256_abs_epi8(s7),
                           s0: s0, s1: s1, s2: s2, s3: s3, s4: s4, s5: s5, s6: s6, s7: s7,
                           scalesLow: scalesLow, scalesHigh: scalesHigh,
                           d: _mm256_set1_ps(loadHalf(w, byteOffset: 208)), mins: _mm256_setzero_ps())
    }

    /// Four blocks' `vpmaddubsw` pair sums reduced to [Σa Σa Σb Σb Σc Σc Σd Σd] per 128 bits
    /// (each Σ over half of that block's 128-bit lane).
    @inline(__always)
    private static func reduceFour(_ a: __m256i, _ b: __m256i, _ c: __m256i, _ d: __m256i) -> __m256i {
        let ab = _mm256_add_epi16(_mm256_unpacklo_epi32(a, b), _mm256_unpackhi_epi32(a, b))
        let cd = _mm256_add_epi16(_mm256_unpacklo_epi32(c, d), _mm256_unpackhi_epi32(c, d))
        return _mm256_add_epi16(_mm256_unpacklo_epi64(ab, cd), _mm256_unpackhi_epi64(ab, cd))
    }

    /// One token's contribution of super-block `u` added to `acc` (eight lanes, one per 32-element
    /// block): d·dₓ·Σ sc·q·x − dmin·m·dₓ·Σx.
    /// - Parameters:
    ///   - x: the super-block's 256 activation codes
    ///   - scales, sums: its eight activation block scales and sums
    @inline(__always)
    static func accumulateKQuant(_ format: KQuantFormat, _ u: KQuantSuperBlock, _ x: UnsafeRawPointer,
                                 _ scales: UnsafeRawPointer, _ sums: UnsafeRawPointer, _ acc: __m256) -> __m256 {
        @inline(__always) func products(_ q: __m256i, _ signs: __m256i, _ k: Int) -> __m256i {
            let xv = (x + 32 * k).loadUnaligned(as: __m256i.self)
            return _mm256_maddubs_epi16(q, format == .q6K ? _mm256_sign_epi8(xv, signs) : xv)
        }
        let low = _mm256_madd_epi16(reduceFour(products(u.q0, u.s0, 0), products(u.q1, u.s1, 1),
                                               products(u.q2, u.s2, 2), products(u.q3, u.s3, 3)), u.scalesLow)
        let high = _mm256_madd_epi16(reduceFour(products(u.q4, u.s4, 4), products(u.q5, u.s5, 5),
                                                products(u.q6, u.s6, 6), products(u.q7, u.s7, 7)), u.scalesHigh)
        // Lanes [blocks 0-3 of elements 0-15 | of 16-31] and the same for blocks 4-7: add the halves.
        let l = unsafeBitCast(low, to: SIMD8<Int32>.self), h = unsafeBitCast(high, to: SIMD8<Int32>.self)
        let blockSums = SIMD8(lowHalf: l.lowHalf, highHalf: h.lowHalf) &+ SIMD8(lowHalf: l.highHalf, highHalf: h.highHalf)
        let dx = _mm256_mul_ps(u.d, scales.loadUnaligned(as: __m256.self))
        let sum = _mm256_fmadd_ps(dx, _mm256_cvtepi32_ps(unsafeBitCast(blockSums, to: __m256i.self)), acc)
        return format == .q6K ? sum : _mm256_fnmadd_ps(u.mins, sums.loadUnaligned(as: __m256.self), sum)
    }

    /// One weight row against one token.
    @inline(__always)
    static func kQuantOne(_ format: KQuantFormat, _ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                          _ scales: UnsafePointer<Float>, _ sums: UnsafePointer<Float>, blocks: Int) -> Float {
        let stride = superBlockBytes(format)
        var acc = _mm256_setzero_ps()
        for s in 0..<blocks / 8 {
            let u = unpackKQuant(format, row + s * stride)
            acc = accumulateKQuant(format, u, codes + 256 * s, scales + 8 * s, sums + 8 * s, acc)
        }
        return horizontalSum(acc)
    }
}
#endif
