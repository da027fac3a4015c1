import Kernels

/// Deterministic pseudo-random floats for kernel tests (SplitMix64).
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
    mutating func floats(_ count: Int, scale: Float = 1) -> [Float] { (0..<count).map { _ in float() * scale } }
}

/// ‖a − b‖ / ‖b‖
func normalizedError(_ a: [Float], _ b: [Float]) -> Double {
    var diff: Double = 0, norm: Double = 0
    for (x, y) in zip(a, b) {
        diff += Double(x - y) * Double(x - y)
        norm += Double(y) * Double(y)
    }
    return (diff / max(norm, 1e-30)).squareRoot()
}

/// K-quant weights at their limits, `rows × columns / 256` identical super-blocks: largest codes
/// and 6-bit scales and mins with d = dmin = 1 (Q4_K/Q5_K), or every code 0, i.e. −32, with
/// scales −128 and d = 1 (Q6_K). With full-scale activations the kernels' packed 16-bit partial
/// sums sit at their bounds, so an overflow or a saturating add shows as a large error.
func extremeKQuantWeights(_ type: WeightType, rows: Int, columns: Int) -> [UInt8] {
    var block = [UInt8](repeating: 0, count: type.bytesPerBlock)
    let one = withUnsafeBytes(of: Float16(1).bitPattern) { Array($0) }
    switch type {
    case .q6_K:
        for i in 192..<208 { block[i] = 0x80 }
        block[208] = one[0]; block[209] = one[1]
    default:
        block[0] = one[0]; block[1] = one[1]
        block[2] = one[0]; block[3] = one[1]
        for i in 4..<block.count { block[i] = 0xFF }
    }
    return Array([[UInt8]](repeating: block, count: rows * columns / 256).joined())
}

/// ±1 in runs, so every 32-block and super-block quantizes to codes ±127 with both signs.
func fullScaleActivations(tokens: Int, columns: Int) -> [Float] {
    (0..<(tokens * columns)).map { i -> Float in (i / 5 + i / 64) % 3 == 0 ? -1 : 1 }
}
