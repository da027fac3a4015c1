import Engine
import Sampling

/// A validated generation request: the engine request plus how to answer it.
///
/// Built from the client's fields; every out-of-range value is rejected with a 400 naming the
/// OpenAI parameter, so nothing a client sends reaches the engine unchecked.
struct GenerationPlan: Sendable {
    var request: EngineRequest
    /// Completions to sample from the prompt (OpenAI's `n`).
    var samples: Int
    var stream: Bool
    var includeUsage: Bool

    /// The largest `n` served; each sample holds its own KV blocks once it diverges.
    static let maxSamples = 16
    /// The most alternatives per position (OpenAI's bound for `top_logprobs`).
    static let maxTopLogprobs = 20

    /// - Parameters:
    ///   - prompt: the prompt's token ids.
    ///   - promptParam: the field the prompt came from (`messages` or `prompt`), for errors.
    ///   - contextLength: positions one sequence may use (prompt plus completion).
    ///   - vocabularySize: token ids must be below this.
    ///   - kind: which endpoint, for the form `logprobs` takes.
    init(fields: GenerationFields, prompt: [Int32], promptParam: String, contextLength: Int, vocabularySize: Int,
         kind: CompletionFormat.Kind) throws(APIError) {
        let n = fields.n ?? 1
        guard (1...Self.maxSamples).contains(n) else {
            throw .invalidParameter("n", "n must be between 1 and \(Self.maxSamples), got \(n).")
        }
        samples = n
        let logprobs = try Self.logprobCount(fields, kind: kind)
        guard !prompt.isEmpty else { throw .invalidParameter(promptParam, "The prompt is empty.") }
        if let bad = prompt.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
            throw .invalidParameter(promptParam, "Token id \(bad) is outside the vocabulary (ids 0..<\(vocabularySize)).")
        }
        guard prompt.count < contextLength else {
            throw .invalidParameter(promptParam, "This model's maximum context length is \(contextLength) tokens, but the prompt has \(prompt.count) tokens (at least one position must remain for the completion).")
        }
        // OpenAI's newer name wins when both are given.
        let (limitParam, requested) = fields.maxCompletionTokens.map { ("max_completion_tokens", Optional($0)) }
            ?? ("max_tokens", fields.maxTokens)
        if let requested, requested < 1 {
            throw .invalidParameter(limitParam, "\(limitParam) must be at least 1, got \(requested).")
        }
        let room = contextLength - prompt.count
        let maxTokens = min(requested ?? room, room)

        var sampling = SamplingParameters()
        if let value = fields.temperature {
            guard value.isFinite, value >= 0 else { throw .invalidParameter("temperature", "temperature must be a number >= 0, got \(value).") }
            sampling.temperature = value
        }
        if let value = fields.topP {
            guard value > 0, value <= 1 else { throw .invalidParameter("top_p", "top_p must be in (0, 1], got \(value).") }
            sampling.topP = value
        }
        if let value = fields.topK { sampling.topK = value }   // <= 0 disables, as vLLM's -1
        if let value = fields.minP {
            guard value >= 0, value <= 1 else { throw .invalidParameter("min_p", "min_p must be in [0, 1], got \(value).") }
            sampling.minP = value
        }
        if let value = fields.repetitionPenalty {
            guard value.isFinite, value > 0 else { throw .invalidParameter("repetition_penalty", "repetition_penalty must be > 0, got \(value).") }
            sampling.repetitionPenalty = value
        }
        // OpenAI documents both penalties in [-2, 2].
        if let value = fields.presencePenalty {
            guard value >= -2, value <= 2 else { throw .invalidParameter("presence_penalty", "presence_penalty must be in [-2, 2], got \(value).") }
            sampling.presencePenalty = value
        }
        if let value = fields.frequencyPenalty {
            guard value >= -2, value <= 2 else { throw .invalidParameter("frequency_penalty", "frequency_penalty must be in [-2, 2], got \(value).") }
            sampling.frequencyPenalty = value
        }
        // OpenAI's penalties count every generated token, not a recent window.
        sampling.penaltyWindow = -1
        sampling.seed = fields.seed.map { UInt64(bitPattern: $0) }

        let stops = (fields.stop?.strings ?? []).filter { !$0.isEmpty }
        let parameters = GenerationParameters(sampling: sampling, maxTokens: maxTokens, stopStrings: stops,
                                              ignoreEOS: fields.ignoreEOS ?? false, logprobs: logprobs)
        request = EngineRequest(prompt: prompt, parameters: parameters, priority: fields.priority ?? 0, userID: fields.user ?? "")
        stream = fields.stream ?? false
        includeUsage = fields.streamOptions?.includeUsage ?? false
    }

    /// The number of alternatives per token the client asked for, or nil for no logprobs.
    /// Chat: `logprobs: true` plus `top_logprobs: k`; completions: `logprobs: k`.
    static func logprobCount(_ fields: GenerationFields, kind: CompletionFormat.Kind) throws(APIError) -> Int? {
        let bound = maxTopLogprobs
        switch kind {
        case .chat:
            if case .count = fields.logprobs {
                throw .invalidParameter("logprobs", "logprobs must be a boolean on chat completions; set the number of alternatives with top_logprobs.")
            }
            let enabled = fields.logprobs == .flag(true)
            guard let top = fields.topLogprobs else { return enabled ? 0 : nil }
            guard enabled else { throw .invalidParameter("top_logprobs", "top_logprobs requires logprobs to be true.") }
            guard (0...bound).contains(top) else {
                throw .invalidParameter("top_logprobs", "top_logprobs must be between 0 and \(bound), got \(top).")
            }
            return top
        case .text:
            switch fields.logprobs {
            case nil: return nil
            case .flag:
                throw .invalidParameter("logprobs", "logprobs must be an integer (0 to \(bound)) on completions.")
            case .count(let count):
                guard (0...bound).contains(count) else {
                    throw .invalidParameter("logprobs", "logprobs must be between 0 and \(bound), got \(count).")
                }
                return count
            }
        }
    }
}
