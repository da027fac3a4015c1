import Foundation

/// ``SamplingParameters`` with out-of-range values mapped to the behaviour
/// they most plausibly ask for, so the hot path never has to re-check them.
struct EffectiveSettings: Sendable, Equatable {
    /// Temperature ≤ 0 or NaN: pick the argmax, draw nothing.
    let isGreedy: Bool
    /// `1 / temperature`, clamped to the finite positive floats so that
    /// `(logit − max) · inverseTemperature` is never NaN: an infinite
    /// temperature gives a (numerically) uniform distribution over the tokens
    /// with finite logits, a subnormal one a (numerically) greedy pick.
    let inverseTemperature: Float
    /// Number of tokens kept by top-k; 0 when disabled.
    let topK: Int
    /// In [0, 1]; 1 when disabled. 0 keeps only the most likely token.
    let topP: Float
    /// In [0, 1]; 0 when disabled.
    let minP: Float
    /// Finite and > 0; 1 when disabled.
    let repetitionPenalty: Float
    let presencePenalty: Float
    let frequencyPenalty: Float
    /// -1: whole history; 0: penalties off; otherwise the number of recent tokens.
    let penaltyWindow: Int

    init(_ parameters: SamplingParameters) {
        let temperature = parameters.temperature
        isGreedy = !(temperature > 0)
        inverseTemperature =
            isGreedy ? 1 : min(max(1 / temperature, .leastNonzeroMagnitude), .greatestFiniteMagnitude)

        topK = max(parameters.topK, 0)
        topP = parameters.topP.isNaN ? 1 : min(max(parameters.topP, 0), 1)
        minP = parameters.minP.isNaN ? 0 : min(max(parameters.minP, 0), 1)

        let repetition = parameters.repetitionPenalty
        repetitionPenalty = repetition.isFinite && repetition > 0 ? repetition : 1
        presencePenalty = parameters.presencePenalty.isFinite ? parameters.presencePenalty : 0
        frequencyPenalty = parameters.frequencyPenalty.isFinite ? parameters.frequencyPenalty : 0
        penaltyWindow = parameters.penaltyWindow < 0 ? -1 : parameters.penaltyWindow
    }

    /// Whether any penalty would change a logit.
    var hasPenalties: Bool {
        penaltyWindow != 0 && (repetitionPenalty != 1 || presencePenalty != 0 || frequencyPenalty != 0)
    }
}
