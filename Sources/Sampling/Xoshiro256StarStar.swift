/// xoshiro256**, Blackman & Vigna's all-purpose 64-bit generator
/// (https://prng.di.unimi.it/xoshiro256starstar.c).
///
/// The sampler's source of randomness: a 256-bit state, period 2^256 − 1, and
/// a bit-exact output sequence on every platform, so a fixed seed reproduces a
/// generation exactly.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator whose state is the first four outputs of
    /// `SplitMix64(seed: seed)`, the seeding procedure the authors recommend.
    public init(seed: UInt64) {
        var expander = SplitMix64(seed: seed)
        self.init(state: (expander.next(), expander.next(), expander.next(), expander.next()))
    }

    /// Creates a generator with an explicit 256-bit state.
    ///
    /// The all-zero state is a fixed point of the recurrence (it would output
    /// zeros forever), so it is replaced by the state `(1, 0, 0, 0)`.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        if state == (0, 0, 0, 0) {
            (s0, s1, s2, s3) = (1, 0, 0, 0)
        } else {
            (s0, s1, s2, s3) = state
        }
    }

    /// Creates a generator seeded from the operating system's entropy source.
    public init() {
        var system = SystemRandomNumberGenerator()
        self.init(seed: system.next())
    }

    /// Returns the next 64 pseudo-random bits.
    public mutating func next() -> UInt64 {
        let result = (s1 &* 5).rotatedLeft(by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3.rotatedLeft(by: 45)
        return result
    }

    /// Returns a uniformly distributed `Double` in `[0, 1)` built from the top
    /// 53 bits of the next output.
    ///
    /// Spelled out here rather than using `Double.random(in:using:)` so the
    /// mapping from bits to values can never change under us between
    /// standard-library versions, which would break seed reproducibility.
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotatedLeft(by amount: UInt64) -> UInt64 {
        (self << amount) | (self >> (64 - amount))
    }
}
