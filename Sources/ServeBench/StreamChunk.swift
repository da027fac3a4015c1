import Foundation

/// What the benchmark reads from one streamed chunk of `/v1/completions` or
/// `/v1/chat/completions`: the new text, the usage (when the server reports it) and an
/// in-band error. Unknown fields are ignored, so any OpenAI-compatible server's chunks decode.
struct StreamChunk: Decodable {
    /// Text of the first choice: `text` (completions) or `delta.content` / reasoning text (chat).
    var text: String
    var promptTokens: Int?
    var completionTokens: Int?
    /// The message of an `error` member (an object with `message`, or a bare string).
    var error: String?

    private struct Choice: Decodable {
        var text: String?
        var delta: Delta?
    }

    private struct Delta: Decodable {
        var content: String?
        var reasoningContent: String?
        enum CodingKeys: String, CodingKey { case content, reasoningContent = "reasoning_content" }
    }

    private struct Usage: Decodable {
        var promptTokens: Int?
        var completionTokens: Int?
        enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens", completionTokens = "completion_tokens" }
    }

    private struct ErrorObject: Decodable {
        var message: String?
    }

    private enum CodingKeys: String, CodingKey { case choices, usage, error }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let choices = try container.decodeIfPresent([Choice].self, forKey: .choices) ?? []
        let first = choices.first
        text = (first?.text ?? "") + (first?.delta?.reasoningContent ?? "") + (first?.delta?.content ?? "")
        let usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
        promptTokens = usage?.promptTokens
        completionTokens = usage?.completionTokens
        if let message = try? container.decodeIfPresent(String.self, forKey: .error) {
            error = message
        } else if let object = try? container.decodeIfPresent(ErrorObject.self, forKey: .error) {
            error = object.message ?? "error without a message"
        }
    }

    static func decode(_ payload: String) throws -> StreamChunk {
        try JSONDecoder().decode(StreamChunk.self, from: Data(payload.utf8))
    }
}
