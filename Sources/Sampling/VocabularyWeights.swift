/// Weighting and drawing over the whole vocabulary, organized in chunks of
/// ``chunkSize`` tokens whose sums are kept.
///
/// A chunk's sum is accumulated lane-wise in `Float` (eight additions per
/// lane at most) and then added to the running total in `Double`, so the
/// serial `Double` dependency is one addition per chunk instead of one per
/// token. The draw then skips whole chunks using the very same sums, so the
/// walk and the normalizer agree exactly.
enum VocabularyWeights {
    static let chunkSize = 64
    private static let blocksPerChunk = chunkSize / VectorKernels.width

    /// Number of chunk sums needed for `count` tokens.
    static func chunkCount(for count: Int) -> Int {
        (count + chunkSize - 1) / chunkSize
    }

    /// Replaces every value by its weight `exp((value − maxValue) · scale)`,
    /// stores each chunk's sum in `chunkTotals` (``chunkCount(for:)``
    /// entries) and returns the sum of all chunks, added in order.
    static func exponentiate(
        _ values: UnsafeMutablePointer<Float>, count: Int, maxValue: Float, scale: Float,
        chunkTotals: UnsafeMutablePointer<Double>
    ) -> Double {
        var total = 0.0
        var chunk = 0
        var index = 0
        while index < count {
            var lanes = VectorKernels.Block()
            for _ in 0 ..< blocksPerChunk where index < count {
                let block = VectorKernels.load(values, at: index, count: count, padding: -.infinity)
                let weights = FastExp.exp((block - maxValue) * scale)
                VectorKernels.store(weights, to: values, at: index, count: count)
                lanes += weights
                index += VectorKernels.width
            }
            let chunkTotal = Double(VectorKernels.sum(lanes))
            chunkTotals[chunk] = chunkTotal
            total += chunkTotal
            chunk += 1
        }
        return total
    }

    /// Inverse-CDF draw: the first token whose cumulative weight exceeds
    /// `unit · total`, with `chunkTotals` and `total` from
    /// ``exponentiate(_:count:maxValue:scale:chunkTotals:)``. Zero-weight
    /// tokens are never returned.
    static func draw(
        weights: UnsafePointer<Float>, count: Int, chunkTotals: UnsafePointer<Double>,
        total: Double, unit: Double
    ) -> Int {
        let target = unit * total
        let chunks = chunkCount(for: count)
        var cumulative = 0.0
        var lastPositiveChunk = -1
        for chunk in 0 ..< chunks {
            let chunkTotal = chunkTotals[chunk]
            if cumulative + chunkTotal > target {
                return drawWithin(chunk: chunk, weights: weights, count: count, from: cumulative, target: target)
            }
            if chunkTotal > 0 { lastPositiveChunk = chunk }
            cumulative += chunkTotal
        }
        // Only reachable when rounding puts the target at the very top.
        guard lastPositiveChunk >= 0 else { return 0 }
        return drawWithin(chunk: lastPositiveChunk, weights: weights, count: count, from: 0, target: .infinity)
    }

    /// Walks one chunk token by token; if the token-wise sum rounds below the
    /// chunk sum, the chunk's last positive token is the crossing one.
    private static func drawWithin(
        chunk: Int, weights: UnsafePointer<Float>, count: Int, from start: Double, target: Double
    ) -> Int {
        let first = chunk * chunkSize
        var cumulative = start
        var lastPositive = first
        for index in first ..< min(first + chunkSize, count) where weights[index] > 0 {
            cumulative += Double(weights[index])
            lastPositive = index
            if target < cumulative { return index }
        }
        return lastPositive
    }
}
