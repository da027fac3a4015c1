/// Draws the next token of one sequence from the model's logits.
///
/// Pipeline, in order (each stage sees the previous stage's survivors):
/// 1. **Penalties** — ``applyPenalties(to:history:)``.
/// 2. **Sanitizing** — NaN logits become −∞ (never drawn), +∞ becomes the
///    largest finite `Float`.
/// 3. **Temperature** — the distribution is `softmax(logits / temperature)`,
///    with weights `exp((logit − maxLogit) · (1 / temperature))` computed by
///    ``FastExp`` (a few ulp from `exp`; weights below ~1e-38 of the maximum
///    are 0 and never drawn). Temperature 0 (or below, or NaN) is greedy
///    decoding: the highest logit wins, ties going to the lowest id, and no
///    random number is consumed. If every logit is −∞ the result is token 0.
/// 4. **Top-k** — keep the `topK` tokens with the highest logits, ties going
///    to the lower id.
/// 5. **Top-p** — rank the survivors by probability (ties: lower id first)
///    and keep the shortest prefix whose cumulative probability, renormalized
///    over the survivors, is ≥ `topP`. At least one token is kept.
/// 6. **Min-p** — keep the survivors whose probability is ≥ `minP` times
///    the largest one.
/// 7. **Draw** — one uniform `Double` in [0, 1) from ``Xoshiro256StarStar``
///    selects a token with probability proportional to its weight
///    (inverse CDF, sums in `Double`).
///
/// Because top-p keeps a probability-ordered prefix and min-p keeps a
/// threshold-defined one, the two filters commute; the result is the
/// intersection of both.
///
/// **Cost.** After the first call (which sizes the scratch buffers to the
/// vocabulary), `sample` allocates nothing and never sorts the vocabulary.
/// Vocabulary-wide loops run on 8-lane SIMD blocks.
/// - Penalties: O(window).
/// - Top-k: one pass keeping a k-element heap; blocks whose logits are all
///   below the current k-th best are rejected with one vector compare. Only
///   the k winners are exponentiated, and top-p/min-p then work on them.
/// - Min-p alone: blocks with no logit within `ln minP · T` of the maximum are
///   rejected without exponentiating; the exact test runs on the rest.
/// - Top-p without top-k: the exact normalizer needs every weight, so one
///   vectorized `exp` pass; the nucleus is then found by radix selection on
///   the weights' bit patterns (``NucleusSelection``), looking only at tokens
///   above `(1 − p) · total / n`, a bound that provably cannot cut into it.
/// - Temperature only: one `exp` pass storing per-chunk sums; the draw skips
///   whole chunks.
///
/// Results are reproducible for a given seed, parameters and logits on every
/// platform (the generator, `exp` and all summation orders are fixed).
///
/// The logits buffer is used as scratch: its contents after the call are
/// unspecified. Its length, not `vocabularySize`, defines the vocabulary.
public struct Sampler: Sendable {
    /// The parameters this sampler was created with, exactly as given.
    public let parameters: SamplingParameters
    /// The expected number of logits; scratch buffers are sized to it.
    public let vocabularySize: Int
    /// The random source; advanced by exactly one output per non-greedy draw.
    public private(set) var generator: Xoshiro256StarStar

    let settings: EffectiveSettings
    /// Occurrence counts of the penalty window.
    var penaltyCounter = TokenCounter()
    /// Token ids surviving truncation; only a range is meaningful per call.
    var candidateIDs: [Int32] = []
    /// Scratch of the radix top-p selection (used without top-k only).
    var parkedIDs: [Int32] = []
    var histogram: [Double] = []
    /// Per-chunk weight sums when every token may be drawn.
    var chunkTotals: [Double] = []

    /// Creates a sampler for one sequence.
    ///
    /// Out-of-range parameters never fail here; they are mapped as follows
    /// (use ``SamplingParameters/validate()`` to reject them instead):
    /// temperature ≤ 0 or NaN → greedy; `topK` ≤ 0 → disabled; `topP` and
    /// `minP` are clamped to [0, 1] with NaN disabling them; a non-finite or
    /// non-positive repetition penalty, and non-finite presence/frequency
    /// penalties, are disabled; any negative window means the whole history.
    ///
    /// - Parameters:
    ///   - parameters: The sampling configuration.
    ///   - vocabularySize: Number of logits per call; used to size scratch
    ///     buffers up front (they grow if a call passes more logits).
    public init(parameters: SamplingParameters, vocabularySize: Int) {
        self.parameters = parameters
        self.vocabularySize = max(vocabularySize, 0)
        self.settings = EffectiveSettings(parameters)
        if let seed = parameters.seed {
            generator = Xoshiro256StarStar(seed: seed)
        } else {
            generator = Xoshiro256StarStar()
        }
    }

    /// Applies penalties (from the last `penaltyWindow` tokens of `history`),
    /// temperature, top-k, top-p and min-p to `logits`, then draws one token.
    ///
    /// See the type's documentation for the exact semantics and
    /// ``applyPenalties(to:history:)`` for what `history` should contain.
    /// `logits` is overwritten. An empty buffer yields token 0.
    ///
    /// - Returns: A token id in `0 ..< logits.count`.
    public mutating func sample(
        logits: UnsafeMutableBufferPointer<Float>,
        history: some Collection<Int32>
    ) -> Int32 {
        guard let weights = logits.baseAddress, !logits.isEmpty else { return 0 }
        applyPenalties(to: logits, history: history)
        switch truncate(logits) {
        case .single(let token):
            return token
        case .allTokens(let total):
            let unit = generator.nextUnitInterval()
            return chunkTotals.withUnsafeBufferPointer { chunkTotals in
                guard let chunkTotals = chunkTotals.baseAddress else { return 0 }
                return Int32(
                    VocabularyWeights.draw(
                        weights: weights, count: logits.count, chunkTotals: chunkTotals, total: total, unit: unit
                    )
                )
            }
        case .candidates(let range):
            let unit = generator.nextUnitInterval()
            return candidateIDs.withUnsafeBufferPointer { ids in
                Self.draw(ids: UnsafeBufferPointer(rebasing: ids[range]), weights: weights, unit: unit)
            }
        }
    }

    /// The distribution ``sample(logits:history:)`` would draw from, as
    /// `(id, probability)` pairs with nonzero probability, most likely first
    /// (ties: lower id first). Greedy decoding yields one pair with
    /// probability 1. Consumes no randomness; `logits` is overwritten.
    ///
    /// Meant for inspection and tests: it allocates and sorts its result.
    public mutating func distribution(
        logits: UnsafeMutableBufferPointer<Float>,
        history: some Collection<Int32>
    ) -> [(id: Int32, probability: Double)] {
        guard !logits.isEmpty else { return [(0, 1)] }
        applyPenalties(to: logits, history: history)
        var ids: [Int32]
        switch truncate(logits) {
        case .single(let token):
            return [(token, 1)]
        case .allTokens:
            ids = (0 ..< logits.count).map { Int32($0) }
        case .candidates(let range):
            ids = Array(candidateIDs[range])
        }
        ids.removeAll { !(logits[Int($0)] > 0) }
        let total = ids.reduce(0.0) { $0 + Double(logits[Int($1)]) }
        var result = ids.map { (id: $0, probability: Double(logits[Int($0)]) / total) }
        result.sort { $0.probability > $1.probability || ($0.probability == $1.probability && $0.id < $1.id) }
        return result
    }

    /// Grows the candidate list to hold `count` tokens. Allocates only on
    /// first use or when a call needs more room than ever before; greedy
    /// samplers never need it.
    mutating func reserveCandidates(for count: Int) {
        let needed = count
        if candidateIDs.count < needed {
            candidateIDs = [Int32](repeating: 0, count: needed)
        }
    }

    /// Grows the scratch of ``NucleusSelection``; allocates like
    /// ``reserveCandidates(for:)``. Only top-p without top-k needs it.
    mutating func reserveNucleusScratch(for count: Int) {
        let needed = max(count, vocabularySize)
        if parkedIDs.count < needed {
            parkedIDs = [Int32](repeating: 0, count: needed)
        }
        if histogram.count < NucleusSelection.histogramSize {
            histogram = [Double](repeating: 0, count: NucleusSelection.histogramSize)
        }
    }
}
