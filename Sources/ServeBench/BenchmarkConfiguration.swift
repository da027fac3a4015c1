/// Everything that defines a run, saved with its figures so a result file says how it was made.
public struct BenchmarkConfiguration: Codable, Sendable, Equatable {
    public enum Endpoint: String, Codable, Sendable, CaseIterable {
        case chat, completions

        /// The path under the server's base URL.
        public var path: String { self == .chat ? "/v1/chat/completions" : "/v1/completions" }
    }

    /// Base URL of the server, e.g. `http://127.0.0.1:8080`.
    public var url: String
    /// Model name sent with each request (nil: the field is left out).
    public var model: String?
    public var endpoint: Endpoint
    /// `synthetic`, or the path of the JSONL file replayed.
    public var dataset: String
    public var numPrompts: Int
    public var requestRate: RequestRate
    public var burstiness: Double
    public var maxConcurrency: Int?
    /// Synthetic prompt tokens (before the shared prefix) and output tokens, and the relative
    /// spread `range_ratio` of both: lengths are drawn uniformly from L·(1 ± ratio).
    public var inputLen: Int
    public var outputLen: Int
    public var rangeRatio: Double
    public var sharedPrefixLen: Int
    /// Whether prompt lengths were checked with the server's `/tokenize` (else estimated).
    public var promptLengthsChecked: Bool
    public var ignoreEOS: Bool
    public var slo: ServiceLevelObjectives
    public var seed: UInt64
    /// Seconds a request may take before it counts as failed.
    public var requestTimeout: Double
    /// The benchmark client's version, e.g. `tern 0.1.0`.
    public var clientVersion: String
    /// The server's `Server` response header, when it sends one.
    public var serverHeader: String?
    /// When the run started (ISO 8601).
    public var startedAt: String

    public init(url: String, model: String?, endpoint: Endpoint, dataset: String, numPrompts: Int, requestRate: RequestRate,
                burstiness: Double, maxConcurrency: Int?, inputLen: Int, outputLen: Int, rangeRatio: Double, sharedPrefixLen: Int,
                promptLengthsChecked: Bool, ignoreEOS: Bool, slo: ServiceLevelObjectives, seed: UInt64, requestTimeout: Double,
                clientVersion: String, serverHeader: String? = nil, startedAt: String = "") {
        self.url = url
        self.model = model
        self.endpoint = endpoint
        self.dataset = dataset
        self.numPrompts = numPrompts
        self.requestRate = requestRate
        self.burstiness = burstiness
        self.maxConcurrency = maxConcurrency
        self.inputLen = inputLen
        self.outputLen = outputLen
        self.rangeRatio = rangeRatio
        self.sharedPrefixLen = sharedPrefixLen
        self.promptLengthsChecked = promptLengthsChecked
        self.ignoreEOS = ignoreEOS
        self.slo = slo
        self.seed = seed
        self.requestTimeout = requestTimeout
        self.clientVersion = clientVersion
        self.serverHeader = serverHeader
        self.startedAt = startedAt
    }

    enum CodingKeys: String, CodingKey {
        case url, model, endpoint, dataset, burstiness, slo, seed
        case numPrompts = "num_prompts", requestRate = "request_rate", maxConcurrency = "max_concurrency"
        case inputLen = "input_len", outputLen = "output_len", rangeRatio = "range_ratio", sharedPrefixLen = "shared_prefix_len"
        case promptLengthsChecked = "prompt_lengths_checked", ignoreEOS = "ignore_eos", requestTimeout = "request_timeout_s"
        case clientVersion = "client_version", serverHeader = "server_header", startedAt = "started_at"
    }
}
