/// What a request's stream yields, in order: text as it becomes final, then one `finished`.
public enum EngineEvent: Sendable, Equatable {
    /// A sampled token and the text it completed (possibly empty while a UTF-8 character or a
    /// possible stop string is held back), with its log-probability when the request asked
    /// for them (``GenerationParameters/logprobs``).
    case token(id: Int32, text: String, logprob: TokenLogprob?)
    /// Text released at the end of generation (held-back bytes or a partial stop string).
    case text(String)
    /// The request ended; no more events follow.
    case finished(FinishReason, usage: Usage)

    public struct Usage: Sendable, Equatable {
        public var promptTokens: Int
        public var completionTokens: Int
        /// Prompt tokens whose keys and values came from the prefix cache.
        public var cachedTokens: Int
        /// Seconds from submission until the engine first scheduled the request.
        public var queueSeconds: Double

        public init(promptTokens: Int, completionTokens: Int, cachedTokens: Int, queueSeconds: Double = 0) {
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.cachedTokens = cachedTokens
            self.queueSeconds = queueSeconds
        }
    }
}

/// The log-probability of a sampled token under the model's raw distribution (log-softmax of
/// the logits before penalties, temperature or truncation, as vLLM reports them), and the most
/// likely alternatives at that position.
public struct TokenLogprob: Sendable, Equatable {
    public struct Alternative: Sendable, Equatable {
        public var id: Int32
        public var logprob: Float

        public init(id: Int32, logprob: Float) {
            self.id = id
            self.logprob = logprob
        }
    }

    public var logprob: Float
    /// The `GenerationParameters.logprobs` most likely tokens, most likely first.
    public var top: [Alternative]

    public init(logprob: Float, top: [Alternative]) {
        self.logprob = logprob
        self.top = top
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

/// A snapshot of the engine's load and counters, published after every step (for `/metrics`).
public struct EngineMetrics: Sendable, Equatable {
    /// Requests holding KV blocks.
    public var running = 0
    /// Requests queued for admission (new or preempted).
    public var waiting = 0
    /// Fraction of KV blocks in use, 0...1.
    public var kvCacheUsage = 0.0
    /// Prompt tokens looked up in the prefix cache at admission, and how many were found.
    public var prefixCacheQueries = 0
    public var prefixCacheHits = 0
    /// Times a running request lost its blocks to make room.
    public var preemptions = 0
    /// Of those, the times its keys and values were swapped out rather than dropped.
    public var swapOuts = 0
    /// Prompt and output tokens the model computed (prefix-cache hits and restored swaps are
    /// not computed).
    public var computedTokens = 0
    /// KV slots held by running requests and how many of them hold a token, summed over
    /// steps (their ratio is the time-averaged fill), and the most slots held at once.
    public var kvSlotStepsAllocated = 0
    public var kvSlotStepsFilled = 0
    public var peakKVSlotsAllocated = 0
    /// The costs behind the swap-or-recompute choice, as last measured.
    public var recomputeSecondsPerToken = 0.0
    public var swapSecondsPerToken = 0.0

    public init() {}
}
