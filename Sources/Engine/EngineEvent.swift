/// What a request's stream yields, in order: text as it becomes final, then one `finished`.
public enum EngineEvent: Sendable, Equatable {
    /// A sampled token and the text it completed (possibly empty while a UTF-8 character or a
    /// possible stop string is held back).
    case token(id: Int32, text: String)
    /// Text released at the end of generation (held-back bytes or a partial stop string).
    case text(String)
    /// The request ended; no more events follow.
    case finished(FinishReason, usage: Usage)

    public struct Usage: Sendable, Equatable {
        public var promptTokens: Int
        public var completionTokens: Int
        /// Prompt tokens whose keys and values came from the prefix cache.
        public var cachedTokens: Int
    }
}

/// A generation request for the serving engine.
public struct EngineRequest: Sendable {
    public var prompt: [Int32]
    public var parameters: GenerationParameters
    /// Smaller is served first and preempted last.
    public var priority: Int
    /// For per-user fairness.
    public var userID: String

    public init(prompt: [Int32], parameters: GenerationParameters, priority: Int = 0, userID: String = "") {
        self.prompt = prompt
        self.parameters = parameters
        self.priority = priority
        self.userID = userID
    }
}
