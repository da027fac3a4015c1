#if TERN_AVX512
import CIntrinsics

/// Decode (one token) for Q8_0, Q4_0 and Q4_1 with AVX-512 VNNI: one `vpdpbusd` covers two
/// consecutive weight blocks. The two halves are then scaled and accumulated one block after the
/// other into eight float lanes, exactly as the AVX2 one-token kernel does, so the results are
/// bit-identical to it. A last odd block takes the AVX2 instructions.
///
/// In groups of eight blocks the block headers (d, and m for Q4_1) come from a few wide loads
/// and one word permute, and the eight products d·dₓ (and offsets m·sum) are one vector
/// multiply: the same float products the scalar code forms, in lanes. Two rows advance group by
/// group side by side, so that the out-of-order core overlaps their fused multiply-add chains
/// (one row's chain of dependent FMAs, not the instruction count, bounds a row on its own).
extension AVX512Common {
    /// Writes `output[r]` for r in `rows`: the dot product of weight row r with one token.
    /// - Parameters:
    ///   - codes, scales, sums: the token's activation codes, block scales d and d·Σcodes
    public static func oneToken(_ format: Format, weights: UnsafeRawPointer, rowStride: Int, rows: Range<Int>,
                                codes: UnsafePointer<Int8>, scales: UnsafePointer<Float>, sums: UnsafePointer<Float>,
                                blocks: Int, output: UnsafeMutablePointer<Float>) {
        let token = Token(codes: UnsafeRawPointer(codes), scales: scales, sums: sums)
        switch format {
        case .q8_0: q8_0Rows(weights, rowStride, rows, token, blocks, output)
        case .q4_0: q4_0Rows(weights, rowStride, rows, token, blocks, output)
        case .q4_1: q4_1Rows(weights, rowStride, rows, token, blocks, output)
        }
    }

    // One function per format, so that the format is a constant in each loop (inlined into one
    // function, LLVM merged the formats' loops and tested the format inside them).
    @inline(never)
    private static func q8_0Rows(_ weights: UnsafeRawPointer, _ rowStride: Int, _ rows: Range<Int>, _ token: Token,
                                 _ blocks: Int, _ output: UnsafeMutablePointer<Float>) {
        allRows(.q8_0, weights, rowStride, rows, token, blocks, output)
    }

    @inline(never)
    private static func q4_0Rows(_ weights: UnsafeRawPointer, _ rowStride: Int, _ rows: Range<Int>, _ token: Token,
                                 _ blocks: Int, _ output: UnsafeMutablePointer<Float>) {
        allRows(.q4_0, weights, rowStride, rows, token, blocks, output)
    }

    @inline(never)
    private static func q4_1Rows(_ weights: UnsafeRawPointer, _ rowStride: Int, _ rows: Range<Int>, _ token: Token,
                                 _ blocks: Int, _ output: UnsafeMutablePointer<Float>) {
        allRows(.q4_1, weights, rowStride, rows, token, blocks, output)
    }

    /// How far ahead of two rows being read their successors' lines are asked for: about what
    /// DRAM delivers in the time of one miss (measured: 4-8 KiB best, 1 KiB too short).
    private static let prefetchDistance = 8192

    /// Two rows at a time, group of eight blocks by group, then a last row on its own.
    @inline(__always)
    private static func allRows(_ format: Format, _ weights: UnsafeRawPointer, _ rowStride: Int, _ rows: Range<Int>,
                                _ token: Token, _ blocks: Int, _ output: UnsafeMutablePointer<Float>) {
        var r = rows.lowerBound
        while r + 2 <= rows.upperBound {
            let row0 = weights + r * rowStride
            var first = RowSum(), second = RowSum()
            var b = 0
            // Two rows read back and forth are two short streams that the hardware prefetcher
            // follows poorly (long rows ran at half speed from DRAM): ask for the lines
            // `prefetchDistance` bytes ahead, as much per group as the group reads.
            var ahead = row0 + prefetchDistance
            while b + 8 <= blocks {
                let end = ahead + 16 * RowSum.blockBytes(format)
                while ahead < end {
                    tern_prefetch(ahead)
                    ahead += 64
                }
                first.addGroup(format, row0, b, token)
                second.addGroup(format, row0 + rowStride, b, token)
                b += 8
            }
            first.addTail(format, row0, from: b, blocks: blocks, token)
            second.addTail(format, row0 + rowStride, from: b, blocks: blocks, token)
            output[r] = first.total
            output[r + 1] = second.total
            r += 2
        }
        if r < rows.upperBound {
            let row = weights + r * rowStride
            var sum = RowSum()
            var b = 0
            while b + 8 <= blocks {
                sum.addGroup(format, row, b, token)
                b += 8
            }
            sum.addTail(format, row, from: b, blocks: blocks, token)
            output[r] = sum.total
        }
    }
}

/// One token's quantized activations: codes, and per block of 32 the scale dₓ and dₓ·Σcodes.
private struct Token {
    let codes: UnsafeRawPointer
    let scales: UnsafePointer<Float>
    let sums: UnsafePointer<Float>
}

/// A weight row's running dot product: eight lanes that take one fused multiply-add per block,
/// and (Q4_0, Q4_1) the offset terms summed one block after the other.
private struct RowSum {
    var lanes = _mm256_setzero_ps()
    var offsets: Float = 0

    /// The AVX2 kernels' reduction: the eight lanes, then the offsets.
    var total: Float { horizontalSum(lanes) + offsets }

    /// Bytes per block, and where its 32 quants start.
    @inline(__always) static func blockBytes(_ format: AVX512Common.Format) -> Int {
        switch format { case .q8_0: 34; case .q4_0: 18; case .q4_1: 20 }
    }

    /// Σ q·x of blocks b (at w) and b + 1 in 32-bit lanes: block b in lanes 0-7, b + 1 in 8-15.
    @inline(__always)
    static func pairProducts(_ format: AVX512Common.Format, _ w: UnsafeRawPointer, _ b: Int, _ token: Token) -> __m512 {
        let zero = _mm512_setzero_si512()
        let x = (token.codes + 32 * b).loadUnaligned(as: __m512i.self)
        if format == .q8_0 {
            let bias = _mm512_set1_epi8(-128)
            let q = _mm512_mask_broadcast_i64x4(_mm512_castsi256_si512((w + 2).loadUnaligned(as: __m256i.self)), 0xF0,
                                                (w + 36).loadUnaligned(as: __m256i.self))
            // vpdpbusd multiplies unsigned by signed bytes: (x + 128)·q − 128·q summed in 32-bit
            // integers is exactly Σ x·q per lane.
            let start = _mm512_sub_epi32(zero, _mm512_dpbusd_epi32(zero, bias, q))
            return _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(start, _mm512_xor_si512(x, bias), q))
        }
        let stride = blockBytes(format), codeOffset = format == .q4_0 ? 2 : 4
        // Block b's 16 packed bytes in 128-bit lanes 0-1, block b + 1's in lanes 2-3; lanes 1
        // and 3 shifted right by 4: each block's low then high nibbles, as in AVX2.
        let packed = _mm512_mask_broadcast_i32x4(_mm512_broadcast_i32x4((w + codeOffset).loadUnaligned(as: __m128i.self)),
                                                 0xFF00, (w + stride + codeOffset).loadUnaligned(as: __m128i.self))
        let q = _mm512_and_si512(_mm512_mask_srli_epi16(packed, 0xFF00_FF00, packed, 4), _mm512_set1_epi8(0x0F))
        return _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(zero, q, x))
    }

    /// Blocks b..b+7 of the row at `row`.
    @inline(__always)
    mutating func addGroup(_ format: AVX512Common.Format, _ row: UnsafeRawPointer, _ b: Int, _ token: Token) {
        let stride = Self.blockBytes(format)
        let w = row + b * stride
        // Lanes 0-7: d·dₓ of each block; lanes 8-15 (Q4_0, Q4_1): its offset times Σ of its
        // activations (Q4_0's offset is −8·d, exact in float; Q4_1's is m as stored).
        let p: __m512
        if format == .q8_0 {
            // Block k's d is at byte 34k: words 0 and 17 of each 64-byte load at 68k.
            let index = _mm512_set_epi16(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                         0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 49, 32, 17, 0)
            let first = _mm512_permutex2var_epi16(w.loadUnaligned(as: __m512i.self), index, (w + 68).loadUnaligned(as: __m512i.self))
            let second = _mm512_permutex2var_epi16((w + 136).loadUnaligned(as: __m512i.self), index,
                                                   (w + 204).loadUnaligned(as: __m512i.self))
            let d = _mm256_cvtph_ps(_mm_unpacklo_epi64(_mm512_castsi512_si128(first), _mm512_castsi512_si128(second)))
            p = _mm512_castps256_ps512(_mm256_mul_ps(d, UnsafeRawPointer(token.scales + b).loadUnaligned(as: __m256.self)))
        } else {
            // Words 0-7: d of blocks b..b+7; words 8-15: m (Q4_1) or d again (Q4_0). Block k's
            // header is at byte stride·k: four blocks in each of two 64-byte loads.
            let words = Int16(stride / 2), m: Int16 = format == .q4_0 ? 0 : 1
            @inline(__always) func d(_ k: Int16) -> Int16 { k < 4 ? words * k : 32 + words * (k - 4) }
            let index = _mm512_set_epi16(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                         d(7) + m, d(6) + m, d(5) + m, d(4) + m, d(3) + m, d(2) + m, d(1) + m, d(0) + m,
                                         d(7), d(6), d(5), d(4), d(3), d(2), d(1), d(0))
            let halves = _mm512_permutex2var_epi16(w.loadUnaligned(as: __m512i.self), index,
                                                   (w + 4 * stride).loadUnaligned(as: __m512i.self))
            var dm = _mm512_cvtph_ps(_mm512_castsi512_si256(halves))
            if format == .q4_0 { dm = _mm512_mul_ps(dm, _mm512_mask_broadcast_f32x8(_mm512_set1_ps(1), 0xFF00, _mm256_set1_ps(-8))) }
            let activation = _mm512_mask_broadcast_f32x8(_mm512_castps256_ps512(UnsafeRawPointer(token.scales + b).loadUnaligned(as: __m256.self)),
                                                         0xFF00, UnsafeRawPointer(token.sums + b).loadUnaligned(as: __m256.self))
            p = _mm512_mul_ps(dm, activation)
        }
        for k in Swift.stride(from: 0, to: 8, by: 2) {
            let products = Self.pairProducts(format, w + stride * k, b + k, token)
            lanes = _mm256_fmadd_ps(_mm256_set1_ps(p[k]), _mm512_castps512_ps256(products), lanes)
            if format != .q8_0 { offsets += p[8 + k] }
            lanes = _mm256_fmadd_ps(_mm256_set1_ps(p[k + 1]), upperHalf(products), lanes)
            if format != .q8_0 { offsets += p[9 + k] }
        }
    }

    /// Blocks `from..<blocks` (fewer than eight) of the row at `row`: pairs, then a last odd block.
    @inline(__always)
    mutating func addTail(_ format: AVX512Common.Format, _ row: UnsafeRawPointer, from start: Int, blocks: Int, _ token: Token) {
        let stride = Self.blockBytes(format)
        @inline(__always) func offset(_ w: UnsafeRawPointer, _ d: Float) -> Float {
            format == .q4_0 ? -8 * d : loadHalf(w, byteOffset: 2)
        }
        var b = start
        while b + 2 <= blocks {
            let w0 = row + b * stride, w1 = w0 + stride
            let products = Self.pairProducts(format, w0, b, token)
            let d0 = loadHalf(w0), d1 = loadHalf(w1)
            lanes = _mm256_fmadd_ps(_mm256_set1_ps(d0 * token.scales[b]), _mm512_castps512_ps256(products), lanes)
            if format != .q8_0 { offsets += offset(w0, d0) * token.sums[b] }
            lanes = _mm256_fmadd_ps(_mm256_set1_ps(d1 * token.scales[b + 1]), upperHalf(products), lanes)
            if format != .q8_0 { offsets += offset(w1, d1) * token.sums[b + 1] }
            b += 2
        }
        guard b < blocks else { return }
        let w = row + b * stride
        let ones = _mm256_set1_epi16(1)
        let x = (token.codes + 32 * b).loadUnaligned(as: __m256i.self)
        let products: __m256
        if format == .q8_0 {
            // vpmaddubsw multiplies unsigned by signed: move q's sign onto x.
            let q = (w + 2).loadUnaligned(as: __m256i.self)
            products = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(x, q)), ones))
        } else {
            let packed = (w + (format == .q4_0 ? 2 : 4)).loadUnaligned(as: __m128i.self)
            let low = _mm_and_si128(packed, _mm_set1_epi8(0x0F))
            let high = _mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(0x0F))
            products = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set_m128i(high, low), x), ones))
        }
        let d = loadHalf(w)
        lanes = _mm256_fmadd_ps(_mm256_set1_ps(d * token.scales[b]), products, lanes)
        if format != .q8_0 { offsets += offset(w, d) * token.sums[b] }
    }
}
#endif
