/// What the HTTP front end needs beyond the engine.
public struct ServerConfiguration: Sendable {
    /// The name clients pass as `model` (and `/v1/models` lists).
    public var modelName: String
    /// When set, every route but `/health` and `/metrics` requires `Authorization: Bearer <apiKey>`.
    public var apiKey: String?
    /// Requests queued or running at once; more get 429.
    public var maxQueue: Int
    /// Positions one sequence may use, prompt plus completion, for ``OpenAIServer/init(engine:configuration:logger:)``
    /// (nil: the model's context). A server that loads its engine later gets the length with it.
    public var contextLength: Int?
    /// Largest accepted request body in bytes; larger ones get 413.
    public var maxBodyBytes: Int

    public init(modelName: String, apiKey: String? = nil, maxQueue: Int = 256, contextLength: Int? = nil,
                maxBodyBytes: Int = 4 << 20) {
        self.modelName = modelName
        self.apiKey = apiKey
        self.maxQueue = maxQueue
        self.contextLength = contextLength
        self.maxBodyBytes = maxBodyBytes
    }
}
