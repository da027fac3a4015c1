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

    /// The non-streaming response body.
    func response(text: String, finishReason: FinishReason, usage: EngineEvent.Usage) throws -> Data {
        switch kind {
        case .chat:
            let choice = ChatChoice(message: ChatDelta(role: "assistant", content: text), isDelta: false, finishReason: finishReason)
            return try Self.encoder.encode(CompletionBody(id: id, object: "chat.completion", created: created, model: model,
                                                          choices: [choice], usage: UsageBody(usage)))
        case .text:
            let choice = TextChoice(text: text, finishReason: finishReason)
            return try Self.encoder.encode(CompletionBody(id: id, object: "text_completion", created: created, model: model,
                                                          choices: [choice], usage: UsageBody(usage)))
        }
    }

    /// The chunk announcing the assistant's role (chat only; OpenAI sends it first).
    func openingChunk() throws -> Data? {
        guard kind == .chat else { return nil }
        return try chatChunk([ChatChoice(message: ChatDelta(role: "assistant", content: ""), isDelta: true)])
    }

    /// A chunk carrying new text.
    func textChunk(_ text: String) throws -> Data {
        switch kind {
        case .chat: try chatChunk([ChatChoice(message: ChatDelta(content: text), isDelta: true)])
        case .text: try textChunk([TextChoice(text: text)])
        }
    }

    /// The chunk carrying the finish reason (with an empty delta or text).
    func finishChunk(_ reason: FinishReason) throws -> Data {
        switch kind {
        case .chat: try chatChunk([ChatChoice(message: ChatDelta(), isDelta: true, finishReason: reason)])
        case .text: try textChunk([TextChoice(text: "", finishReason: reason)])
        }
    }

    /// The closing chunk of `stream_options.include_usage`: no choices, just usage.
    func usageChunk(_ usage: EngineEvent.Usage) throws -> Data {
        switch kind {
        case .chat: try chatChunk([], usage: UsageBody(usage))
        case .text: try textChunk([], usage: UsageBody(usage))
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
