import Sampling

/// Synthetic prompts of given token lengths, optionally behind a shared prefix.
///
/// Each request's prompt is random words (from a fixed seed) fitted to its drawn token length
/// with the server's tokenizer; lengths are drawn uniformly from `L · (1 ± rangeRatio)` as
/// vLLM's random dataset draws them. A shared prefix of `sharedPrefixLen` tokens, the same for
/// every request, goes first (as a system message on the chat endpoint) so a server with
/// prefix caching can reuse it.
public struct SyntheticWorkload: Sendable {
    public var count: Int
    public var inputLen: Int
    public var outputLen: Int
    public var rangeRatio: Double
    public var sharedPrefixLen: Int
    public var seed: UInt64
    public var endpoint: BenchmarkConfiguration.Endpoint

    public init(count: Int, inputLen: Int, outputLen: Int, rangeRatio: Double, sharedPrefixLen: Int, seed: UInt64,
                endpoint: BenchmarkConfiguration.Endpoint) {
        self.count = count
        self.inputLen = inputLen
        self.outputLen = outputLen
        self.rangeRatio = rangeRatio
        self.sharedPrefixLen = sharedPrefixLen
        self.seed = seed
        self.endpoint = endpoint
    }

    /// The integer range `L · (1 ± ratio)`, at least 1.
    static func lengthRange(_ length: Int, ratio: Double) -> ClosedRange<Int> {
        let low = max(1, Int((Double(length) * (1 - ratio)).rounded(.down)))
        let high = max(low, Int((Double(length) * (1 + ratio)).rounded(.down)))
        return low...high
    }

    public func build(counter: some TokenCounter) async throws -> [WorkloadRequest] {
        var lengths = SplitMix64(seed: seed)
        var words = WordSource(seed: seed ^ 0x5EED_0F_0D5)
        var prefixWords = WordSource(seed: seed ^ 0xF1E7_1C5)
        let tokensPerWord = try await Self.tokensPerWord(counter: counter)
        let prefix = sharedPrefixLen > 0
            ? try await Self.fit(target: sharedPrefixLen, words: &prefixWords, tokensPerWord: tokensPerWord, counter: counter)
            : (text: "", tokens: 0)
        let inputRange = Self.lengthRange(inputLen, ratio: rangeRatio), outputRange = Self.lengthRange(outputLen, ratio: rangeRatio)
        var requests: [WorkloadRequest] = []
        requests.reserveCapacity(count)
        for _ in 0..<count {
            let inputTarget = Int.random(in: inputRange, using: &lengths)
            let outputTarget = Int.random(in: outputRange, using: &lengths)
            let unique = try await Self.fit(target: inputTarget, words: &words, tokensPerWord: tokensPerWord, counter: counter)
            let prompt: WorkloadRequest.Prompt
            switch (endpoint, prefix.text.isEmpty) {
            case (_, true): prompt = .text(unique.text)
            case (.chat, false): prompt = .messages([ChatMessage(role: "system", content: prefix.text), ChatMessage(role: "user", content: unique.text)])
            case (.completions, false): prompt = .text(prefix.text + "\n" + unique.text)
            }
            requests.append(WorkloadRequest(prompt: prompt, inputTokens: prefix.tokens + unique.tokens, outputTokens: outputTarget))
        }
        return requests
    }

    /// Tokens per word on this server, from one sample of 256 words.
    static func tokensPerWord(counter: some TokenCounter) async throws -> Double {
        var sample = WordSource(seed: 0x70CE_25)
        let text = (0..<256).map { _ in sample.next() }.joined(separator: " ")
        return max(0.25, Double(try await counter.countTokens(text)) / 256)
    }

    /// The longest run of the next words from `words` that is at most `target` tokens (at
    /// least one word), and its token count. Steps by the estimated tokens per word and then
    /// bisects, so a prompt usually costs two or three tokenize calls.
    static func fit(target: Int, words: inout WordSource, tokensPerWord: Double,
                    counter: some TokenCounter) async throws -> (text: String, tokens: Int) {
        var drawn: [String] = []
        func text(_ count: Int) -> String { drawn.prefix(count).joined(separator: " ") }
        var low = 0, lowCount = 0
        var high: Int?
        var candidate = max(1, Int((Double(target) / tokensPerWord).rounded()))
        for _ in 0..<64 {
            candidate = Swift.max(low + 1, Swift.min(candidate, (high ?? Int.max) - 1))
            while drawn.count < candidate { drawn.append(words.next()) }
            let tokens = try await counter.countTokens(text(candidate))
            if tokens == target { return (text(candidate), tokens) }
            if tokens < target {
                (low, lowCount) = (candidate, tokens)
                candidate += Swift.max(1, Int((Double(target - tokens) / tokensPerWord).rounded()))
            } else {
                high = candidate
                candidate -= Swift.max(1, Int((Double(tokens - target) / tokensPerWord).rounded()))
            }
            if let high, high - low <= 1 { break }
        }
        if low == 0 { return (text(1), try await counter.countTokens(text(1))) }
        return (text(low), lowCount)
    }
}

/// An endless, seeded stream of words from ``WordList``.
struct WordSource {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func next() -> String {
        WordList.words[Int.random(in: 0..<WordList.words.count, using: &generator)]
    }
}
