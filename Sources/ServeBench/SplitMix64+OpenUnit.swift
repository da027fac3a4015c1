import Sampling

extension SplitMix64 {
    /// A uniform double in (0, 1]: the top 53 bits, shifted up by one ulp so `log` never sees 0.
    mutating func nextOpenUnit() -> Double {
        (Double(next() >> 11) + 1) * 0x1p-53
    }
}
