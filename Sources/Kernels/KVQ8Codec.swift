#if TERN_AVX2
import CIntrinsics
#endif

/// Quantizes key/value rows to the Q8_0 cache layout (see ``KVElementType/q8_0``) and converts
/// them back to floats. Both paths give bit-identical results: the AVX2 conversion rounds to
/// nearest even (the default MXCSR mode) as the portable path does.
public enum KVQ8Codec {
    /// Writes the `count` floats at `x` (a multiple of 32) as `count / 32` Q8_0 blocks at `out`.
    @inline(__always)
    public static func quantize(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutableRawPointer, path: KernelPath = .best) {
        var b = 0
        while b < count / KVElementType.q8BlockSize {
            let source = x + b * KVElementType.q8BlockSize, block = out + b * KVElementType.q8BlockBytes
            #if TERN_AVX2
            if path == .avx2 { quantizeBlockAVX2(source, into: block); b += 1; continue }
            #endif
            quantizeBlockPortable(source, into: block)
            b += 1
        }
    }

    /// Writes the `count` values of the Q8_0 blocks at `blocks` as floats at `out`.
    @inline(__always)
    public static func dequantize(_ blocks: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Float>, path: KernelPath = .best) {
        var b = 0
        while b < count / KVElementType.q8BlockSize {
            let block = blocks + b * KVElementType.q8BlockBytes, target = out + b * KVElementType.q8BlockSize
            #if TERN_AVX2
            if path == .avx2 { dequantizeBlockAVX2(block, into: target); b += 1; continue }
            #endif
            dequantizeBlockPortable(block, into: target)
            b += 1
        }
    }

    /// d = max|x| / 127 (stored as Float16), code = x · 127 / max|x| rounded to nearest even.
    @inline(__always)
    static func quantizeBlockPortable(_ x: UnsafePointer<Float>, into block: UnsafeMutableRawPointer) {
        let maxMagnitude = blockMaxMagnitude(x)
        let inverse: Float = maxMagnitude != 0 ? 127 / maxMagnitude : 0
        block.storeBytes(of: Float16(maxMagnitude / 127).bitPattern, as: UInt16.self)
        let codes = (block + 2).assumingMemoryBound(to: Int8.self)
        for i in 0..<32 {
            // Saturating, so a NaN or infinite input cannot trap (AVX2 also gives -128 for NaN).
            let v = (x[i] * inverse).rounded(.toNearestOrEven)
            codes[i] = v >= -128 && v <= 127 ? Int8(v) : (v > 0 ? 127 : -128)
        }
    }

    @inline(__always)
    static func dequantizeBlockPortable(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        let d = loadHalf(block)
        let codes = (block + 2).assumingMemoryBound(to: Int8.self)
        for i in 0..<32 { out[i] = d * Float(codes[i]) }
    }

    #if TERN_AVX2
    /// The activation quantizer's block routine: the same scale, rounding and saturating packs.
    @inline(__always)
    static func quantizeBlockAVX2(_ x: UnsafePointer<Float>, into block: UnsafeMutableRawPointer) {
        let (scale, _) = QuantizedActivations.quantizeBlockAVX2(x, into: (block + 2).assumingMemoryBound(to: Int8.self))
        block.storeBytes(of: Float16(scale).bitPattern, as: UInt16.self)
    }

    /// Sign-extends eight codes at a time to int32 (`vpmovsxbd`), converts and scales.
    @inline(__always)
    static func dequantizeBlockAVX2(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        let d = _mm256_set1_ps(loadHalf(block))
        let low = (block + 2).loadUnaligned(as: __m128i.self), high = (block + 18).loadUnaligned(as: __m128i.self)
        let target = UnsafeMutableRawPointer(out)
        target.storeBytes(of: _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(low))), as: __m256.self)
        target.storeBytes(of: _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_unpackhi_epi64(low, low)))),
                          toByteOffset: 32, as: __m256.self)
        target.storeBytes(of: _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(high))), toByteOffset: 64, as: __m256.self)
        target.storeBytes(of: _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_unpackhi_epi64(high, high)))),
                          toByteOffset: 96, as: __m256.self)
    }
    #endif
}
