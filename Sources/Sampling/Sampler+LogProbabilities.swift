import Foundation

extension Sampler {
    /// The log-softmax of unmodified `logits` (no penalties, temperature or
    /// truncation — what the OpenAI `logprobs` field reports).
    ///
    /// Any token's log-probability is `logits[id] - logSumExp`, so the chosen
    /// token's needs no extra call. `top` lists the `topN` tokens with the
    /// highest logits, most likely first, ties going to the lower id; `topN`
    /// is clamped to `0 ... logits.count`.
    ///
    /// Non-finite logits: NaN counts as −∞ (log-probability −∞). If any logit
    /// is +∞, those tokens share all the mass equally. If all are −∞ (or the
    /// buffer is empty) `logSumExp` is −∞ and every log-probability is −∞.
    ///
    /// The normalizer is accumulated in `Double`. Costs one `exp` per token
    /// and an O(n log topN) selection; allocates only the result.
    public static func logProbabilities(
        logits: UnsafeBufferPointer<Float>,
        topN: Int
    ) -> (logSumExp: Float, top: [(id: Int32, logprob: Float)]) {
        guard let base = logits.baseAddress, !logits.isEmpty else { return (-.infinity, []) }
        let count = logits.count

        var maxLogit = -Float.infinity
        var infinities = 0
        for value in logits where value > maxLogit || value == .infinity {
            maxLogit = value
            if value == .infinity { infinities += 1 }
        }
        let logSumExp: Float
        if maxLogit == .infinity {
            logSumExp = .infinity
        } else if maxLogit == -.infinity {
            logSumExp = -.infinity
        } else {
            var sum = 0.0
            for value in logits where value > -.infinity {
                sum += Double(exp(value - maxLogit))
            }
            logSumExp = maxLogit + Float(log(sum))
        }

        func logProbability(of value: Float) -> Float {
            if maxLogit == .infinity {
                return value == .infinity ? -Float(log(Double(infinities))) : -.infinity
            }
            guard value > -.infinity, logSumExp > -.infinity else { return -.infinity }
            return value - logSumExp
        }

        let wanted = min(max(topN, 0), count)
        guard wanted > 0 else { return (logSumExp, []) }
        var ids = [Int32](repeating: 0, count: wanted)
        ids.withUnsafeMutableBufferPointer { buffer in
            guard let slots = buffer.baseAddress else { return }
            for index in 0 ..< wanted { slots[index] = Int32(index) }
            var heap = TokenHeap(ids: slots, count: wanted, scores: base, root: .worst)
            for index in wanted ..< count where heap.isBetter(Int32(index), than: heap.top) {
                heap.replaceTop(with: Int32(index))
            }
            // Popping the worst first leaves the best at the front.
            while heap.count > 1 { _ = heap.popTop() }
        }
        let top = ids.map { (id: $0, logprob: logProbability(of: base[Int($0)])) }
        return (logSumExp, top)
    }
}
