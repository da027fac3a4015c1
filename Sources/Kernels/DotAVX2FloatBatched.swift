#if TERN_AVX2
import CIntrinsics

/// Prefill for F32, F16 and BF16 weights: one weight row against four activation rows, so each
/// weight vector is loaded and widened once for four tokens. Per token the arithmetic is that of
/// `AVX2Dot.float` (the same two accumulators over alternating chunks of eight, the same
/// reduction and tail), so each result is bit-identical to the one-token path.
extension AVX2Dot {
    /// Writes `output[t * outputStride]` for t in 0..<4; token t's activations start at
    /// `x + t * xStride`.
    @inline(__always)
    static func floatFour(_ type: WeightType, _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, xStride: Int, count: Int,
                          output: UnsafeMutablePointer<Float>, outputStride: Int) {
        var a0 = _mm256_setzero_ps(), b0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps()
        var a2 = _mm256_setzero_ps(), b2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps(), b3 = _mm256_setzero_ps()
        let x0 = UnsafeRawPointer(x), x1 = x0 + 4 * xStride, x2 = x1 + 4 * xStride, x3 = x2 + 4 * xStride
        @inline(__always) func load(_ offset: Int) -> __m256 { floats(type, row, offset) }
        @inline(__always) func xv(_ p: UnsafeRawPointer, _ offset: Int) -> __m256 { (p + 4 * offset).loadUnaligned(as: __m256.self) }
        var i = 0
        while i + 16 <= count {
            let w = load(i), v = load(i + 8)
            a0 = _mm256_fmadd_ps(w, xv(x0, i), a0); b0 = _mm256_fmadd_ps(v, xv(x0, i + 8), b0)
            a1 = _mm256_fmadd_ps(w, xv(x1, i), a1); b1 = _mm256_fmadd_ps(v, xv(x1, i + 8), b1)
            a2 = _mm256_fmadd_ps(w, xv(x2, i), a2); b2 = _mm256_fmadd_ps(v, xv(x2, i + 8), b2)
            a3 = _mm256_fmadd_ps(w, xv(x3, i), a3); b3 = _mm256_fmadd_ps(v, xv(x3, i + 8), b3)
            i += 16
        }
        while i + 8 <= count {
            let w = load(i)
            a0 = _mm256_fmadd_ps(w, xv(x0, i), a0)
            a1 = _mm256_fmadd_ps(w, xv(x1, i), a1)
            a2 = _mm256_fmadd_ps(w, xv(x2, i), a2)
            a3 = _mm256_fmadd_ps(w, xv(x3, i), a3)
            i += 8
        }
        var t0 = horizontalSum(_mm256_add_ps(a0, b0)), t1 = horizontalSum(_mm256_add_ps(a1, b1))
        var t2 = horizontalSum(_mm256_add_ps(a2, b2)), t3 = horizontalSum(_mm256_add_ps(a3, b3))
        if i < count {
            let tail = row + type.rowBytes(columns: i), n = count - i
            t0 += PortableDot.float(type, tail, x + i, count: n)
            t1 += PortableDot.float(type, tail, x + xStride + i, count: n)
            t2 += PortableDot.float(type, tail, x + 2 * xStride + i, count: n)
            t3 += PortableDot.float(type, tail, x + 3 * xStride + i, count: n)
        }
        output[0] = t0
        output[outputStride] = t1
        output[2 * outputStride] = t2
        output[3 * outputStride] = t3
    }
}
#endif
