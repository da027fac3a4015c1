import Engine
import Tokenizer

/// A sampled token with the log-probabilities the engine reported for it.
struct LoggedToken: Sendable {
    let id: Int32
    let logprob: TokenLogprob
}

/// `choices[i].logprobs` of a chat completion or chunk: one entry per sampled token.
struct ChatLogprobs: Encodable, Sendable {
    struct Alternative: Encodable, Sendable {
        let token: String
        let logprob: Float
        /// The token's raw UTF-8 bytes (a token may hold part of a character).
        let bytes: [UInt8]
    }

    struct Entry: Encodable, Sendable {
        let token: String
        let logprob: Float
        let bytes: [UInt8]
        let topLogprobs: [Alternative]
        enum CodingKeys: String, CodingKey { case token, logprob, bytes, topLogprobs = "top_logprobs" }
    }

    var content: [Entry]

    private enum CodingKeys: String, CodingKey { case content, refusal }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(content, forKey: .content)
        try container.encodeNil(forKey: .refusal)
    }
}

/// `choices[i].logprobs` of a text completion or chunk, OpenAI's legacy column form.
struct TextLogprobs: Encodable, Sendable {
    var tokens: [String] = []
    var tokenLogprobs: [Float] = []
    /// Per position, the most likely tokens' text mapped to their log-probabilities.
    var topLogprobs: [[String: Float]] = []
    /// Each token's offset in the completion text, in Unicode scalars.
    var textOffset: [Int] = []

    enum CodingKeys: String, CodingKey {
        case tokens, tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset"
    }
}

/// The logprobs of one choice in whichever shape its endpoint uses.
enum ChoiceLogprobs: Sendable {
    case chat(ChatLogprobs)
    case text(TextLogprobs)

    var chat: ChatLogprobs? { if case .chat(let body) = self { body } else { nil } }
    var text: TextLogprobs? { if case .text(let body) = self { body } else { nil } }
}

/// Turns engine log-probabilities into the response shapes, naming each token by its own
/// piece of text.
struct LogprobRenderer: Sendable {
    let tokenizer: Tokenizer
    let kind: CompletionFormat.Kind

    /// JSON has no infinities; vLLM reports impossible tokens as -9999 too.
    static func finite(_ value: Float) -> Float { value.isFinite ? value : -9999 }

    /// The token's bytes (special tokens by their text) and those bytes as a string, with
    /// partial UTF-8 shown as U+FFFD.
    func piece(_ id: Int32) -> (text: String, bytes: [UInt8]) {
        let bytes = tokenizer.tokenBytes(id, renderSpecial: true)
        return (String(decoding: bytes, as: UTF8.self), bytes)
    }

    /// `tokens` rendered for this endpoint. `offset` is where the first token starts in the
    /// completion text; it is advanced past the tokens (streamed chunks continue from it).
    func render(_ tokens: [LoggedToken], offset: inout Int) -> ChoiceLogprobs {
        switch kind {
        case .chat: .chat(ChatLogprobs(content: tokens.map(chatEntry)))
        case .text: .text(textColumns(tokens, offset: &offset))
        }
    }

    private func chatEntry(_ token: LoggedToken) -> ChatLogprobs.Entry {
        let (text, bytes) = piece(token.id)
        let top = token.logprob.top.map { alternative in
            let (text, bytes) = piece(alternative.id)
            return ChatLogprobs.Alternative(token: text, logprob: Self.finite(alternative.logprob), bytes: bytes)
        }
        return ChatLogprobs.Entry(token: text, logprob: Self.finite(token.logprob.logprob), bytes: bytes, topLogprobs: top)
    }

    private func textColumns(_ tokens: [LoggedToken], offset: inout Int) -> TextLogprobs {
        var columns = TextLogprobs()
        for token in tokens {
            let text = piece(token.id).text
            columns.tokens.append(text)
            columns.tokenLogprobs.append(Self.finite(token.logprob.logprob))
            // OpenAI lists the sampled token among the alternatives too (up to k + 1 entries).
            var top = [text: Self.finite(token.logprob.logprob)]
            // Two ids may share a text; the more likely one (listed first) is kept.
            for alternative in token.logprob.top where alternative.id != token.id {
                let key = piece(alternative.id).text
                if top[key] == nil { top[key] = Self.finite(alternative.logprob) }
            }
            columns.topLogprobs.append(top)
            columns.textOffset.append(offset)
            offset += text.unicodeScalars.count
        }
        return columns
    }
}
