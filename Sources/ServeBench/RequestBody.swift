import Foundation

/// The JSON body of one streamed request: greedy sampling, `max_tokens` and `ignore_eos` so
/// the output length is the workload's (servers that do not know `ignore_eos` ignore it), and
/// `stream_options.include_usage` so the server reports its own token counts.
struct RequestBody: Encodable {
    var model: String?
    var prompt: String?
    var messages: [ChatMessage]?
    var maxTokens: Int?
    var ignoreEOS: Bool?
    var temperature: Double = 0
    var stream = true
    var streamOptions = StreamOptions()

    struct StreamOptions: Encodable {
        var includeUsage = true
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    init(request: WorkloadRequest, endpoint: BenchmarkConfiguration.Endpoint, model: String?, ignoreEOS: Bool) throws(WorkloadError) {
        self.model = model
        switch (endpoint, request.prompt) {
        case (.completions, .text(let text)): prompt = text
        case (.chat, .text(let text)): messages = [ChatMessage(role: "user", content: text)]
        case (.chat, .messages(let list)): messages = list
        case (.completions, .messages): throw .messagesNeedChat(line: 0)
        }
        maxTokens = request.outputTokens
        self.ignoreEOS = request.outputTokens != nil && ignoreEOS ? true : nil
    }

    enum CodingKeys: String, CodingKey {
        case model, prompt, messages, temperature, stream
        case maxTokens = "max_tokens", ignoreEOS = "ignore_eos", streamOptions = "stream_options"
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
