#if TERN_AVX512
import CIntrinsics

/// Matrix products with F32, F16 and BF16 weights on CPUs with AVX-512: a register tile of four
/// weight rows by six tokens (24 zmm accumulators), so each widened weight vector serves six
/// tokens and each activation vector four rows, keeping the FMA units rather than the loads
/// busy. Every (row, token) result is the same sequence of 16-lane fused multiply-adds over the
/// columns and the same final reduction whatever tile computes it, so a token's result does not
/// depend on the batch.
public enum AVX512Float {
    public enum Format: Sendable { case f32, f16, bf16 }

    /// Writes `output[t * outputStride + r]` for t in 0..<tokens and r in `rows`.
    /// - Parameters:
    ///   - weights: row r starts at `weights + r * rowStride`
    ///   - x: (tokens, columns) activations
    public static func matmul(_ format: Format, weights: UnsafeRawPointer, rowStride: Int, rows: Range<Int>,
                              x: UnsafePointer<Float>, tokens: Int, columns: Int,
                              output: UnsafeMutablePointer<Float>, outputStride: Int) {
        let problem = Problem(weights: weights, rowStride: rowStride, x: x, columns: columns,
                              output: output, outputStride: outputStride)
        switch format {
        case .f32: problem.run(F32.self, rows: rows, tokens: tokens)
        case .f16: problem.run(F16.self, rows: rows, tokens: tokens)
        case .bf16: problem.run(BF16.self, rows: rows, tokens: tokens)
        }
    }

    private struct Problem {
        let weights: UnsafeRawPointer
        let rowStride: Int
        let x: UnsafePointer<Float>
        let columns: Int
        let output: UnsafeMutablePointer<Float>
        let outputStride: Int

        /// Tokens in tiles of six (the tile's activations stay in L1 while the rows pass), rows in
        /// tiles of four; leftover tokens four rows at a time, leftover rows one at a time.
        @inline(__always)
        func run<L: WeightLoader>(_: L.Type, rows: Range<Int>, tokens: Int) {
            var t = 0
            while t + 6 <= tokens {
                var r = rows.lowerBound
                while r + 4 <= rows.upperBound {
                    tile(L.self, r, t)
                    r += 4
                }
                while r < rows.upperBound {
                    for token in t..<(t + 6) { one(L.self, r, token) }
                    r += 1
                }
                t += 6
            }
            while t < tokens {
                var r = rows.lowerBound
                while r + 4 <= rows.upperBound {
                    fourRows(L.self, r, t)
                    r += 4
                }
                while r < rows.upperBound {
                    one(L.self, r, t)
                    r += 1
                }
                t += 1
            }
        }

        /// Lanes of the last, partial chunk of 16 columns.
        @inline(__always) var tailMask: UInt16 { UInt16(truncatingIfNeeded: (1 << (columns % 16)) - 1) }

        @inline(__always)
        func activations(_ t: Int, _ k: Int) -> __m512 { UnsafeRawPointer(x + t * columns + k).loadUnaligned(as: __m512.self) }

        @inline(__always)
        func activationsTail(_ t: Int, _ k: Int) -> __m512 { _mm512_maskz_loadu_ps(tailMask, x + t * columns + k) }

        /// Rows r..<r+4 against tokens t..<t+6.
        @inline(__always)
        func tile<L: WeightLoader>(_: L.Type, _ r: Int, _ t: Int) {
            let z = _mm512_setzero_ps()
            var a00 = z, a01 = z, a02 = z, a03 = z, a04 = z, a05 = z
            var a10 = z, a11 = z, a12 = z, a13 = z, a14 = z, a15 = z
            var a20 = z, a21 = z, a22 = z, a23 = z, a24 = z, a25 = z
            var a30 = z, a31 = z, a32 = z, a33 = z, a34 = z, a35 = z
            let row0 = weights + r * rowStride, row1 = row0 + rowStride, row2 = row1 + rowStride, row3 = row2 + rowStride
            @inline(__always) func load(_ row: UnsafeRawPointer, _ k: Int) -> __m512 { L.load(row, k) }
            @inline(__always) func loadTail(_ row: UnsafeRawPointer, _ k: Int) -> __m512 { L.load(row, k, mask: tailMask) }
            @inline(__always) func loadX(_ token: Int, _ k: Int) -> __m512 { activations(t + token, k) }
            @inline(__always) func loadXTail(_ token: Int, _ k: Int) -> __m512 { activationsTail(t + token, k) }
            var k = 0
            while k + 16 <= columns {
                let w0 = load(row0, k), w1 = load(row1, k), w2 = load(row2, k), w3 = load(row3, k)
                let x0 = loadX(0, k)
                a00 = _mm512_fmadd_ps(w0, x0, a00); a10 = _mm512_fmadd_ps(w1, x0, a10); a20 = _mm512_fmadd_ps(w2, x0, a20); a30 = _mm512_fmadd_ps(w3, x0, a30)
                let x1 = loadX(1, k)
                a01 = _mm512_fmadd_ps(w0, x1, a01); a11 = _mm512_fmadd_ps(w1, x1, a11); a21 = _mm512_fmadd_ps(w2, x1, a21); a31 = _mm512_fmadd_ps(w3, x1, a31)
                let x2 = loadX(2, k)
                a02 = _mm512_fmadd_ps(w0, x2, a02); a12 = _mm512_fmadd_ps(w1, x2, a12); a22 = _mm512_fmadd_ps(w2, x2, a22); a32 = _mm512_fmadd_ps(w3, x2, a32)
                let x3 = loadX(3, k)
                a03 = _mm512_fmadd_ps(w0, x3, a03); a13 = _mm512_fmadd_ps(w1, x3, a13); a23 = _mm512_fmadd_ps(w2, x3, a23); a33 = _mm512_fmadd_ps(w3, x3, a33)
                let x4 = loadX(4, k)
                a04 = _mm512_fmadd_ps(w0, x4, a04); a14 = _mm512_fmadd_ps(w1, x4, a14); a24 = _mm512_fmadd_ps(w2, x4, a24); a34 = _mm512_fmadd_ps(w3, x4, a34)
                let x5 = loadX(5, k)
                a05 = _mm512_fmadd_ps(w0, x5, a05); a15 = _mm512_fmadd_ps(w1, x5, a15); a25 = _mm512_fmadd_ps(w2, x5, a25); a35 = _mm512_fmadd_ps(w3, x5, a35)
                k += 16
            }
            if k < columns {
                let w0 = loadTail(row0, k), w1 = loadTail(row1, k), w2 = loadTail(row2, k), w3 = loadTail(row3, k)
                let x0 = loadXTail(0, k)
                a00 = _mm512_fmadd_ps(w0, x0, a00); a10 = _mm512_fmadd_ps(w1, x0, a10); a20 = _mm512_fmadd_ps(w2, x0, a20); a30 = _mm512_fmadd_ps(w3, x0, a30)
                let x1 = loadXTail(1, k)
                a01 = _mm512_fmadd_ps(w0, x1, a01); a11 = _mm512_fmadd_ps(w1, x1, a11); a21 = _mm512_fmadd_ps(w2, x1, a21); a31 = _mm512_fmadd_ps(w3, x1, a31)
                let x2 = loadXTail(2, k)
                a02 = _mm512_fmadd_ps(w0, x2, a02); a12 = _mm512_fmadd_ps(w1, x2, a12); a22 = _mm512_fmadd_ps(w2, x2, a22); a32 = _mm512_fmadd_ps(w3, x2, a32)
                let x3 = loadXTail(3, k)
                a03 = _mm512_fmadd_ps(w0, x3, a03); a13 = _mm512_fmadd_ps(w1, x3, a13); a23 = _mm512_fmadd_ps(w2, x3, a23); a33 = _mm512_fmadd_ps(w3, x3, a33)
                let x4 = loadXTail(4, k)
                a04 = _mm512_fmadd_ps(w0, x4, a04); a14 = _mm512_fmadd_ps(w1, x4, a14); a24 = _mm512_fmadd_ps(w2, x4, a24); a34 = _mm512_fmadd_ps(w3, x4, a34)
                let x5 = loadXTail(5, k)
                a05 = _mm512_fmadd_ps(w0, x5, a05); a15 = _mm512_fmadd_ps(w1, x5, a15); a25 = _mm512_fmadd_ps(w2, x5, a25); a35 = _mm512_fmadd_ps(w3, x5, a35)
            }
            let output = self.output + t * outputStride + r
        output[0 * outputStride + 0] = reduce(a00)
        output[1 * outputStride + 0] = reduce(a01)
        output[2 * outputStride + 0] = reduce(a02)
        output[3 * outputStride + 0] = reduce(a03)
        output[4 * outputStride + 0] = reduce(a04)
        output[5 * outputStride + 0] = reduce(a05)
        output[0 * outputStride + 1] = reduce(a10)
        output[1 * outputStride + 1] = reduce(a11)
        output[2 * outputStride + 1] = reduce(a12)
        output[3 * outputStride + 1] = reduce(a13)
        output[4 * outputStride + 1] = reduce(a14)
        output[5 * outputStride + 1] = reduce(a15)
        output[0 * outputStride + 2] = reduce(a20)
        output[1 * outputStride + 2] = reduce(a21)
        output[2 * outputStride + 2] = reduce(a22)
        output[3 * outputStride + 2] = reduce(a23)
        output[4 * outputStride + 2] = reduce(a24)
        output[5 * outputStride + 2] = reduce(a25)
        output[0 * outputStride + 3] = reduce(a30)
        output[1 * outputStride + 3] = reduce(a31)
        output[2 * outputStride + 3] = reduce(a32)
        output[3 * outputStride + 3] = reduce(a33)
        output[4 * outputStride + 3] = reduce(a34)
        output[5 * outputStride + 3] = reduce(a35)
        }

        /// Rows r..<r+4 against token t.
        @inline(__always)
        func fourRows<L: WeightLoader>(_: L.Type, _ r: Int, _ t: Int) {
            var a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0
            let row0 = weights + r * rowStride, row1 = row0 + rowStride, row2 = row1 + rowStride, row3 = row2 + rowStride
            var k = 0
            // Four rows are four short streams; ask for the next four rows' lines early.
            let ahead = 4 * rowStride
            while k + 16 <= columns {
                tern_prefetch(row0 + ahead + L.bytes * k)
                tern_prefetch(row1 + ahead + L.bytes * k)
                tern_prefetch(row2 + ahead + L.bytes * k)
                tern_prefetch(row3 + ahead + L.bytes * k)
                let xv = activations(t, k)
                a0 = _mm512_fmadd_ps(L.load(row0, k), xv, a0)
                a1 = _mm512_fmadd_ps(L.load(row1, k), xv, a1)
                a2 = _mm512_fmadd_ps(L.load(row2, k), xv, a2)
                a3 = _mm512_fmadd_ps(L.load(row3, k), xv, a3)
                k += 16
            }
            if k < columns {
                let xv = activationsTail(t, k)
                a0 = _mm512_fmadd_ps(L.load(row0, k, mask: tailMask), xv, a0)
                a1 = _mm512_fmadd_ps(L.load(row1, k, mask: tailMask), xv, a1)
                a2 = _mm512_fmadd_ps(L.load(row2, k, mask: tailMask), xv, a2)
                a3 = _mm512_fmadd_ps(L.load(row3, k, mask: tailMask), xv, a3)
            }
            let out = output + t * outputStride + r
            out[0] = reduce(a0)
            out[1] = reduce(a1)
            out[2] = reduce(a2)
            out[3] = reduce(a3)
        }

        /// Row r against token t.
        @inline(__always)
        func one<L: WeightLoader>(_: L.Type, _ r: Int, _ t: Int) {
            var a = _mm512_setzero_ps()
            let row = weights + r * rowStride
            var k = 0
            while k + 16 <= columns {
                a = _mm512_fmadd_ps(L.load(row, k), activations(t, k), a)
                k += 16
            }
            if k < columns { a = _mm512_fmadd_ps(L.load(row, k, mask: tailMask), activationsTail(t, k), a) }
            output[t * outputStride + r] = reduce(a)
        }
    }

    /// Sixteen weights from column k of a row, widened to floats; with a mask, only the masked
    /// lanes are read and the rest are zero. (Private to this module, so its specializations are
    /// too.)
    private protocol WeightLoader {
        /// Bytes per weight.
        static var bytes: Int { get }
        static func load(_ row: UnsafeRawPointer, _ k: Int) -> __m512
        static func load(_ row: UnsafeRawPointer, _ k: Int, mask: UInt16) -> __m512
    }

    private enum F32: WeightLoader {
        static var bytes: Int { 4 }
        @inline(__always) static func load(_ row: UnsafeRawPointer, _ k: Int) -> __m512 { (row + 4 * k).loadUnaligned(as: __m512.self) }
        @inline(__always) static func load(_ row: UnsafeRawPointer, _ k: Int, mask: UInt16) -> __m512 { _mm512_maskz_loadu_ps(mask, row + 4 * k) }
    }

    private enum F16: WeightLoader {
        static var bytes: Int { 2 }
        @inline(__always) static func load(_ row: UnsafeRawPointer, _ k: Int) -> __m512 {
            _mm512_cvtph_ps((row + 2 * k).loadUnaligned(as: __m256i.self))
        }
        @inline(__always) static func load(_ row: UnsafeRawPointer, _ k: Int, mask: UInt16) -> __m512 {
            _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mask, row + 2 * k))
        }
    }

    /// bfloat16 is the top half of a float.
    private enum BF16: WeightLoader {
        static var bytes: Int { 2 }
        @inline(__always) static func load(_ row: UnsafeRawPointer, _ k: Int) -> __m512 {
            _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32((row + 2 * k).loadUnaligned(as: __m256i.self)), 16))
        }
        @inline(__always) static func load(_ row: UnsafeRawPointer, _ k: Int, mask: UInt16) -> __m512 {
            _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mask, row + 2 * k)), 16))
        }
    }

    /// Lanes 0-7 plus lanes 8-15, then pairwise within eight lanes.
    @inline(__always)
    static func reduce(_ v: __m512) -> Float {
        horizontalSum(_mm512_castps512_ps256(v) + upperHalf(v))
    }
}
#endif
