/// The generation fields shared by `/v1/chat/completions` and `/v1/completions`, with their
/// OpenAI names, plus the vLLM-style extensions `top_k`, `min_p`, `repetition_penalty`,
/// `ignore_eos` and `priority`. Unknown fields are ignored.
struct GenerationFields: Decodable, Sendable {
    var model: String?
    var maxTokens: Int?
    var maxCompletionTokens: Int?
    var temperature: Float?
    var topP: Float?
    var topK: Int?
    var minP: Float?
    var repetitionPenalty: Float?
    var presencePenalty: Float?
    var frequencyPenalty: Float?
    var stop: StopField?
    var seed: Int64?
    var n: Int?
    var stream: Bool?
    var streamOptions: StreamOptions?
    var user: String?
    var ignoreEOS: Bool?
    var priority: Int?
    /// A boolean on the chat endpoint, a count on the completions endpoint.
    var logprobs: LogprobsField?
    var topLogprobs: Int?

    struct StreamOptions: Decodable, Sendable {
        var includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    enum CodingKeys: String, CodingKey {
        case model, temperature, stop, seed, n, stream, user, priority
        case maxTokens = "max_tokens", maxCompletionTokens = "max_completion_tokens"
        case topP = "top_p", topK = "top_k", minP = "min_p"
        case repetitionPenalty = "repetition_penalty", presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty", streamOptions = "stream_options", ignoreEOS = "ignore_eos"
        case logprobs, topLogprobs = "top_logprobs"
    }
}

/// `logprobs`: chat completions take a boolean (with the count in `top_logprobs`), text
/// completions an integer count; both accept null. Each endpoint checks it got its own form.
enum LogprobsField: Decodable, Sendable, Equatable {
    case flag(Bool)
    case count(Int)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .flag(flag)
        } else {
            self = .count(try container.decode(Int.self))
        }
    }
}

/// `stop`: one string or a list of strings (null means none).
struct StopField: Decodable, Sendable {
    var strings: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            strings = []
        } else if let one = try? container.decode(String.self) {
            strings = [one]
        } else {
            strings = try container.decode([String].self)
        }
    }
}

/// One chat message. `content` may be a string, null, or a list of parts of which the
/// `text` parts are joined (OpenAI's content-part form).
struct ChatMessageField: Decodable, Sendable {
    var role: String
    var content: String

    private struct Part: Decodable {
        var type: String
        var text: String?
    }

    private enum CodingKeys: String, CodingKey { case role, content }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(String.self, forKey: .role)
        if try !container.contains(.content) || container.decodeNil(forKey: .content) {
            content = ""
        } else if let text = try? container.decode(String.self, forKey: .content) {
            content = text
        } else {
            let parts = try container.decode([Part].self, forKey: .content)
            content = parts.filter { $0.type == "text" }.compactMap(\.text).joined()
        }
    }
}

/// The body of `POST /v1/chat/completions`.
struct ChatCompletionRequest: Decodable, Sendable {
    var fields: GenerationFields
    var messages: [ChatMessageField]?

    private enum CodingKeys: String, CodingKey { case messages }

    init(from decoder: any Decoder) throws {
        fields = try GenerationFields(from: decoder)
        messages = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([ChatMessageField].self, forKey: .messages)
    }
}

/// `prompt`: a string, a list of token ids, or a one-element list of either.
enum PromptField: Decodable, Sendable {
    case text(String)
    case tokens([Int])
    /// More than one prompt (a batch), which is not served.
    case batch(Int)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let ids = try? container.decode([Int].self) {
            self = .tokens(ids)
        } else if let texts = try? container.decode([String].self) {
            self = texts.count == 1 ? .text(texts[0]) : .batch(texts.count)
        } else {
            let lists = try container.decode([[Int]].self)
            self = lists.count == 1 ? .tokens(lists[0]) : .batch(lists.count)
        }
    }
}

/// The body of `POST /v1/completions`.
struct CompletionRequest: Decodable, Sendable {
    var fields: GenerationFields
    var prompt: PromptField?

    private enum CodingKeys: String, CodingKey { case prompt }

    init(from decoder: any Decoder) throws {
        fields = try GenerationFields(from: decoder)
        prompt = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(PromptField.self, forKey: .prompt)
    }
}

/// The body of `POST /tokenize`.
struct TokenizeRequest: Decodable, Sendable {
    var content: String
    var addSpecial: Bool?
    enum CodingKeys: String, CodingKey { case content, addSpecial = "add_special" }
}

/// The body of `POST /detokenize`.
struct DetokenizeRequest: Decodable, Sendable {
    var tokens: [Int]
}
