#if TERN_AVX2
import CIntrinsics

/// AVX2 row dot products for the 5-bit formats (same arithmetic as the `PortableDot` versions:
/// exact integer sums per block, scaled in float with FMA) and the entry points of the K-quant
/// kernels (DotAVX2KQuant.swift).
extension AVX2Dot {
    /// 32 bits → 32 bytes, byte i = 0x10 where bit i is set (the Q5 fifth bit, in place).
    @inline(__always)
    private static func fifthBits(_ bits: UInt32) -> __m256i {
        let word = _mm256_set1_epi32(Int32(bitPattern: bits))
        // Byte i takes byte i / 8 of the word, then is tested against bit i % 8: OR-ing every
        // other bit in makes the byte all ones exactly when that bit is set.
        let spread = _mm256_shuffle_epi8(word, _mm256_set_epi64x(0x0303_0303_0303_0303, 0x0202_0202_0202_0202,
                                                                  0x0101_0101_0101_0101, 0))
        let tested = _mm256_or_si256(spread, _mm256_set1_epi64x(0x7FBF_DFEF_F7FB_FDFE))
        return _mm256_and_si256(_mm256_cmpeq_epi8(tested, _mm256_set1_epi64x(-1)), _mm256_set1_epi8(0x10))
    }

    static func q5(_ type: WeightType, _ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                   _ scales: UnsafePointer<Float>, _ sums: UnsafePointer<Float>, blocks: Int) -> Float {
        let ones = _mm256_set1_epi16(1)
        let stride = type.bytesPerBlock
        let qhOffset = Q5Codec.highBitsOffset(type)
        var acc = _mm256_setzero_ps()
        var offsetTotal: Float = 0
        for b in 0..<blocks {
            let w = row + b * stride
            let high = fifthBits(w.loadUnaligned(fromByteOffset: qhOffset, as: UInt32.self).littleEndian)
            let q = _mm256_or_si256(unpackNibbles(w + qhOffset + 4), high)
            let xv = UnsafeRawPointer(codes + b * 32).loadUnaligned(as: __m256i.self)
            let products = _mm256_madd_epi16(_mm256_maddubs_epi16(q, xv), ones)
            let d = loadHalf(w)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d * scales[b]), _mm256_cvtepi32_ps(products), acc)
            offsetTotal += (type == .q5_0 ? -16 * d : loadHalf(w, byteOffset: 2)) * sums[b]
        }
        return horizontalSum(acc) + offsetTotal
    }

    /// Q4_K / Q5_K for `quantized`; the matmul calls the K-quant loops (`kQuantRows`) directly.
    static func q45K(_ type: WeightType, _ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                     _ scales: UnsafePointer<Float>, _ sums: UnsafePointer<Float>, blocks: Int) -> Float {
        type == .q4_K ? kQuantOne(.q4K, row, codes, scales, sums, blocks: blocks)
            : kQuantOne(.q5K, row, codes, scales, sums, blocks: blocks)
    }

    static func q6K(_ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                    _ scales: UnsafePointer<Float>, blocks: Int) -> Float {
        // Q6_K has no mins: the sums are never read.
        kQuantOne(.q6K, row, codes, scales, scales, blocks: blocks)
    }
}
#endif
