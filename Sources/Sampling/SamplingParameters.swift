/// The knobs of one sequence's token sampler, in the vocabulary of the OpenAI
/// API, vLLM and llama.cpp.
///
/// The ``Sampler`` applies them in a fixed order: penalties, temperature,
/// top-k, top-p, min-p, then one random draw. See ``Sampler`` for the exact
/// semantics of each stage.
///
/// Every combination of values is accepted by the sampler, which quietly maps
/// nonsensical ones to the nearest meaningful behaviour (see
/// ``Sampler/init(parameters:vocabularySize:)``). Call ``validate()`` to reject
/// them instead, e.g. when they come from an API request.
///
/// Decoding from JSON accepts any subset of the fields; missing ones take the
/// defaults below.
public struct SamplingParameters: Sendable, Equatable, Codable {
    /// Softmax temperature. `0` selects greedy decoding: the highest logit
    /// wins, ties going to the lowest token id.
    public var temperature: Float = 1.0
    /// Keep only the `topK` most likely tokens; `0` (or negative, as vLLM's
    /// `-1`) disables the filter.
    public var topK: Int = 0
    /// Nucleus sampling: keep the smallest set of most likely tokens whose
    /// cumulative probability reaches `topP`; `1` disables the filter.
    public var topP: Float = 1.0
    /// Keep only tokens whose probability is at least `minP` times that of the
    /// most likely token; `0` disables the filter.
    public var minP: Float = 0.0
    /// CTRL-style repetition penalty (as in llama.cpp): for every distinct
    /// token in the penalty window, a positive logit is divided by the
    /// penalty and a non-positive one multiplied by it. `1` disables it.
    public var repetitionPenalty: Float = 1.0
    /// OpenAI presence penalty: subtracted once from the logit of every token
    /// that occurs in the penalty window.
    public var presencePenalty: Float = 0.0
    /// OpenAI frequency penalty: subtracted from a token's logit once per
    /// occurrence in the penalty window.
    public var frequencyPenalty: Float = 0.0
    /// How many of the most recent history tokens the penalties look at;
    /// `-1` means the whole history and `0` disables all three penalties.
    public var penaltyWindow: Int = 64
    /// Seed of the random draws; `nil` seeds from the system's entropy source.
    public var seed: UInt64? = nil

    /// Creates a parameter set; every argument defaults to "disabled" (and
    /// temperature to 1), i.e. plain sampling from the model's distribution.
    public init(
        temperature: Float = 1.0,
        topK: Int = 0,
        topP: Float = 1.0,
        minP: Float = 0.0,
        repetitionPenalty: Float = 1.0,
        presencePenalty: Float = 0.0,
        frequencyPenalty: Float = 0.0,
        penaltyWindow: Int = 64,
        seed: UInt64? = nil
    ) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.penaltyWindow = penaltyWindow
        self.seed = seed
    }

    /// Parameters for deterministic greedy decoding (temperature 0).
    public static let greedy = SamplingParameters(temperature: 0)

    /// Checks that every value lies in its meaningful range.
    ///
    /// - Throws: ``SamplingParameterError`` naming the first offending field.
    public func validate() throws(SamplingParameterError) {
        guard temperature.isFinite, temperature >= 0 else {
            throw .temperatureOutOfRange(temperature)
        }
        guard topP > 0, topP <= 1 else { throw .topPOutOfRange(topP) }
        guard minP >= 0, minP <= 1 else { throw .minPOutOfRange(minP) }
        guard repetitionPenalty.isFinite, repetitionPenalty > 0 else {
            throw .repetitionPenaltyOutOfRange(repetitionPenalty)
        }
        guard presencePenalty.isFinite else { throw .presencePenaltyNotFinite(presencePenalty) }
        guard frequencyPenalty.isFinite else { throw .frequencyPenaltyNotFinite(frequencyPenalty) }
        guard penaltyWindow >= -1 else { throw .penaltyWindowOutOfRange(penaltyWindow) }
    }

    private enum CodingKeys: String, CodingKey {
        case temperature, topK, topP, minP, repetitionPenalty, presencePenalty
        case frequencyPenalty, penaltyWindow, seed
    }

    /// Decodes the fields that are present and defaults the rest.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SamplingParameters()
        temperature = try container.decodeIfPresent(Float.self, forKey: .temperature) ?? defaults.temperature
        topK = try container.decodeIfPresent(Int.self, forKey: .topK) ?? defaults.topK
        topP = try container.decodeIfPresent(Float.self, forKey: .topP) ?? defaults.topP
        minP = try container.decodeIfPresent(Float.self, forKey: .minP) ?? defaults.minP
        repetitionPenalty =
            try container.decodeIfPresent(Float.self, forKey: .repetitionPenalty) ?? defaults.repetitionPenalty
        presencePenalty =
            try container.decodeIfPresent(Float.self, forKey: .presencePenalty) ?? defaults.presencePenalty
        frequencyPenalty =
            try container.decodeIfPresent(Float.self, forKey: .frequencyPenalty) ?? defaults.frequencyPenalty
        penaltyWindow = try container.decodeIfPresent(Int.self, forKey: .penaltyWindow) ?? defaults.penaltyWindow
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed)
    }
}
