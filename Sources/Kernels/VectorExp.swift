/// e^x for eight floats at once, accurate to about 2 ulp, for the softmax of attention.
///
/// Cody–Waite reduction x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in a high part exact in float
/// and a low correction), e^r by its degree-7 Taylor polynomial (truncation error < 1e-8 on that
/// interval), then 2ⁿ assembled in the exponent bits. Inputs below −87 (including −∞, the masked
/// scores) give exactly 0; inputs are assumed ≤ 88.
#if TERN_AVX2
import CIntrinsics

/// The same arithmetic in AVX2 intrinsics, lane for lane (bit-identical): written with SIMD8
/// operations, the polynomial compiled to scalar FMAs and the clamps to calls.
@inline(__always)
func exp8(_ input: SIMD8<Float>) -> SIMD8<Float> {
    let x = _mm256_min_ps(_mm256_max_ps(input, _mm256_set1_ps(-87)), _mm256_set1_ps(88))
    let magic = _mm256_set1_ps(12_582_912)
    let shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.442_695_04), magic)
    let n = _mm256_sub_ps(shifted, magic)
    var r = _mm256_fmadd_ps(n, _mm256_set1_ps(-0.693_359_375), x)
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.121_944_4e-4), r)
    var p = _mm256_set1_ps(1.0 / 5040)
    p = _mm256_fmadd_ps(r, p, _mm256_set1_ps(1.0 / 720))
    p = _mm256_fmadd_ps(r, p, _mm256_set1_ps(1.0 / 120))
    p = _mm256_fmadd_ps(r, p, _mm256_set1_ps(1.0 / 24))
    p = _mm256_fmadd_ps(r, p, _mm256_set1_ps(1.0 / 6))
    p = _mm256_fmadd_ps(r, p, _mm256_set1_ps(0.5))
    p = _mm256_fmadd_ps(r, p, _mm256_set1_ps(1))
    p = _mm256_fmadd_ps(r, p, _mm256_set1_ps(1))
    let biased = _mm256_add_epi32(_mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B40_0000)), _mm256_set1_epi32(127))
    let result = _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(biased, 23)))
    // input + 87 is negative exactly when input < −87 (exact near −87; −∞ stays −∞): its sign
    // bit selects 0.
    return _mm256_blendv_ps(result, _mm256_setzero_ps(), _mm256_add_ps(input, _mm256_set1_ps(87)))
}
#else
@inline(__always)
func exp8(_ input: SIMD8<Float>) -> SIMD8<Float> {
    let x = pointwiseMin(pointwiseMax(input, SIMD8(repeating: -87)), SIMD8(repeating: 88))
    // Adding 1.5·2²³ rounds to an integer (to nearest even) and leaves it in the low mantissa bits.
    let magic = SIMD8<Float>(repeating: 12_582_912)
    let shifted = magic.addingProduct(x, SIMD8(repeating: 1.442_695_04))
    let n = shifted - magic
    var r = x.addingProduct(n, SIMD8(repeating: -0.693_359_375))
    r = r.addingProduct(n, SIMD8(repeating: 2.121_944_4e-4))
    var p = SIMD8<Float>(repeating: 1.0 / 5040)
    p = SIMD8(repeating: 1.0 / 720).addingProduct(r, p)
    p = SIMD8(repeating: 1.0 / 120).addingProduct(r, p)
    p = SIMD8(repeating: 1.0 / 24).addingProduct(r, p)
    p = SIMD8(repeating: 1.0 / 6).addingProduct(r, p)
    p = SIMD8(repeating: 0.5).addingProduct(r, p)
    p = SIMD8(repeating: 1).addingProduct(r, p)
    p = SIMD8(repeating: 1).addingProduct(r, p)
    let exponent = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- SIMD8(repeating: 0x4B40_0000) &+ SIMD8(repeating: 127))
        &<< SIMD8(repeating: 23)
    let result = p * unsafeBitCast(exponent, to: SIMD8<Float>.self)
    return result.replacing(with: 0, where: input .< SIMD8(repeating: -87))
}
#endif
