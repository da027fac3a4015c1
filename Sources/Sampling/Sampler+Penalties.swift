extension Sampler {
    /// Applies the repetition, presence and frequency penalties to `logits`
    /// in place, for the tokens among the last `penaltyWindow` elements of
    /// `history` (all of it when the window is -1; nothing when it is 0).
    ///
    /// For each distinct token `t` occurring `c > 0` times in that window,
    /// in this order (llama.cpp's):
    /// 1. repetition: `logit = logit > 0 ? logit / repetitionPenalty : logit * repetitionPenalty`
    /// 2. `logit -= frequencyPenalty * c + presencePenalty`
    ///
    /// Which tokens `history` holds is the caller's choice. Tern passes the
    /// tokens generated so far and excludes the prompt, which is what OpenAI
    /// and vLLM specify for presence and frequency penalties; passing prompt
    /// and output together gives llama.cpp's behaviour. Ids outside
    /// `0 ..< logits.count` are ignored.
    ///
    /// ``sample(logits:history:)`` calls this itself; it is public for callers
    /// that want the penalized logits without drawing. Cost and scratch
    /// memory are O(window), independent of the vocabulary.
    public mutating func applyPenalties(
        to logits: UnsafeMutableBufferPointer<Float>,
        history: some Collection<Int32>
    ) {
        let settings = self.settings
        guard settings.hasPenalties, let base = logits.baseAddress, !logits.isEmpty else { return }
        let recent = settings.penaltyWindow < 0 ? history[...] : history.suffix(settings.penaltyWindow)
        let vocabulary = logits.count
        let contiguous: Void? = recent.withContiguousStorageIfAvailable { tokens in
            penaltyCounter.forEachDistinct(in: tokens, vocabulary: vocabulary) { token, count in
                Self.penalize(&base[Int(token)], occurrences: count, settings: settings)
            }
        }
        if contiguous == nil {
            penaltyCounter.forEachDistinct(in: recent, vocabulary: vocabulary) { token, count in
                Self.penalize(&base[Int(token)], occurrences: count, settings: settings)
            }
        }
    }

    /// The penalty arithmetic for one token occurring `occurrences` times.
    @inline(__always)
    private static func penalize(_ logit: inout Float, occurrences: Int32, settings: EffectiveSettings) {
        let repetition = settings.repetitionPenalty
        logit = logit > 0 ? logit / repetition : logit * repetition
        logit -= settings.frequencyPenalty * Float(occurrences) + settings.presencePenalty
    }
}
