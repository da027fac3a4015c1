#if TERN_AVX2
import CIntrinsics
#endif

/// Activation rows quantized to 8 bits in blocks of 32, so that quantized weights can be
/// multiplied with integer dot products (as llama.cpp does with its Q8 activation blocks).
///
/// Allocated once for the largest batch; `quantize` overwrites the first `rows` rows.
public final class QuantizedActivations: @unchecked Sendable {
    public let capacityRows: Int
    public let columns: Int
    /// (capacityRows, columns) codes
    let codes: UnsafeMutablePointer<Int8>
    /// (capacityRows, columns / 32) per-block scale d, value ≈ d · code
    let scales: UnsafeMutablePointer<Float>
    /// (capacityRows, columns / 32) d · Σ codes, for weight formats with an offset term
    let sums: UnsafeMutablePointer<Float>
    /// (columns / 32, capacityRows) `sums` transposed: the many-token kernels read one block of
    /// several consecutive rows as one vector
    let sumsByBlock: UnsafeMutablePointer<Float>
    /// (columns / 32, capacityRows) `scales` transposed, for the same reason
    let scalesByBlock: UnsafeMutablePointer<Float>

    /// Rows below which quantizing on one thread beats waking the pool.
    static let parallelRows = 16

    public init(capacityRows: Int, columns: Int) {
        precondition(columns % 32 == 0)
        self.capacityRows = capacityRows
        self.columns = columns
        codes = .allocate(capacity: capacityRows * columns)
        scales = .allocate(capacity: capacityRows * columns / 32)
        sums = .allocate(capacity: capacityRows * columns / 32)
        sumsByBlock = .allocate(capacity: capacityRows * columns / 32)
        scalesByBlock = .allocate(capacity: capacityRows * columns / 32)
    }

    deinit {
        codes.deallocate()
        scales.deallocate()
        sums.deallocate()
        sumsByBlock.deallocate()
        scalesByBlock.deallocate()
    }

    @inline(__always) var blocksPerRow: Int { columns / 32 }

    /// Quantizes `rows` rows of `columns` floats from `input` (row-major), spreading many rows
    /// over `pool` when one is given.
    public func quantize(_ input: UnsafePointer<Float>, rows: Int, pool: ThreadPool? = nil, path: KernelPath = .best) {
        precondition(rows <= capacityRows)
        if let pool, pool.threadCount > 1, rows >= Self.parallelRows {
            pool.parallelFor(rows, chunk: max(4, rows / (4 * pool.threadCount))) { range in
                quantizeRows(input, range, path: path)
            }
        } else {
            quantizeRows(input, 0..<rows, path: path)
        }
    }

    private func quantizeRows(_ input: UnsafePointer<Float>, _ rows: Range<Int>, path: KernelPath) {
        for r in rows {
            for block in 0..<blocksPerRow {
                let index = r * blocksPerRow + block
                let (d, total) = quantizeBlock(input + r * columns + block * 32, into: codes + r * columns + block * 32, path: path)
                // Same arithmetic as ggml's Q8_0/Q8_1 quantizers: multiply by 127/max, round to
                // nearest even, store the scales in half precision. Greedy decoding of small
                // models is sensitive to these last bits, and matching them reproduces llama.cpp.
                let scale = Float(Float16(d))
                scales[index] = scale
                scalesByBlock[block * capacityRows + r] = scale
                let sum = Float(Float16(d * Float(total)))
                sums[index] = sum
                sumsByBlock[block * capacityRows + r] = sum
            }
        }
    }

    /// Writes 32 codes for the 32 floats at `x`; returns the block's scale d = max|x| / 127 and
    /// the sum of its codes.
    @inline(__always)
    private func quantizeBlock(_ x: UnsafePointer<Float>, into q: UnsafeMutablePointer<Int8>, path: KernelPath) -> (Float, Int32) {
        #if TERN_AVX2
        if path == .avx2 { return Self.quantizeBlockAVX2(x, into: q) }
        #endif
        let maxMagnitude = blockMaxMagnitude(x)
        let id: Float = maxMagnitude != 0 ? 127 / maxMagnitude : 0
        var total: Int32 = 0
        for i in 0..<32 {
            let code = Int8((x[i] * id).rounded(.toNearestOrEven))
            q[i] = code
            total &+= Int32(code)
        }
        return (maxMagnitude / 127, total)
    }

    #if TERN_AVX2
    /// `vcvtps2dq` rounds to nearest even (the default rounding mode), as the scalar path does.
    @inline(__always)
    static func quantizeBlockAVX2(_ x: UnsafePointer<Float>, into q: UnsafeMutablePointer<Int8>) -> (Float, Int32) {
        let raw = UnsafeRawPointer(x)
        let v0 = raw.loadUnaligned(as: __m256.self), v1 = (raw + 32).loadUnaligned(as: __m256.self)
        let v2 = (raw + 64).loadUnaligned(as: __m256.self), v3 = (raw + 96).loadUnaligned(as: __m256.self)
        let signBit = _mm256_set1_ps(-0.0)
        let amax = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(signBit, v0), _mm256_andnot_ps(signBit, v1)),
                                 _mm256_max_ps(_mm256_andnot_ps(signBit, v2), _mm256_andnot_ps(signBit, v3)))
        let maxMagnitude = horizontalMax(amax)
        let id: Float = maxMagnitude != 0 ? 127 / maxMagnitude : 0
        let scale = _mm256_set1_ps(id)
        let i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, scale)), i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, scale))
        let i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, scale)), i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, scale))
        let total32 = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3))
        let total = unsafeBitCast(total32, to: SIMD8<Int32>.self).wrappedSum()
        // The packs interleave 128-bit lanes; the permute puts the 32 bytes back in order.
        let packed = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3))
        let ordered = _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7))
        UnsafeMutableRawPointer(q).storeBytes(of: ordered, as: __m256i.self)
        return (maxMagnitude / 127, total)
    }
    #endif
}
