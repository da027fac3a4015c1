import Foundation
import Testing
@testable import ServeBench

/// Synthetic prompts fitted to token lengths, JSONL replay and the request bodies sent.
struct WorkloadTests {
    /// A tokenizer stand-in: `tokensPerWord` tokens for every whitespace-separated word.
    struct WordTokens: TokenCounter {
        var tokensPerWord = 1
        func countTokens(_ text: String) async throws -> Int { text.split(separator: " ").count * tokensPerWord }
    }

    @Test func lengthRanges() {
        #expect(SyntheticWorkload.lengthRange(100, ratio: 0) == 100...100)
        #expect(SyntheticWorkload.lengthRange(100, ratio: 0.1) == 90...110)
        #expect(SyntheticWorkload.lengthRange(1, ratio: 0.5) == 1...1)
    }

    @Test func syntheticPromptsHitTheirLengths() async throws {
        let workload = SyntheticWorkload(count: 20, inputLen: 50, outputLen: 16, rangeRatio: 0.2, sharedPrefixLen: 0, seed: 3, endpoint: .completions)
        let requests = try await workload.build(counter: WordTokens())
        #expect(requests.count == 20)
        for request in requests {
            #expect((40...60).contains(request.inputTokens))
            #expect(try await WordTokens().countTokens(request.promptText) == request.inputTokens)
            #expect((12...19).contains(request.outputTokens ?? 0))
        }
        #expect(Set(requests.map(\.promptText)).count == 20)
        #expect(Set(requests.map(\.inputTokens)).count > 1)
        #expect(try await workload.build(counter: WordTokens()) == requests)
    }

    /// Three tokens a word cannot make 50: the fit stops at the longest prompt not above it.
    @Test func fitStopsAtTheLongestPromptNotOverTheTarget() async throws {
        let workload = SyntheticWorkload(count: 5, inputLen: 50, outputLen: 4, rangeRatio: 0, sharedPrefixLen: 0, seed: 9, endpoint: .completions)
        let requests = try await workload.build(counter: WordTokens(tokensPerWord: 3))
        #expect(requests.allSatisfy { $0.inputTokens == 48 })
    }

    @Test func sharedPrefixOpensEveryPrompt() async throws {
        let chat = try await SyntheticWorkload(count: 4, inputLen: 10, outputLen: 4, rangeRatio: 0, sharedPrefixLen: 30, seed: 1, endpoint: .chat)
            .build(counter: WordTokens())
        var systems: Set<String> = []
        for request in chat {
            guard case .messages(let messages) = request.prompt else { Issue.record("chat prompt is not messages"); continue }
            #expect(messages.map(\.role) == ["system", "user"])
            #expect(try await WordTokens().countTokens(messages[0].content) == 30)
            #expect(request.inputTokens == 40)
            systems.insert(messages[0].content)
        }
        #expect(systems.count == 1)
        let text = try await SyntheticWorkload(count: 3, inputLen: 10, outputLen: 4, rangeRatio: 0, sharedPrefixLen: 30, seed: 1, endpoint: .completions)
            .build(counter: WordTokens())
        let prefix = try #require(systems.first)
        #expect(text.allSatisfy { $0.promptText.hasPrefix(prefix + "\n") && $0.inputTokens == 40 })
    }

    @Test func jsonlLines() throws {
        let file = """
            {"prompt": "Hello there", "output_len": 7}

            {"messages": [{"role": "user", "content": "Hi"}]}
            """
        let requests = try JSONLWorkload.parse(file, defaultOutputLen: 32, endpoint: .chat)
        #expect(requests == [
            WorkloadRequest(prompt: .text("Hello there"), inputTokens: 0, outputTokens: 7),
            WorkloadRequest(prompt: .messages([ChatMessage(role: "user", content: "Hi")]), inputTokens: 0, outputTokens: 32),
        ])
    }

    @Test func jsonlErrorsNameTheLine() {
        #expect(throws: WorkloadError.badLine(number: 2, reason: "has neither 'prompt' nor 'messages'")) {
            try JSONLWorkload.parse("{\"prompt\": \"a\"}\n{\"output_len\": 3}", defaultOutputLen: nil, endpoint: .completions)
        }
        #expect(throws: WorkloadError.messagesNeedChat(line: 1)) {
            try JSONLWorkload.parse(#"{"messages": [{"role": "user", "content": "a"}]}"#, defaultOutputLen: nil, endpoint: .completions)
        }
        #expect(throws: WorkloadError.badLine(number: 1, reason: "'output_len' must be at least 1")) {
            try JSONLWorkload.parse(#"{"prompt": "a", "output_len": 0}"#, defaultOutputLen: nil, endpoint: .completions)
        }
        #expect(throws: WorkloadError.self) { try JSONLWorkload.parse("[1, 2]", defaultOutputLen: nil, endpoint: .completions) }
    }

    @Test func jsonlFileCounts() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("serve-bench-\(UUID().uuidString).jsonl")
        try Data("{\"prompt\": \"a\"}\n{\"prompt\": \"b\"}\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try JSONLWorkload.load(path: url.path, count: nil, defaultOutputLen: 4, endpoint: .completions).count == 2)
        #expect(try JSONLWorkload.load(path: url.path, count: 1, defaultOutputLen: 4, endpoint: .completions).map(\.promptText) == ["a"])
        #expect(throws: WorkloadError.tooFewRequests(path: url.path, available: 2, requested: 3)) {
            try JSONLWorkload.load(path: url.path, count: 3, defaultOutputLen: 4, endpoint: .completions)
        }
    }

    @Test func requestBodies() throws {
        let request = WorkloadRequest(prompt: .text("Hi"), inputTokens: 1, outputTokens: 8)
        let completions = try JSONSerialization.jsonObject(with: RequestBody(request: request, endpoint: .completions, model: "m", ignoreEOS: true).encoded()) as? [String: Any]
        #expect(completions?["prompt"] as? String == "Hi" && completions?["messages"] == nil)
        #expect(completions?["max_tokens"] as? Int == 8 && completions?["ignore_eos"] as? Bool == true)
        #expect(completions?["stream"] as? Bool == true && completions?["temperature"] as? Double == 0 && completions?["model"] as? String == "m")
        #expect((completions?["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)

        let chat = try JSONSerialization.jsonObject(with: RequestBody(request: request, endpoint: .chat, model: nil, ignoreEOS: false).encoded()) as? [String: Any]
        #expect((chat?["messages"] as? [[String: String]]) == [["role": "user", "content": "Hi"]])
        #expect(chat?["ignore_eos"] == nil && chat?["model"] == nil)

        let messages = WorkloadRequest(prompt: .messages([ChatMessage(role: "user", content: "x")]), inputTokens: 0, outputTokens: nil)
        #expect(throws: WorkloadError.self) { try RequestBody(request: messages, endpoint: .completions, model: nil, ignoreEOS: true) }
    }
}
