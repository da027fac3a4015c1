import Sampling

/// What to generate for one request, beyond the prompt.
public struct GenerationParameters: Sendable {
    public var sampling: SamplingParameters
    /// Upper bound on generated tokens; nil means until the context is full.
    public var maxTokens: Int?
    /// Generation ends when the text contains one of these; it is not part of the output.
    public var stopStrings: [String]
    /// Keep generating past end-of-generation tokens.
    public var ignoreEOS: Bool
    /// nil: no log-probabilities. k >= 0: every token event carries the sampled token's
    /// log-probability and the k most likely tokens at its position.
    public var logprobs: Int?

    public init(sampling: SamplingParameters = SamplingParameters(), maxTokens: Int? = nil, stopStrings: [String] = [],
                ignoreEOS: Bool = false, logprobs: Int? = nil) {
        self.sampling = sampling
        self.maxTokens = maxTokens
        self.stopStrings = stopStrings
        self.ignoreEOS = ignoreEOS
        self.logprobs = logprobs
    }
}

/// Why generation ended, as OpenAI names it.
public enum FinishReason: String, Sendable, Codable {
    /// An end-of-generation token or a stop string.
    case stop
    /// `maxTokens` or the context length was reached.
    case length
}

/// Wall-clock times of one generation.
public struct GenerationTimings: Sendable, Codable, Equatable {
    public var promptTokens: Int = 0
    public var promptSeconds: Double = 0
    public var generatedTokens: Int = 0
    public var generationSeconds: Double = 0

    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0 }
    /// Decode speed, counting the tokens after the first (which comes out of the prompt pass).
    public var generationTokensPerSecond: Double {
        generationSeconds > 0 && generatedTokens > 1 ? Double(generatedTokens - 1) / generationSeconds : 0
    }
}

/// The outcome of a finished generation.
public struct GenerationResult: Sendable {
    public var promptIDs: [Int32]
    public var outputIDs: [Int32]
    public var text: String
    public var finishReason: FinishReason
    public var timings: GenerationTimings
}
