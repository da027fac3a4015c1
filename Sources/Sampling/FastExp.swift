/// A vectorized `exp` for the non-positive arguments the sampler produces
/// (`(logit − maxLogit) / temperature`), one ``VectorKernels/Block`` at a time.
///
/// Written out rather than calling the C library so that weights, and with
/// them every seeded draw, are bit-identical on all platforms, and so that
/// exponentiating a 150k-token vocabulary is a vector loop instead of 150k
/// calls.
///
/// Method: split `x = n·ln 2 + r` with `n = round(x / ln 2)` and
/// `|r| ≤ ln 2 / 2` (Cody–Waite, ln 2 in two parts so `n·ln2Hi` is exact),
/// evaluate the degree-7 Taylor polynomial of `e^r` (truncation error
/// `r⁸/8! < 6e-9`), and scale by `2^n` through the exponent bits. The
/// result is within a few ulp of `e^x`. Arguments are clamped to [−88, 0]:
/// below about −87.3 (`n ≤ −127`) the result is 0, so weights under ~1e-38
/// of the maximum flush to zero.
enum FastExp {
    private static let log2e: Float = 1.442_695_04
    /// ln 2 rounded to 12 significant bits (0x3F317200), so `n · ln2Hi` is exact.
    private static let ln2Hi: Float = 0.693_145_751_953_125
    private static let ln2Lo: Float = 1.428_606_820_3e-6
    /// 1.5 · 2²³: adding it rounds a float in (−2²², 2²²) to an integer,
    /// which then sits in the low mantissa bits.
    private static let roundingShift: Float = 12_582_912
    private static let roundingShiftBits: Int32 = 0x4B40_0000
    /// Taylor coefficients 1/k! of e^r.
    private static let c2: Float = 1.0 / 2
    private static let c3: Float = 1.0 / 6
    private static let c4: Float = 1.0 / 24
    private static let c5: Float = 1.0 / 120
    private static let c6: Float = 1.0 / 720
    private static let c7: Float = 1.0 / 5040

    /// `e^x` lane-wise, for `x ≤ 0` (larger inputs are treated as 0).
    @inline(__always)
    static func exp(_ x: VectorKernels.Block) -> VectorKernels.Block {
        // Clamped with compare-and-select: `pointwiseMin`/`pointwiseMax`
        // compile to per-lane loops.
        var clamped = x
        clamped.replace(with: 0, where: x .> 0)
        clamped.replace(with: -88, where: .!(x .>= -88))
        let shifted = clamped * log2e + roundingShift
        let n = shifted - roundingShift
        let r = (clamped - n * ln2Hi) - n * ln2Lo
        var p = r * c7 + c6
        p = p * r + c5
        p = p * r + c4
        p = p * r + c3
        p = p * r + c2
        p = p * r + 1
        p = p * r + 1
        let exponent = unsafeBitCast(shifted, to: VectorKernels.BlockBits.self) &- roundingShiftBits
        // n ∈ [−127, 0]: the biased exponent n + 127 is in [0, 127]; 0 gives
        // the bit pattern of +0.0, flushing the result to zero.
        let scale = unsafeBitCast((exponent &+ 127) &<< 23, to: VectorKernels.Block.self)
        return p * scale
    }

    /// `e^x` for one value, bit-identical to the corresponding lane of
    /// ``exp(_:)-(VectorKernels.Block)``.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        exp(VectorKernels.Block(repeating: x))[0]
    }
}
