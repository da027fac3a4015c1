#if TERN_AVX2
import CIntrinsics
#endif

/// How activation rows are quantized to 8 bits; the weight format decides (`WeightType`).
public enum ActivationQuantization: Sendable, Equatable {
    /// One half-precision scale per 32 values (ggml's Q8_0/Q8_1 activations), for the 32-element
    /// weight blocks.
    case perBlock
    /// One float scale per 256 values plus integer code sums per 16 and 32 (ggml's Q8_K), for the
    /// K-quant super-blocks: their kernels sum a whole super-block in integers and take one float
    /// step per super-block.
    case perSuperBlock
}

/// Activation rows quantized to 8 bits, so that quantized weights can be multiplied with integer
/// dot products (as llama.cpp does with its Q8 activation blocks).
///
/// Both modes fill the per-32 `scales` and `sums` that every quantized kernel reads (per
/// super-block, the eight scales of a super-block are equal); `perSuperBlock` also fills the
/// integer code sums. Allocated once for the largest batch; `quantize` overwrites the first
/// `rows` rows.
public final class QuantizedActivations: @unchecked Sendable {
    public let capacityRows: Int
    public let columns: Int
    /// The mode of the last `quantize` (the kernels check it when they reuse this quantization).
    public private(set) var mode: ActivationQuantization = .perBlock
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
    /// `perSuperBlock` only: (capacityRows, columns / 16) Σ codes of each 16 (Q6_K's −32 offset)
    let codeSums16: UnsafeMutablePointer<Int16>
    /// `perSuperBlock` only: (capacityRows, columns / 32) Σ codes of each 32 (Q4_K/Q5_K mins)
    let codeSums32: UnsafeMutablePointer<Int16>
    /// `perSuperBlock` only: (columns / 64, capacityRows) the 32-sums of blocks 2p and 2p + 1 as
    /// the low and high halves of one word, so a tile of tokens reads pair p as one vector
    let codeSumPairsByBlock: UnsafeMutablePointer<Int32>

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
        codeSums16 = .allocate(capacity: capacityRows * columns / 16)
        codeSums32 = .allocate(capacity: capacityRows * columns / 32)
        codeSumPairsByBlock = .allocate(capacity: capacityRows * columns / 64)
    }

    deinit {
        codes.deallocate()
        scales.deallocate()
        sums.deallocate()
        sumsByBlock.deallocate()
        scalesByBlock.deallocate()
        codeSums16.deallocate()
        codeSums32.deallocate()
        codeSumPairsByBlock.deallocate()
    }

    @inline(__always) var blocksPerRow: Int { columns / 32 }

    /// Quantizes `rows` rows of `columns` floats from `input` (row-major), spreading many rows
    /// over `pool` when one is given.
    public func quantize(_ input: UnsafePointer<Float>, rows: Int, mode: ActivationQuantization = .perBlock,
                         pool: ThreadPool? = nil, path: KernelPath = .best) {
        precondition(rows <= capacityRows)
        precondition(mode == .perBlock || columns % 256 == 0, "per-super-block quantization needs whole super-blocks")
        self.mode = mode
        if let pool, pool.threadCount > 1, rows >= Self.parallelRows {
            pool.parallelFor(rows, chunk: max(4, rows / (4 * pool.threadCount))) { range in
                quantizeRows(input, range, mode: mode, path: path)
            }
        } else {
            quantizeRows(input, 0..<rows, mode: mode, path: path)
        }
    }

    private func quantizeRows(_ input: UnsafePointer<Float>, _ rows: Range<Int>, mode: ActivationQuantization, path: KernelPath) {
        if mode == .perSuperBlock {
            for r in rows { quantizeRowPerSuperBlock(input + r * columns, row: r, path: path) }
            return
        }
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
        let maxMagnitude = blockMaxMagnitude(x)
        return (maxMagnitude / 127, quantizeBlock(x, into: q, inverseScale: maxMagnitude != 0 ? 127 / maxMagnitude : 0, path: path))
    }

    /// Writes the 32 codes round(x · inverseScale) (ties to even) for the 32 floats at `x`;
    /// returns their sum.
    @inline(__always)
    func quantizeBlock(_ x: UnsafePointer<Float>, into q: UnsafeMutablePointer<Int8>, inverseScale id: Float, path: KernelPath) -> Int32 {
        #if TERN_AVX2
        if path == .avx2 { return Self.quantizeBlockAVX2(x, into: q, inverseScale: id) }
        #endif
        var total: Int32 = 0
        for i in 0..<32 {
            let code = Int8((x[i] * id).rounded(.toNearestOrEven))
            q[i] = code
            total &+= Int32(code)
        }
        return total
    }

    #if TERN_AVX2
    /// One block with its own scale d = max|x| / 127; returns d and the sum of the codes.
    @inline(__always)
    static func quantizeBlockAVX2(_ x: UnsafePointer<Float>, into q: UnsafeMutablePointer<Int8>) -> (Float, Int32) {
        let maxMagnitude = blockMaxMagnitude(x)
        return (maxMagnitude / 127, quantizeBlockAVX2(x, into: q, inverseScale: maxMagnitude != 0 ? 127 / maxMagnitude : 0))
    }

    /// `vcvtps2dq` rounds to nearest even (the default rounding mode), as the scalar path does.
    @inline(__always)
    static func quantizeBlockAVX2(_ x: UnsafePointer<Float>, into q: UnsafeMutablePointer<Int8>, inverseScale id: Float) -> Int32 {
        let raw = UnsafeRawPointer(x)
        let v0 = raw.loadUnaligned(as: __m256.self), v1 = (raw + 32).loadUnaligned(as: __m256.self)
        let v2 = (raw + 64).loadUnaligned(as: __m256.self), v3 = (raw + 96).loadUnaligned(as: __m256.self)
        let scale = _mm256_set1_ps(id)
        let i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, scale)), i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, scale))
        let i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, scale)), i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, scale))
        let total32 = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3))
        let total = unsafeBitCast(total32, to: SIMD8<Int32>.self).wrappedSum()
        // The packs interleave 128-bit lanes; the permute puts the 32 bytes back in order.
        let packed = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3))
        let ordered = _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7))
        UnsafeMutableRawPointer(q).storeBytes(of: ordered, as: __m256i.self)
        return total
    }
    #endif
}
