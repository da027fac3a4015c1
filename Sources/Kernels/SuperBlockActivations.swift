/// `ActivationQuantization.perSuperBlock`: ggml's Q8_K activation format, one scale per 256
/// values. d = max|x| / 127 over the super-block, codes round(x · 127 / max|x|) with ties to
/// even, and the integer sums of the codes per 16 and per 32 that the K-quant kernels use for the
/// weights' offsets (Q6_K's −32, the Q4_K/Q5_K mins). The per-32 `scales` all hold the
/// super-block's d (in full precision), and `sums` hold d · Σ codes of each 32, so the kernels
/// written for 32-element blocks read this mode too.
extension QuantizedActivations {
    func quantizeRowPerSuperBlock(_ x: UnsafePointer<Float>, row r: Int, path: KernelPath) {
        let blocks = blocksPerRow
        for s in 0..<columns / 256 {
            var maxMagnitude: Float = 0
            for k in 0..<8 { maxMagnitude = max(maxMagnitude, blockMaxMagnitude(x + 256 * s + 32 * k)) }
            let d = maxMagnitude / 127
            let id: Float = maxMagnitude != 0 ? 127 / maxMagnitude : 0
            for k in 0..<8 {
                let block = 8 * s + k
                let q = codes + r * columns + 32 * block
                let total = quantizeBlock(x + 32 * block, into: q, inverseScale: id, path: path)
                scales[r * blocks + block] = d
                scalesByBlock[block * capacityRows + r] = d
                let sum = d * Float(total)
                sums[r * blocks + block] = sum
                sumsByBlock[block * capacityRows + r] = sum
                // |Σ| ≤ 32 · 127 = 4064: exact in 16 bits.
                var low: Int16 = 0, high: Int16 = 0
                for i in 0..<16 { low &+= Int16(q[i]); high &+= Int16(q[16 + i]) }
                codeSums16[r * 2 * blocks + 2 * block] = low
                codeSums16[r * 2 * blocks + 2 * block + 1] = high
                codeSums32[r * blocks + block] = Int16(truncatingIfNeeded: total)
            }
            for p in 0..<4 {
                let first = UInt16(bitPattern: codeSums32[r * blocks + 8 * s + 2 * p])
                let second = UInt16(bitPattern: codeSums32[r * blocks + 8 * s + 2 * p + 1])
                codeSumPairsByBlock[(4 * s + p) * capacityRows + r] = Int32(bitPattern: UInt32(first) | UInt32(second) << 16)
            }
        }
    }
}
