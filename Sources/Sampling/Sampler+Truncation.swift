import Foundation

/// Where the weights of the tokens that may be drawn live after truncation.
enum SamplingSupport: Equatable {
    /// Exactly one token can come out; nothing is drawn.
    case single(Int32)
    /// Every token may be drawn; `logits[i]` holds token i's weight,
    /// `chunkTotals` the sums of ``VocabularyWeights`` chunks and `total`
    /// their sum.
    case allTokens(total: Double)
    /// Only `candidateIDs[range]` may be drawn; `logits[id]` holds each one's
    /// weight (entries of other tokens are meaningless).
    case candidates(Range<Int>)
}

extension Sampler {
    /// How much looser (in natural-log units) the cheap min-p block test is
    /// than the exact one, so rounding can never make it reject a block
    /// holding a token that the exact test keeps.
    static let minPBlockMargin: Float = 0.01

    /// Stages 2–6 of the pipeline: sanitizes the (penalized) logits, then
    /// applies greedy selection or temperature, top-k, top-p and min-p,
    /// replacing logits by unnormalized weights `exp((logit − max) / T)`.
    mutating func truncate(_ logits: UnsafeMutableBufferPointer<Float>) -> SamplingSupport {
        guard let base = logits.baseAddress, !logits.isEmpty else { return .single(0) }
        let count = logits.count
        let (argmax, maxLogit) = VectorKernels.sanitizeAndFindMax(base, count: count)
        let settings = self.settings
        if settings.isGreedy || maxLogit == -.infinity { return .single(Int32(argmax)) }

        if settings.topK > 0 && settings.topK < count {
            reserveCandidates(for: settings.topK)
            return candidateIDs.withUnsafeMutableBufferPointer { ids in
                Self.truncateTopK(base, count: count, maxLogit: maxLogit, ids: ids, settings: settings)
            }
        }
        if settings.topP < 1 {
            reserveCandidates(for: max(count, vocabularySize))
            reserveNucleusScratch(for: count)
            let total = exponentiateAll(base, count: count, maxLogit: maxLogit)
            return candidateIDs.withUnsafeMutableBufferPointer { ids in
                parkedIDs.withUnsafeMutableBufferPointer { parked in
                    histogram.withUnsafeMutableBufferPointer { histogram in
                        guard let ids = ids.baseAddress, let parked = parked.baseAddress,
                            let histogram = histogram.baseAddress
                        else { return .single(Int32(argmax)) }
                        let selection = NucleusSelection(
                            weights: base, count: count, kept: ids, parked: parked, histogram: histogram
                        )
                        let kept = selection.select(
                            target: Double(settings.topP) * total,
                            floor: Self.nucleusFloor(topP: settings.topP, minP: settings.minP, total: total, count: count)
                        )
                        return .candidates(0 ..< kept)
                    }
                }
            }
        }
        if settings.minP > 0 {
            reserveCandidates(for: max(count, vocabularySize))
            return candidateIDs.withUnsafeMutableBufferPointer { ids in
                guard let ids = ids.baseAddress else { return .single(Int32(argmax)) }
                // pmax has weight exactly exp(0) = 1, so min-p's threshold
                // `minP · pmax` is `minP` in weight units.
                let kept = VectorKernels.collect(
                    base, count: count, maxValue: maxLogit, scale: settings.inverseTemperature,
                    minimumWeight: settings.minP, logFloor: log(settings.minP) - Self.minPBlockMargin, into: ids
                )
                return .candidates(0 ..< kept)
            }
        }
        return .allTokens(total: exponentiateAll(base, count: count, maxLogit: maxLogit))
    }

    /// Turns every logit into its weight and records chunk sums for drawing.
    private mutating func exponentiateAll(_ logits: UnsafeMutablePointer<Float>, count: Int, maxLogit: Float) -> Double {
        let chunks = VocabularyWeights.chunkCount(for: count)
        if chunkTotals.count < chunks {
            chunkTotals = [Double](repeating: 0, count: max(chunks, VocabularyWeights.chunkCount(for: vocabularySize)))
        }
        let scale = settings.inverseTemperature
        return chunkTotals.withUnsafeMutableBufferPointer { totals in
            guard let totals = totals.baseAddress else { return 0 }
            return VocabularyWeights.exponentiate(
                logits, count: count, maxValue: maxLogit, scale: scale, chunkTotals: totals
            )
        }
    }

    /// The weight below which top-p over the whole vocabulary ignores tokens:
    /// `(1 − p) · total / n` (exact, see ``NucleusSelection``), shaved by a
    /// millionth against rounding, or min-p's threshold if that is higher —
    /// the maximum's weight is exactly exp(0) = 1, so `minP · pmax` is `minP`.
    private static func nucleusFloor(topP: Float, minP: Float, total: Double, count: Int) -> Float {
        let exactFloor = Float((1 - Double(topP)) * total / Double(count) * (1 - 1e-6))
        return max(exactFloor, minP, .leastNonzeroMagnitude)
    }

    /// Top-k by one pass with a k-element min-heap, then top-p and min-p on
    /// those k tokens only.
    private static func truncateTopK(
        _ logits: UnsafeMutablePointer<Float>, count: Int, maxLogit: Float,
        ids buffer: UnsafeMutableBufferPointer<Int32>, settings: EffectiveSettings
    ) -> SamplingSupport {
        guard let ids = buffer.baseAddress else { return .single(0) }
        let k = settings.topK
        for index in 0 ..< k { ids[index] = Int32(index) }
        var heap = TokenHeap(ids: ids, count: k, scores: logits, root: .worst)
        // Every id already in the heap is lower than the ones scanned, so on a
        // tie the incumbent wins and a strict comparison with the worst kept
        // logit decides membership; most blocks fail it as a whole.
        var worstKept = logits[Int(heap.top)]
        var block = k
        while block < count {
            if VectorKernels.anyAbove(logits, at: block, count: count, threshold: worstKept) {
                for index in block ..< min(block + VectorKernels.width, count) where logits[index] > worstKept {
                    heap.replaceTop(with: Int32(index))
                    worstKept = logits[Int(heap.top)]
                }
            }
            block += VectorKernels.width
        }

        let total = VectorKernels.exponentiate(
            logits, ids: ids, count: k, maxValue: maxLogit, scale: settings.inverseTemperature
        )
        var kept = 0 ..< k
        if settings.topP < 1 {
            kept = keepNucleus(ids: ids, range: kept, weights: logits, target: Double(settings.topP) * total)
        }
        if settings.minP > 0 {
            kept = keepMinP(ids: ids, range: kept, weights: logits, minP: settings.minP)
        }
        return .candidates(kept)
    }

    /// Keeps the shortest most-probable prefix of `ids[range]` whose weight
    /// reaches `target` (at least one token, all of them if they fall short).
    /// Returns the kept ids' new range, at the end of `range`.
    private static func keepNucleus(
        ids: UnsafeMutablePointer<Int32>, range: Range<Int>,
        weights: UnsafePointer<Float>, target: Double
    ) -> Range<Int> {
        guard !range.isEmpty else { return range }
        var heap = TokenHeap(ids: ids + range.lowerBound, count: range.count, scores: weights, root: .best)
        var cumulative = 0.0
        repeat {
            cumulative += Double(weights[Int(heap.popTop())])
        } while cumulative < target && heap.count > 0
        return (range.lowerBound + heap.count) ..< range.upperBound
    }

    /// Keeps the ids in `range` whose weight is at least `minP` times the
    /// largest weight among them, compacting them to the front of `range`.
    private static func keepMinP(
        ids: UnsafeMutablePointer<Int32>, range: Range<Int>,
        weights: UnsafePointer<Float>, minP: Float
    ) -> Range<Int> {
        var largest: Float = 0
        for slot in range { largest = max(largest, weights[Int(ids[slot])]) }
        let threshold = minP * largest
        var end = range.lowerBound
        for slot in range where weights[Int(ids[slot])] >= threshold && weights[Int(ids[slot])] > 0 {
            ids[end] = ids[slot]
            end += 1
        }
        return range.lowerBound ..< end
    }
}
