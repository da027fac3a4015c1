/// One chat message of a replayed request.
public struct ChatMessage: Codable, Sendable, Equatable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// One request of a workload, before it is sent.
public struct WorkloadRequest: Sendable, Equatable {
    public enum Prompt: Sendable, Equatable {
        /// A prompt for `/v1/completions`; sent as one user message to `/v1/chat/completions`.
        case text(String)
        /// A conversation for `/v1/chat/completions`.
        case messages([ChatMessage])
    }

    public var prompt: Prompt
    /// Prompt tokens as the workload measured them (0 when unknown); the server's usage report
    /// replaces this when it sends one.
    public var inputTokens: Int
    /// Tokens to generate (`max_tokens`); nil leaves the length to the server.
    public var outputTokens: Int?

    public init(prompt: Prompt, inputTokens: Int, outputTokens: Int?) {
        self.prompt = prompt
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    /// The prompt's text, message contents joined by newlines.
    public var promptText: String {
        switch prompt {
        case .text(let text): text
        case .messages(let messages): messages.map(\.content).joined(separator: "\n")
        }
    }
}

/// A workload that cannot be built.
public enum WorkloadError: Error, CustomStringConvertible, Equatable {
    case badLine(number: Int, reason: String)
    case empty(path: String)
    case tooFewRequests(path: String, available: Int, requested: Int)
    case messagesNeedChat(line: Int)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .badLine(let number, let reason): "line \(number): \(reason)"
        case .empty(let path): "'\(path)' holds no requests"
        case .tooFewRequests(let path, let available, let requested):
            "'\(path)' holds \(available) requests but --num-prompts asks for \(requested)"
        case .messagesNeedChat(let line): "line \(line) has 'messages', which only the chat endpoint takes (use --endpoint chat)"
        case .unreadable(let path, let reason): "cannot read '\(path)': \(reason)"
        }
    }
}

/// Counts the tokens a text becomes on the server (its `/tokenize`), or estimates them.
public protocol TokenCounter: Sendable {
    func countTokens(_ text: String) async throws -> Int
}

/// An estimate for servers without `/tokenize`: 4 tokens per 3 words, about what BPE
/// vocabularies give for plain English.
public struct WordCountEstimate: TokenCounter {
    public init() {}

    public func countTokens(_ text: String) async throws -> Int {
        let words = text.split(whereSeparator: \.isWhitespace).count
        return (words * 4 + 2) / 3
    }
}
