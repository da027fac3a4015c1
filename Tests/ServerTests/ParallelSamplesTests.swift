import Foundation
import HummingbirdTesting
import Server
import TernTestSupport
import Testing

/// `n` > 1: several choices of one prompt, whole and streamed.
struct ParallelSamplesTests {
    /// Greedy sampling makes every choice the generator's one continuation; each choice has its
    /// index, and usage counts the prompt once and every choice's tokens.
    @Test func greedyChoicesAllMatchTheGenerator() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let expected = try fixture.reference(prompt: [10, 20, 30, 40], maxTokens: 6)
        let response = try await fixture.withClient { client in
            try await client.post("/v1/completions", #"{"prompt": [10, 20, 30, 40], "max_tokens": 6, "temperature": 0, "ignore_eos": true, "n": 3}"#)
        }
        #expect(response.status == .ok, "\(response.text)")
        let body = try response.object()
        let choices = try #require(body["choices"] as? [JSONObject])
        #expect(choices.map { $0["index"] as? Int } == [0, 1, 2])
        for choice in choices {
            #expect(choice["text"] as? String == expected.text)
            #expect(choice["finish_reason"] as? String == "length")
        }
        let usage = try #require(body.object("usage"))
        #expect(usage["prompt_tokens"] as? Int == 4)
        #expect(usage["completion_tokens"] as? Int == 18)
        #expect(usage["total_tokens"] as? Int == 22)
    }

    /// Choice i of a seeded request samples with seed + i: it equals a one-choice request with
    /// that seed.
    @Test func seededChoiceIMatchesASingleRequestWithSeedPlusI() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        @Sendable func body(seed: Int, n: Int) -> String {
            #"{"model": "tiny", "messages": [{"role": "user", "content": "Tell me"}], "max_tokens": 8, "temperature": 1.0, "ignore_eos": true, "seed": \#(seed), "n": \#(n)}"#
        }
        let (group, singles) = try await fixture.withClient { client in
            let group = try await client.post("/v1/chat/completions", body(seed: 7, n: 3))
            var singles: [TestResponse] = []
            for seed in 7..<10 { singles.append(try await client.post("/v1/chat/completions", body(seed: seed, n: 1))) }
            return (group, singles)
        }
        let choices = try #require(try group.object()["choices"] as? [JSONObject])
        try #require(choices.count == 3)
        for index in 0..<3 {
            #expect(choices[index]["index"] as? Int == index)
            let single = try singles[index].object().firstChoice()?.object("message")?["content"] as? String
            #expect(choices[index].object("message")?["content"] as? String == single, "choice \(index)")
        }
    }

    /// Streamed, each choice's deltas carry its index and join to the whole response's text; each
    /// gets its role chunk and finish chunk; the usage chunk sums the choices.
    @Test func streamedChoicesCarryTheirIndices() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let request = #"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 5, "temperature": 0, "ignore_eos": true, "n": 3%@}"#
        let (whole, streamed) = try await fixture.withClient { client in
            (try await client.post("/v1/chat/completions", request.replacingOccurrences(of: "%@", with: "")),
             try await client.post("/v1/chat/completions", request.replacingOccurrences(of: "%@", with: #", "stream": true, "stream_options": {"include_usage": true}"#)))
        }
        let payloads = try streamed.eventPayloads()
        #expect(payloads.last == "[DONE]")
        let chunks = try StreamingTests.chunks(payloads)
        let usage = try #require(chunks.last?.object("usage"))
        #expect(usage["completion_tokens"] as? Int == 15)
        let wholeChoices = try #require(try whole.object()["choices"] as? [JSONObject])
        for index in 0..<3 {
            let mine = chunks.compactMap { chunk -> JSONObject? in
                guard let choice = chunk.firstChoice(), choice["index"] as? Int == index else { return nil }
                return choice
            }
            #expect(mine.first?.object("delta")?["role"] as? String == "assistant", "choice \(index)")
            #expect(mine.compactMap { $0["finish_reason"] as? String } == ["length"], "choice \(index)")
            let text = mine.compactMap { $0.object("delta")?["content"] as? String }.joined()
            #expect(text == wholeChoices[index].object("message")?["content"] as? String, "choice \(index)")
        }
        // Every chunk but the usage chunk carries exactly one choice.
        #expect(chunks.dropLast().allSatisfy { ($0["choices"] as? [Any])?.count == 1 })
    }
}
