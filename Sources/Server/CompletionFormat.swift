import Engine
import Foundation

/// How one completion is written out: as a chat completion or a text completion, whole or as
/// server-sent-event chunks. Holds the id, timestamp and model name all chunks share.
struct CompletionFormat: Sendable {
    enum Kind: Sendable { case chat, text }

    let kind: Kind
    let id: String
    let created: Int
    let model: String

    init(kind: Kind, model: String) {
        self.kind = kind
        self.model = model
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        id = (kind == .chat ? "chatcmpl-" : "cmpl-") + suffix
        created = Int(Date().timeIntervalSince1970)
    }

    /// One finished choice of a non-streaming response.
    struct Choice: Sendable {
        var text: String
        var finishReason: FinishReason
        var logprobs: ChoiceLogprobs?
    }

    /// The non-streaming response body; `choices[i]` gets index `i`.
    func response(_ choices: [Choice], usage: UsageBody) throws -> Data {
        switch kind {
        case .chat:
            let bodies = choices.enumerated().map { index, choice in
                ChatChoice(index: index, message: ChatDelta(role: "assistant", content: choice.text), isDelta: false,
                           logprobs: choice.logprobs?.chat, finishReason: choice.finishReason)
            }
            return try Self.encoder.encode(CompletionBody(id: id, object: "chat.completion", created: created, model: model,
                                                          choices: bodies, usage: usage))
        case .text:
            let bodies = choices.enumerated().map { index, choice in
                TextChoice(index: index, text: choice.text, logprobs: choice.logprobs?.text, finishReason: choice.finishReason)
            }
            return try Self.encoder.encode(CompletionBody(id: id, object: "text_completion", created: created, model: model,
                                                          choices: bodies, usage: usage))
        }
    }

    /// The chunk announcing the assistant's role for choice `index` (chat only; OpenAI sends
    /// it first).
    func openingChunk(index: Int) throws -> Data? {
        guard kind == .chat else { return nil }
        return try chatChunk([ChatChoice(index: index, message: ChatDelta(role: "assistant", content: ""), isDelta: true)])
    }

    /// A chunk carrying new text of choice `index`, and the logprobs of the tokens behind it.
    func textChunk(_ text: String, index: Int, logprobs: ChoiceLogprobs? = nil) throws -> Data {
        switch kind {
        case .chat:
            try chatChunk([ChatChoice(index: index, message: ChatDelta(content: text), isDelta: true, logprobs: logprobs?.chat)])
        case .text:
            try textChunk([TextChoice(index: index, text: text, logprobs: logprobs?.text)])
        }
    }

    /// The chunk carrying choice `index`'s finish reason (with an empty delta or text).
    func finishChunk(_ reason: FinishReason, index: Int) throws -> Data {
        switch kind {
        case .chat: try chatChunk([ChatChoice(index: index, message: ChatDelta(), isDelta: true, finishReason: reason)])
        case .text: try textChunk([TextChoice(index: index, text: "", finishReason: reason)])
        }
    }

    /// The closing chunk of `stream_options.include_usage`: no choices, just usage.
    func usageChunk(_ usage: UsageBody) throws -> Data {
        switch kind {
        case .chat: try chatChunk([], usage: usage)
        case .text: try textChunk([], usage: usage)
        }
    }

    private func chatChunk(_ choices: [ChatChoice], usage: UsageBody? = nil) throws -> Data {
        try Self.encoder.encode(CompletionBody(id: id, object: "chat.completion.chunk", created: created, model: model,
                                               choices: choices, usage: usage))
    }

    private func textChunk(_ choices: [TextChoice], usage: UsageBody? = nil) throws -> Data {
        try Self.encoder.encode(CompletionBody(id: id, object: "text_completion", created: created, model: model,
                                               choices: choices, usage: usage))
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}
