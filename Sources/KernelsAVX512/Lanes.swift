#if TERN_AVX512
import CIntrinsics

// Reductions and loads shared by this module's kernels (it cannot import Kernels, which calls it).

/// Lanes 8-15 of a zmm register.
@inline(__always)
func upperHalf(_ v: __m512) -> __m256 {
    _mm512_castps512_ps256(_mm512_permutexvar_ps(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 15, 14, 13, 12, 11, 10, 9, 8), v))
}

/// The sum of eight lanes in the AVX2 kernels' order: (0+4, 1+5, 2+6, 3+7), then pairs, then the two.
@inline(__always)
func horizontalSum(_ v: SIMD8<Float>) -> Float {
    let quad = v.lowHalf + v.highHalf
    let pair = quad.lowHalf + quad.highHalf
    return pair[0] + pair[1]
}

@inline(__always)
func loadHalf(_ pointer: UnsafeRawPointer, byteOffset: Int = 0) -> Float {
    Float(Float16(bitPattern: pointer.loadUnaligned(fromByteOffset: byteOffset, as: UInt16.self)))
}
#endif
