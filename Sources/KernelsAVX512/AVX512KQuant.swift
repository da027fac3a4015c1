#if TERN_AVX512
import CIntrinsics

/// Q4_K, Q5_K and Q6_K weights against activations quantized per 256 values (ggml's Q8_K; see
/// `ActivationQuantization.perSuperBlock`) with AVX-512 VNNI.
///
/// A weight super-block is unpacked once (`KQuantUnpacked`): four zmm of unsigned codes, each
/// covering 64 consecutive elements, and 16-bit sub-block scales. One token's super-block is then
/// integer work up to one float step:
/// - `vpdpbusd` of each code vector with the token's 64 codes gives 16 lanes of four products
///   each, inside one sub-block. A lane is at most 4 · 63 · 127 = 32,004 (Q6_K; Q5_K 15,748,
///   Q4_K 7,620), so `vpackssdw` packs two such vectors into 16-bit words exactly.
/// - `vpmaddwd` / `vpdpwssd` multiply the words by their sub-block scales and add pairs: 16
///   int32 lanes holding Σ scale · q · x of the super-block. Q6_K's codes are stored as q with
///   value q − 32, so one more `vpdpwssd` adds −32 · Σ scale · (Σ of each 16 activation codes).
/// - One fused multiply-add with d · dₓ into 16 float lanes per (row, token); the Q4_K/Q5_K
///   mins, dmin · dₓ · Σ min · (Σ of each 32 activation codes), go to one float per (row, token).
///
/// The decode and tile kernels run exactly these operations per (row, token) in the same order,
/// so a token's result does not depend on its batch.
public enum AVX512KQuant {
    public enum Format: Sendable { case q4K, q5K, q6K }

    /// Activation rows quantized per super-block; row (token) t's data at `+ t · stride`.
    public struct Activations {
        /// (tokens, columns) codes
        let codes: UnsafePointer<Int8>
        let columns: Int
        /// (tokens, columns / 32) scales: super-block s's dₓ at index 8s of a row
        let scales: UnsafePointer<Float>
        /// (columns / 32, byBlockStride) `scales` transposed: block b of consecutive tokens
        let scalesByBlock: UnsafePointer<Float>
        /// (tokens, columns / 16) Σ of each 16 codes
        let codeSums16: UnsafePointer<Int16>
        /// (tokens, columns / 32) Σ of each 32 codes
        let codeSums32: UnsafePointer<Int16>
        /// (columns / 64, byBlockStride) 32-sums of blocks 2p and 2p + 1 in one word
        let codeSumPairsByBlock: UnsafePointer<Int32>
        let byBlockStride: Int

        public init(codes: UnsafePointer<Int8>, columns: Int, scales: UnsafePointer<Float>, scalesByBlock: UnsafePointer<Float>,
                    codeSums16: UnsafePointer<Int16>, codeSums32: UnsafePointer<Int16>,
                    codeSumPairsByBlock: UnsafePointer<Int32>, byBlockStride: Int) {
            self.codes = codes
            self.columns = columns
            self.scales = scales
            self.scalesByBlock = scalesByBlock
            self.codeSums16 = codeSums16
            self.codeSums32 = codeSums32
            self.codeSumPairsByBlock = codeSumPairsByBlock
            self.byBlockStride = byBlockStride
        }

        @inline(__always) func codes(token t: Int, superBlock s: Int) -> UnsafeRawPointer {
            UnsafeRawPointer(codes + t * columns + 256 * s)
        }

        @inline(__always) func scale(token t: Int, superBlock s: Int) -> Float { scales[t * (columns / 32) + 8 * s] }

        @inline(__always) func sums16(token t: Int, superBlock s: Int) -> UnsafeRawPointer {
            UnsafeRawPointer(codeSums16 + t * (columns / 16) + 16 * s)
        }

        @inline(__always) func sums32(token t: Int, superBlock s: Int) -> UnsafeRawPointer {
            UnsafeRawPointer(codeSums32 + t * (columns / 32) + 8 * s)
        }
    }

    @inline(__always)
    static func superBlockBytes(_ format: Format) -> Int {
        switch format {
        case .q4K: 144
        case .q5K: 176
        case .q6K: 210
        }
    }
}

/// One weight super-block, unpacked.
struct KQuantUnpacked {
    /// Unsigned codes of elements 64c ..< 64c + 64 (Q6_K: q, value q − 32).
    var q0, q1, q2, q3: __m512i
    /// 16-bit multipliers of `vpackssdw(P0, P1)` and `vpackssdw(P2, P3)`, Pc being the
    /// `vpdpbusd` lanes of code vector c.
    var scales01, scales23: __m512i
    /// Q6_K: −32 · scale of each 16 elements, 16-bit, in the low 256 bits.
    var offsets: __m512i
    /// Q4_K/Q5_K: the eight 6-bit mins as 16-bit words.
    var mins: __m128i
    var d: Float
    var dmin: Float
}

extension AVX512KQuant {
    /// A vector of 32 16-bit words: `low` in words 0-15, `high` in words 16-31.
    @inline(__always)
    static func wordHalves(_ low: Int64, _ high: Int64) -> __m512i {
        let l = low * 0x0001_0001_0001_0001, h = high * 0x0001_0001_0001_0001
        return _mm512_set_epi64(h, h, h, h, l, l, l, l)
    }

    @inline(__always)
    static func unpack(_ format: Format, _ w: UnsafeRawPointer) -> KQuantUnpacked {
        format == .q6K ? unpackQ6K(w) : unpackQ45K(format == .q5K, w)
    }

    /// Q4_K (144 bytes: d, dmin, 12 bytes of scales and mins, 128 bytes of nibbles) and Q5_K
    /// (the same with 32 bytes of fifth bits before the nibbles).
    @inline(__always)
    static func unpackQ45K(_ fiveBits: Bool, _ w: UnsafeRawPointer) -> KQuantUnpacked {
        let lowNibble = _mm512_set1_epi8(0x0F), bit4 = _mm512_set1_epi8(0x10)
        let qs = w + (fiveBits ? 48 : 16)
        let highBits = fiveBits ? _mm512_broadcast_i64x4((w + 16).loadUnaligned(as: __m256i.self)) : _mm512_setzero_si512()
        // Bytes 32c ..< 32c + 32 hold sub-block 2c in their low nibbles and 2c + 1 in their high
        // nibbles: broadcast to both halves, shift the upper half's words right by 4.
        @inline(__always) func codes(_ c: Int) -> __m512i {
            let packed = _mm512_broadcast_i64x4((qs + 32 * c).loadUnaligned(as: __m256i.self))
            let nibbles = _mm512_and_si512(_mm512_mask_srli_epi16(packed, 0xFFFF_0000, packed, 4), lowNibble)
            guard fiveBits else { return nibbles }
            // Bit s of qh byte l is the fifth bit of element l of sub-block s: move bit 2c (lower
            // half) and 2c + 1 (upper half) to bit 4. Word shifts carry bits across bytes; the
            // mask keeps only bit 4 of each byte, which comes from the same byte.
            let moved = switch c {
            case 0: _mm512_sllv_epi16(highBits, wordHalves(4, 3))
            case 1: _mm512_sllv_epi16(highBits, wordHalves(2, 1))
            case 2: _mm512_srlv_epi16(highBits, wordHalves(0, 1))
            default: _mm512_srlv_epi16(highBits, wordHalves(2, 3))
            }
            return _mm512_or_si512(nibbles, _mm512_and_si512(moved, bit4))
        }
        // The 6-bit scales and mins (`KQuantCodec.scaleAndMin`), four at a time in 32-bit words.
        let u0 = w.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian
        let u1 = w.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
        let u2 = w.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian
        let scales03 = u0 & 0x3F3F_3F3F, mins03 = u1 & 0x3F3F_3F3F
        let scales47 = (u2 & 0x0F0F_0F0F) | ((u0 >> 2) & 0x3030_3030)
        let mins47 = ((u2 >> 4) & 0x0F0F_0F0F) | ((u1 >> 2) & 0x3030_3030)
        let scaleWords = _mm512_castsi128_si512(_mm_cvtepu8_epi16(_mm_cvtsi64_si128(Int64(bitPattern: UInt64(scales03) | UInt64(scales47) << 32))))
        let minWords = _mm_cvtepu8_epi16(_mm_cvtsi64_si128(Int64(bitPattern: UInt64(mins03) | UInt64(mins47) << 32)))
        // P0 lanes 0-7 are sub-block 0, lanes 8-15 sub-block 1; P1 sub-blocks 2 and 3. Each
        // 128-bit lane L of vpackssdw(P0, P1) holds four words of P0 (sub-block L / 2) then four
        // of P1 (2 + L / 2).
        let index01 = _mm512_set_epi64(0x0003_0003_0003_0003, 0x0001_0001_0001_0001, 0x0003_0003_0003_0003, 0x0001_0001_0001_0001,
                                       0x0002_0002_0002_0002, 0x0000_0000_0000_0000, 0x0002_0002_0002_0002, 0x0000_0000_0000_0000)
        let index23 = _mm512_add_epi16(index01, _mm512_set1_epi16(4))
        return KQuantUnpacked(q0: codes(0), q1: codes(1), q2: codes(2), q3: codes(3),
                              scales01: _mm512_permutexvar_epi16(index01, scaleWords),
                              scales23: _mm512_permutexvar_epi16(index23, scaleWords),
                              offsets: _mm512_setzero_si512(), mins: minWords,
                              d: loadHalf(w), dmin: loadHalf(w, byteOffset: 2))
    }

    /// Q6_K (210 bytes): `ql[128]`, `qh[64]`, int8 `scales[16]`, f16 `d`. In half h, the low
    /// nibbles of `ql[64h ..< 64h + 64]` are elements 128h ..< 128h + 64 and the high nibbles the
    /// next 64; the top two bits of element l of 32-group k are bits 2k, 2k + 1 of `qh[32h + l]`.
    @inline(__always)
    static func unpackQ6K(_ w: UnsafeRawPointer) -> KQuantUnpacked {
        let lowNibble = _mm512_set1_epi8(0x0F), topBits = _mm512_set1_epi8(0x30)
        @inline(__always) func half(_ h: Int) -> (__m512i, __m512i) {
            let ql = (w + 64 * h).loadUnaligned(as: __m512i.self)
            let qh = _mm512_broadcast_i64x4((w + 128 + 32 * h).loadUnaligned(as: __m256i.self))
            // Groups k = 0, 1 take qh bits 0-1 and 2-3 (shifted left to bits 4-5), groups 2, 3
            // bits 4-5 and 6-7. Word shifts carry bits across bytes; the mask keeps bits 4-5.
            let first = _mm512_or_si512(_mm512_and_si512(ql, lowNibble),
                                        _mm512_and_si512(_mm512_sllv_epi16(qh, wordHalves(4, 2)), topBits))
            let second = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), lowNibble),
                                         _mm512_and_si512(_mm512_srlv_epi16(qh, wordHalves(0, 2)), topBits))
            return (first, second)
        }
        let (q0, q1) = half(0), (q2, q3) = half(1)
        let scaleWords = _mm256_cvtepi8_epi16((w + 192).loadUnaligned(as: __m128i.self))
        // Pc lane i is elements 64c + 4i ..< 64c + 4i + 4, in 16-group 4c + i / 4: 128-bit lane L
        // of vpackssdw(P0, P1) holds four words of group L, then four of group 4 + L.
        let index01 = _mm512_set_epi64(0x0007_0007_0007_0007, 0x0003_0003_0003_0003, 0x0006_0006_0006_0006, 0x0002_0002_0002_0002,
                                       0x0005_0005_0005_0005, 0x0001_0001_0001_0001, 0x0004_0004_0004_0004, 0x0000_0000_0000_0000)
        let index23 = _mm512_add_epi16(index01, _mm512_set1_epi16(8))
        let words = _mm512_castsi256_si512(scaleWords)
        return KQuantUnpacked(q0: q0, q1: q1, q2: q2, q3: q3,
                              scales01: _mm512_permutexvar_epi16(index01, words),
                              scales23: _mm512_permutexvar_epi16(index23, words),
                              offsets: _mm512_zextsi256_si512(_mm256_mullo_epi16(scaleWords, _mm256_set1_epi16(-32))),
                              mins: _mm_setzero_si128(), d: loadHalf(w, byteOffset: 208), dmin: 0)
    }

    /// Σ scale · (q − offset) · x over one super-block of one token, in 16 int32 lanes (exact).
    /// - Parameters:
    ///   - x: the token's 256 codes of this super-block
    ///   - sums16: their 16 sums of 16 (read for Q6_K only)
    @inline(__always)
    static func products(_ format: Format, _ u: KQuantUnpacked, _ x: UnsafeRawPointer, _ sums16: UnsafeRawPointer) -> __m512i {
        let zero = _mm512_setzero_si512()
        let p0 = _mm512_dpbusd_epi32(zero, u.q0, x.loadUnaligned(as: __m512i.self))
        let p1 = _mm512_dpbusd_epi32(zero, u.q1, (x + 64).loadUnaligned(as: __m512i.self))
        let p2 = _mm512_dpbusd_epi32(zero, u.q2, (x + 128).loadUnaligned(as: __m512i.self))
        let p3 = _mm512_dpbusd_epi32(zero, u.q3, (x + 192).loadUnaligned(as: __m512i.self))
        let total = _mm512_dpwssd_epi32(_mm512_madd_epi16(_mm512_packs_epi32(p0, p1), u.scales01), _mm512_packs_epi32(p2, p3), u.scales23)
        guard format == .q6K else { return total }
        return _mm512_dpwssd_epi32(total, _mm512_zextsi256_si512(sums16.loadUnaligned(as: __m256i.self)), u.offsets)
    }

    /// Q4_K/Q5_K: Σ min · (Σ of each 32 codes) of one token's super-block (exact).
    @inline(__always)
    static func minsProduct(_ u: KQuantUnpacked, _ sums32: UnsafeRawPointer) -> Int32 {
        let four = _mm_madd_epi16(u.mins, sums32.loadUnaligned(as: __m128i.self))
        let two = _mm_add_epi32(four, _mm_unpackhi_epi64(four, four))
        return _mm_cvtsi128_si32(_mm_add_epi32(two, _mm_srli_epi64(two, 32)))
    }

    /// The sum of 16 lanes: the two halves added, then `horizontalSum`'s order.
    @inline(__always)
    static func lanesSum(_ v: __m512) -> Float {
        horizontalSum(_mm256_add_ps(_mm512_castps512_ps256(v), upperHalf(v)))
    }
}
#endif
