import Foundation
import Server
import TernTestSupport
import Testing

/// `logprobs` in OpenAI's two shapes: chat's per-token entries and completions' columns.
struct LogprobTests {
    static let chatRequest = #"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 6, "temperature": 0, "ignore_eos": true, "logprobs": true, "top_logprobs": 3%@}"#

    /// The chat prompt the fixture renders for one "Hi" from the user.
    static func chatPrompt(_ fixture: ServerFixture) -> [Int32] {
        fixture.encode("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    }

    static func bytes(_ value: Any?) -> [UInt8]? { (value as? [Int])?.map { UInt8($0) } }

    /// Greedy: each entry is the generator's token (its own bytes), the most likely of its
    /// alternatives, with alternatives in descending order that are log-probabilities.
    @Test func chatEntriesNameTheGeneratorsTokens() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let expected = try fixture.reference(prompt: Self.chatPrompt(fixture), maxTokens: 6)
        let response = try await fixture.withClient { client in
            try await client.post("/v1/chat/completions", Self.chatRequest.replacingOccurrences(of: "%@", with: ""))
        }
        #expect(response.status == .ok, "\(response.text)")
        let choice = try #require(try response.object().firstChoice())
        let logprobs = try #require(choice.object("logprobs"))
        #expect(logprobs["refusal"] is NSNull)
        let content = try #require(logprobs["content"] as? [JSONObject])
        try #require(content.count == expected.outputIDs.count)
        var allBytes: [UInt8] = []
        for (entry, id) in zip(content, expected.outputIDs) {
            let tokenBytes = fixture.bundle.tokenizer.tokenBytes(id, renderSpecial: true)
            #expect(Self.bytes(entry["bytes"]) == tokenBytes)
            #expect(entry["token"] as? String == String(decoding: tokenBytes, as: UTF8.self))
            allBytes += tokenBytes
            let logprob = try #require(entry["logprob"] as? Double)
            #expect(logprob <= 0)
            let top = try #require(entry["top_logprobs"] as? [JSONObject])
            try #require(top.count == 3)
            let values = top.compactMap { $0["logprob"] as? Double }
            #expect(values == values.sorted(by: >))
            #expect(values.reduce(0) { $0 + exp($1) } <= 1 + 1e-4)
            #expect(values[0] == logprob)
            #expect(top[0]["token"] as? String == entry["token"] as? String)
            #expect(Self.bytes(top[0]["bytes"]) == tokenBytes)
        }
        #expect(String(decoding: allBytes, as: UTF8.self) == choice.object("message")?["content"] as? String)
    }

    @Test func withoutLogprobsTheFieldIsNull() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let (chat, text) = try await fixture.withClient { client in
            (try await client.post("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2, "logprobs": false}"#),
             try await client.post("/v1/completions", #"{"prompt": "Hi", "max_tokens": 2, "logprobs": null}"#))
        }
        #expect(try chat.object().firstChoice()?["logprobs"] is NSNull)
        #expect(try text.object().firstChoice()?["logprobs"] is NSNull)
    }

    /// `top_logprobs: 0` still reports each sampled token's own log-probability.
    @Test func chatWithZeroAlternatives() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let response = try await fixture.withClient { client in
            try await client.post("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 3, "ignore_eos": true, "logprobs": true}"#)
        }
        let content = try #require(try response.object().firstChoice()?.object("logprobs")?["content"] as? [JSONObject])
        #expect(content.count == 3)
        #expect(content.allSatisfy { ($0["top_logprobs"] as? [Any])?.isEmpty == true && $0["logprob"] is Double })
    }

    /// Completions' columns: tokens are the generator's pieces, each position's alternatives
    /// include the sampled token at its own log-probability, and offsets advance by token length.
    @Test func completionColumnsFollowTheGenerator() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let expected = try fixture.reference(prompt: [10, 20, 30, 40], maxTokens: 6)
        let response = try await fixture.withClient { client in
            try await client.post("/v1/completions", #"{"prompt": [10, 20, 30, 40], "max_tokens": 6, "temperature": 0, "ignore_eos": true, "logprobs": 2}"#)
        }
        let choice = try #require(try response.object().firstChoice())
        let logprobs = try #require(choice.object("logprobs"))
        let tokens = try #require(logprobs["tokens"] as? [String])
        let values = try #require(logprobs["token_logprobs"] as? [Double])
        let top = try #require(logprobs["top_logprobs"] as? [[String: Double]])
        let offsets = try #require(logprobs["text_offset"] as? [Int])
        let pieces = expected.outputIDs.map { String(decoding: fixture.bundle.tokenizer.tokenBytes($0, renderSpecial: true), as: UTF8.self) }
        #expect(tokens == pieces)
        try #require(values.count == 6 && top.count == 6 && offsets.count == 6)
        var offset = 0
        for index in 0..<6 {
            #expect(values[index] <= 0)
            #expect((2...3).contains(top[index].count))
            #expect(top[index][tokens[index]] == values[index])
            // Greedy: nothing is more likely than the sampled token.
            #expect(top[index].values.allSatisfy { $0 <= values[index] })
            #expect(offsets[index] == offset)
            offset += pieces[index].unicodeScalars.count
        }
        #expect(tokens.joined() == choice["text"] as? String)
    }

    /// Equal up to float rounding: the second request of a pair finds its prompt in the prefix
    /// cache, so its first logits come from a shorter prefill and may differ in the last bits.
    static func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 }
    }

    /// Streamed logprobs add up to the whole response's, for both shapes.
    @Test func streamedLogprobsMatchTheWholeResponse() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let chat = Self.chatRequest
        let text = #"{"prompt": [3, 1, 4, 1, 5], "max_tokens": 7, "temperature": 0, "ignore_eos": true, "logprobs": 1%@}"#
        let stream = #", "stream": true"#
        let (chatWhole, chatStream, textWhole, textStream) = try await fixture.withClient { client in
            (try await client.post("/v1/chat/completions", chat.replacingOccurrences(of: "%@", with: "")),
             try await client.post("/v1/chat/completions", chat.replacingOccurrences(of: "%@", with: stream)),
             try await client.post("/v1/completions", text.replacingOccurrences(of: "%@", with: "")),
             try await client.post("/v1/completions", text.replacingOccurrences(of: "%@", with: stream)))
        }
        let chatEntries = try StreamingTests.chunks(chatStream.eventPayloads()).flatMap { chunk in
            chunk.firstChoice()?.object("logprobs")?["content"] as? [JSONObject] ?? []
        }
        let wholeEntries = try #require(try chatWhole.object().firstChoice()?.object("logprobs")?["content"] as? [JSONObject])
        #expect(chatEntries.count == 6)
        #expect(chatEntries.map { $0["token"] as? String } == wholeEntries.map { $0["token"] as? String })
        #expect(Self.close(chatEntries.compactMap { $0["logprob"] as? Double }, wholeEntries.compactMap { $0["logprob"] as? Double }))

        let columns = try StreamingTests.chunks(textStream.eventPayloads()).compactMap { $0.firstChoice()?.object("logprobs") }
        let whole = try #require(try textWhole.object().firstChoice()?.object("logprobs"))
        #expect(columns.flatMap { $0["tokens"] as? [String] ?? [] } == whole["tokens"] as? [String])
        #expect(Self.close(columns.flatMap { $0["token_logprobs"] as? [Double] ?? [] }, whole["token_logprobs"] as? [Double] ?? []))
        #expect(columns.flatMap { $0["text_offset"] as? [Int] ?? [] } == whole["text_offset"] as? [Int])
    }
}
