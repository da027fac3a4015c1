#if TERN_AVX2
import CIntrinsics
#endif

// The standard library's `pointwiseMax` and `SIMD.max()` compile to calls of generic
// specializations (a lane loop each) rather than to `vmaxps`; these are the single instructions.

/// The larger of a and b in each lane (b where either is NaN, like `vmaxps`).
@inline(__always)
func lanewiseMax(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    #if TERN_AVX2
    return _mm256_max_ps(a, b)
    #else
    return b.replacing(with: a, where: a .> b)
    #endif
}

/// The largest of the eight lanes.
@inline(__always)
func horizontalMax(_ v: SIMD8<Float>) -> Float {
    let quad = lanewiseMax4(v.lowHalf, v.highHalf)
    let pair = SIMD2(max(quad[0], quad[2]), max(quad[1], quad[3]))
    return max(pair[0], pair[1])
}

@inline(__always)
private func lanewiseMax4(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> {
    #if TERN_AVX2
    return _mm_max_ps(a, b)
    #else
    return b.replacing(with: a, where: a .> b)
    #endif
}

/// The sum of the eight lanes, pairwise: (0+4, 1+5, 2+6, 3+7), then (0+2, 1+3), then the two.
@inline(__always)
func horizontalSum(_ v: SIMD8<Float>) -> Float {
    let quad = v.lowHalf + v.highHalf
    let pair = quad.lowHalf + quad.highHalf
    return pair[0] + pair[1]
}

/// The largest magnitude among the 32 floats at `x` (one quantization block).
@inline(__always)
func blockMaxMagnitude(_ x: UnsafePointer<Float>) -> Float {
    var amax = SIMD8<Float>()
    for i in stride(from: 0, to: 32, by: 8) {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        amax = lanewiseMax(amax, lanewiseMax(v, -v))
    }
    return horizontalMax(amax)
}
