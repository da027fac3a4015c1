/// SplitMix64, Steele, Lea & Flood's 64-bit generator as published by Vigna
/// (https://prng.di.unimi.it/splitmix64.c).
///
/// Fast and statistically decent, but its main job here is expanding a single
/// 64-bit seed into the 256-bit state of ``Xoshiro256StarStar``. The output
/// sequence depends only on the seed, so it is identical on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The internal counter; the next output is derived from `state + golden gamma`.
    public private(set) var state: UInt64

    /// Creates a generator whose first output is the mix of `seed + 0x9E3779B97F4A7C15`.
    public init(seed: UInt64) {
        state = seed
    }

    /// Returns the next 64 pseudo-random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
