import Engine

/// Token counts of one request, as OpenAI reports them.
struct UsageBody: Encodable, Sendable, Equatable {
    struct PromptDetails: Encodable, Sendable, Equatable {
        let cachedTokens: Int
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }
    let promptTokens: Int
    let completionTokens: Int
    let totalTokens: Int
    let promptTokensDetails: PromptDetails

    init(_ usage: EngineEvent.Usage) {
        self.init(choices: [usage])
    }

    /// Usage of `n` samples of one prompt: the prompt counted once, completions summed.
    init(choices: [EngineEvent.Usage]) {
        promptTokens = choices.first?.promptTokens ?? 0
        completionTokens = choices.reduce(0) { $0 + $1.completionTokens }
        totalTokens = promptTokens + completionTokens
        promptTokensDetails = PromptDetails(cachedTokens: choices.first?.cachedTokens ?? 0)
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens"
        case totalTokens = "total_tokens", promptTokensDetails = "prompt_tokens_details"
    }
}

/// The assistant's message in a chat response, or the delta of a chat chunk.
struct ChatDelta: Encodable, Sendable {
    var role: String?
    var content: String?
}

/// One choice of a chat completion or chat chunk. `finish_reason` and `logprobs` are written as
/// null when absent, as OpenAI does.
struct ChatChoice: Encodable, Sendable {
    var index = 0
    /// `message` in a full response, `delta` in a chunk.
    var message: ChatDelta
    var isDelta: Bool
    var logprobs: ChatLogprobs?
    var finishReason: FinishReason?

    private enum CodingKeys: String, CodingKey { case index, message, delta, logprobs, finishReason = "finish_reason" }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(message, forKey: isDelta ? .delta : .message)
        try container.encode(logprobs, forKey: .logprobs)
        try container.encode(finishReason, forKey: .finishReason)
    }
}

/// One choice of a text completion or completion chunk.
struct TextChoice: Encodable, Sendable {
    var index = 0
    var text: String
    var logprobs: TextLogprobs?
    var finishReason: FinishReason?

    private enum CodingKeys: String, CodingKey { case index, text, logprobs, finishReason = "finish_reason" }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(text, forKey: .text)
        try container.encode(logprobs, forKey: .logprobs)
        try container.encode(finishReason, forKey: .finishReason)
    }
}

/// A chat or text completion, or one streamed chunk of one: `object` tells which.
struct CompletionBody<Choice: Encodable & Sendable>: Encodable, Sendable {
    let id: String
    let object: String
    let created: Int
    let model: String
    let choices: [Choice]
    /// Omitted when nil (chunks before the usage chunk).
    let usage: UsageBody?
}

/// `GET /v1/models`.
struct ModelListBody: Encodable, Sendable {
    struct Model: Encodable, Sendable {
        let id: String
        var object = "model"
        let created: Int
        var ownedBy = "tern"
        let maxModelLen: Int
        enum CodingKeys: String, CodingKey { case id, object, created, ownedBy = "owned_by", maxModelLen = "max_model_len" }
    }
    var object = "list"
    let data: [Model]
}

struct TokenizeBody: Encodable, Sendable {
    let tokens: [Int32]
    let count: Int
    let maxModelLen: Int
    enum CodingKeys: String, CodingKey { case tokens, count, maxModelLen = "max_model_len" }
}

struct DetokenizeBody: Encodable, Sendable {
    let content: String
}

struct HealthBody: Encodable, Sendable {
    var status = "ok"
}
