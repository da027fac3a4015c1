#if TERN_AVX512
import CIntrinsics

/// The K-quant row loops: one token (decode) and tiles of eight tokens (prefill, batched
/// decode). Each (row, token) result is the same sequence of operations in both: per
/// super-block, `products`, one fused multiply-add with d · dₓ into 16 float lanes and, for the
/// Q4_K/Q5_K mins, one fused multiply-add with dmin · dₓ into one float; then `lanesSum` minus
/// the mins.
extension AVX512KQuant {
    /// Writes `output[r]` for r in `rows`: weight row r against token `token`.
    /// - Parameters:
    ///   - weights: row r starts at `weights + r * rowStride`
    public static func oneToken(_ format: Format, weights: UnsafeRawPointer, rowStride: Int, rows: Range<Int>,
                                activations a: Activations, token: Int, output: UnsafeMutablePointer<Float>) {
        // One loop per format, so that the format is a constant inside each.
        switch format {
        case .q4K: for r in rows { output[r] = oneRow(.q4K, weights + r * rowStride, a, token) }
        case .q5K: for r in rows { output[r] = oneRow(.q5K, weights + r * rowStride, a, token) }
        case .q6K: for r in rows { output[r] = oneRow(.q6K, weights + r * rowStride, a, token) }
        }
    }

    @inline(__always)
    private static func oneRow(_ format: Format, _ row: UnsafeRawPointer, _ a: Activations, _ t: Int) -> Float {
        let stride = superBlockBytes(format)
        var acc = _mm512_setzero_ps()
        var mins: Float = 0
        for s in 0..<a.columns / 256 {
            let w = row + s * stride
            let u = unpack(format, w)
            let dx = a.scale(token: t, superBlock: s)
            let p = products(format, u, a.codes(token: t, superBlock: s), a.sums16(token: t, superBlock: s))
            acc = _mm512_fmadd_ps(_mm512_set1_ps(u.d * dx), _mm512_cvtepi32_ps(p), acc)
            if format != .q6K {
                mins = mins.addingProduct(u.dmin * dx, Float(minsProduct(u, a.sums32(token: t, superBlock: s))))
            }
        }
        return lanesSum(acc) - mins
    }

    /// Eight tokens from `firstToken` against weight rows `rows`, over super-blocks
    /// `superBlocks` of each row: writes `output[(firstToken + t) * outputStride + r]` for t in
    /// 0..<8 and r in `rows` when the range reaches the rows' end.
    ///
    /// Long rows go in several calls over consecutive super-block ranges, so that the tile's
    /// activations for one range stay in L1; `partials` carries each (row, token)'s accumulators
    /// from one call to the next (the same values the registers would hold, so the result is
    /// the same as in one call).
    /// - Parameters:
    ///   - partials: nil when `superBlocks` covers whole rows; otherwise `partialFloatsPerRow`
    ///     floats per row of `rows`, written by a call and read by the next
    public static func eightTokens(_ format: Format, weights: UnsafeRawPointer, rowStride: Int, rows: Range<Int>,
                                   superBlocks: Range<Int>, activations a: Activations, firstToken: Int,
                                   partials: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>, outputStride: Int) {
        let out = output + firstToken * outputStride
        let total = a.columns / 256
        precondition(partials != nil || (superBlocks.lowerBound == 0 && superBlocks.upperBound == total))
        let resume = superBlocks.lowerBound > 0, finish = superBlocks.upperBound == total
        @inline(__always) func allRows(_ format: Format) {
            for r in rows {
                var state: UnsafeMutablePointer<Float>? = nil
                if let partials { state = partials + (r - rows.lowerBound) * partialFloatsPerRow }
                eightTokensRow(format, weights + r * rowStride, a, firstToken, superBlocks, state: state, resume: resume,
                               finish: finish, out + r, outputStride)
            }
        }
        switch format {
        case .q4K: allRows(.q4K)
        case .q5K: allRows(.q5K)
        case .q6K: allRows(.q6K)
        }
    }

    /// Eight tokens' 16 accumulator lanes and their eight mins.
    public static let partialFloatsPerRow = 8 * 16 + 8

    /// One weight row against eight tokens: each super-block is unpacked once, and the tokens'
    /// 16-lane accumulators stay in registers.
    @inline(__always)
    private static func eightTokensRow(_ format: Format, _ row: UnsafeRawPointer, _ a: Activations, _ t0: Int,
                                       _ superBlocks: Range<Int>, state: UnsafeMutablePointer<Float>?, resume: Bool, finish: Bool,
                                       _ output: UnsafeMutablePointer<Float>, _ outputStride: Int) {
        let stride = superBlockBytes(format)
        let saved = UnsafeMutableRawPointer(state)
        @inline(__always) func start(_ t: Int) -> __m512 {
            resume ? saved!.loadUnaligned(fromByteOffset: 64 * t, as: __m512.self) : _mm512_setzero_ps()
        }
        var acc0 = start(0), acc1 = start(1), acc2 = start(2), acc3 = start(3)
        var acc4 = start(4), acc5 = start(5), acc6 = start(6), acc7 = start(7)
        // Token t's mins in lane t.
        var mins = resume ? saved!.loadUnaligned(fromByteOffset: 512, as: __m256.self) : _mm256_setzero_ps()
        for s in superBlocks {
            let u = unpack(format, row + s * stride)
            let dx = UnsafeRawPointer(a.scalesByBlock + 8 * s * a.byBlockStride + t0).loadUnaligned(as: __m256.self)
            // Lane t: d · dₓ of token t, the same product as the one-token kernel's.
            let scale = _mm512_castps256_ps512(_mm256_mul_ps(_mm256_set1_ps(u.d), dx))
            @inline(__always) func token(_ t: Int, _ acc: inout __m512) {
                let p = products(format, u, a.codes(token: t0 + t, superBlock: s), a.sums16(token: t0 + t, superBlock: s))
                acc = _mm512_fmadd_ps(_mm512_permutexvar_ps(_mm512_set1_epi32(Int32(t)), scale), _mm512_cvtepi32_ps(p), acc)
            }
            token(0, &acc0); token(1, &acc1); token(2, &acc2); token(3, &acc3)
            token(4, &acc4); token(5, &acc5); token(6, &acc6); token(7, &acc7)
            if format != .q6K {
                // Lane t: Σ min · (Σ of each 32 codes) of token t, from the four pairs of blocks.
                let pairs = a.codeSumPairsByBlock + 4 * s * a.byBlockStride + t0
                var m = _mm256_setzero_si256()
                for p in 0..<4 {
                    let minPair = _mm256_permutevar8x32_epi32(_mm256_castsi128_si256(u.mins), _mm256_set1_epi32(Int32(p)))
                    m = _mm256_add_epi32(m, _mm256_madd_epi16(minPair, UnsafeRawPointer(pairs + p * a.byBlockStride).loadUnaligned(as: __m256i.self)))
                }
                mins = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(u.dmin), dx), _mm256_cvtepi32_ps(m), mins)
            }
        }
        guard finish else {
            let p = saved!
            p.storeBytes(of: acc0, toByteOffset: 0, as: __m512.self); p.storeBytes(of: acc1, toByteOffset: 64, as: __m512.self)
            p.storeBytes(of: acc2, toByteOffset: 128, as: __m512.self); p.storeBytes(of: acc3, toByteOffset: 192, as: __m512.self)
            p.storeBytes(of: acc4, toByteOffset: 256, as: __m512.self); p.storeBytes(of: acc5, toByteOffset: 320, as: __m512.self)
            p.storeBytes(of: acc6, toByteOffset: 384, as: __m512.self); p.storeBytes(of: acc7, toByteOffset: 448, as: __m512.self)
            p.storeBytes(of: mins, toByteOffset: 512, as: __m256.self)
            return
        }
        let m = mins
        output[0] = lanesSum(acc0) - m[0]
        output[outputStride] = lanesSum(acc1) - m[1]
        output[2 * outputStride] = lanesSum(acc2) - m[2]
        output[3 * outputStride] = lanesSum(acc3) - m[3]
        output[4 * outputStride] = lanesSum(acc4) - m[4]
        output[5 * outputStride] = lanesSum(acc5) - m[5]
        output[6 * outputStride] = lanesSum(acc6) - m[6]
        output[7 * outputStride] = lanesSum(acc7) - m[7]
    }
}
#endif
