#if TERN_AVX2
import CIntrinsics

/// AVX2 row dot products for the 5-bit and K-quant weight formats. Same arithmetic as the
/// `PortableDot` versions: exact integer sums per block (`vpmaddubsw`, then `vpmaddwd` by one or by
/// the sub-block scale), scaled in float with FMA.
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

    @inline(__always)
    static func q45K(_ type: WeightType, _ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                     _ scales: UnsafePointer<Float>, _ sums: UnsafePointer<Float>, blocks: Int) -> Float {
        let lowNibble = _mm256_set1_epi8(0x0F), bit4 = _mm256_set1_epi8(0x10)
        let stride = type.bytesPerBlock
        let qsOffset = type == .q4_K ? 16 : 48
        let fiveBit = type == .q5_K
        var acc = _mm256_setzero_ps()
        var minTotal: Float = 0
        for s in 0..<blocks / 8 {
            let w = row + s * stride
            let d = loadHalf(w), dmin = loadHalf(w, byteOffset: 2)
            var highBits = fiveBit ? (w + 16).loadUnaligned(as: __m256i.self) : _mm256_setzero_si256()
            var minSum: Float = 0
            for c in 0..<4 {
                let b = 8 * s + 2 * c
                let packed = (w + qsOffset + 32 * c).loadUnaligned(as: __m256i.self)
                var low = _mm256_and_si256(packed, lowNibble)
                var high = _mm256_and_si256(_mm256_srli_epi16(packed, 4), lowNibble)
                if fiveBit {
                    // After shifting right by 2c, bits 0 and 1 of each qh byte are the fifth bits
                    // of sub-blocks 2c and 2c + 1.
                    low = _mm256_or_si256(low, _mm256_and_si256(_mm256_slli_epi16(highBits, 4), bit4))
                    high = _mm256_or_si256(high, _mm256_and_si256(_mm256_slli_epi16(highBits, 3), bit4))
                    highBits = _mm256_srli_epi16(highBits, 2)
                }
                let (scaleLow, minLow) = KQuantCodec.scaleAndMin(w + 4, 2 * c)
                let (scaleHigh, minHigh) = KQuantCodec.scaleAndMin(w + 4, 2 * c + 1)
                let x0 = UnsafeRawPointer(codes + 32 * b).loadUnaligned(as: __m256i.self)
                let x1 = UnsafeRawPointer(codes + 32 * b + 32).loadUnaligned(as: __m256i.self)
                let p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(low, x0), _mm256_set1_epi16(Int16(scaleLow)))
                let p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(high, x1), _mm256_set1_epi16(Int16(scaleHigh)))
                acc = _mm256_fmadd_ps(_mm256_set1_ps(d * scales[b]), _mm256_cvtepi32_ps(p0), acc)
                acc = _mm256_fmadd_ps(_mm256_set1_ps(d * scales[b + 1]), _mm256_cvtepi32_ps(p1), acc)
                minSum += Float(minLow) * sums[b] + Float(minHigh) * sums[b + 1]
            }
            minTotal += dmin * minSum
        }
        return horizontalSum(acc) - minTotal
    }

    static func q6K(_ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                    _ scales: UnsafePointer<Float>, blocks: Int) -> Float {
        let lowNibble = _mm256_set1_epi8(0x0F), highPair = _mm256_set1_epi8(0x30), bias = _mm256_set1_epi8(32)
        var acc = _mm256_setzero_ps()
        for s in 0..<blocks / 8 {
            let w = row + s * 210
            let d = loadHalf(w, byteOffset: 208)
            for h in 0..<2 {
                let ql0 = (w + 64 * h).loadUnaligned(as: __m256i.self)
                let ql1 = (w + 64 * h + 32).loadUnaligned(as: __m256i.self)
                let qh = (w + 128 + 32 * h).loadUnaligned(as: __m256i.self)
                // The four 32-element groups of this half: (nibble of ql0/ql1) | (2 bits of qh) << 4.
                let q = (
                    _mm256_or_si256(_mm256_and_si256(ql0, lowNibble), _mm256_and_si256(_mm256_slli_epi16(qh, 4), highPair)),
                    _mm256_or_si256(_mm256_and_si256(ql1, lowNibble), _mm256_and_si256(_mm256_slli_epi16(qh, 2), highPair)),
                    _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), lowNibble), _mm256_and_si256(qh, highPair)),
                    _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), lowNibble), _mm256_and_si256(_mm256_srli_epi16(qh, 2), highPair))
                )
                @inline(__always) func accumulate(_ k: Int, _ qk: __m256i) {
                    let b = 8 * s + 4 * h + k
                    let xv = UnsafeRawPointer(codes + 32 * b).loadUnaligned(as: __m256i.self)
                    // Σ (q − 32)·x per pair, then weighted by the 16-element sub-block scales.
                    let pairs = _mm256_sub_epi16(_mm256_maddubs_epi16(qk, xv), _mm256_maddubs_epi16(bias, xv))
                    let first = Int16(w.load(fromByteOffset: 192 + 8 * h + 2 * k, as: Int8.self))
                    let second = Int16(w.load(fromByteOffset: 193 + 8 * h + 2 * k, as: Int8.self))
                    let weighted = _mm256_madd_epi16(pairs, _mm256_set_m128i(_mm_set1_epi16(second), _mm_set1_epi16(first)))
                    acc = _mm256_fmadd_ps(_mm256_set1_ps(d * scales[b]), _mm256_cvtepi32_ps(weighted), acc)
                }
                accumulate(0, q.0)
                accumulate(1, q.1)
                accumulate(2, q.2)
                accumulate(3, q.3)
            }
        }
        return horizontalSum(acc)
    }
}
#endif
