import Engine
import Foundation
import Server
import TernTestSupport
import Testing

/// `/v1/completions` and `/v1/chat/completions`, whole responses, against the single-sequence
/// generator on the tiny model.
struct CompletionEndpointTests {
    @Test func textCompletionMatchesTheGenerator() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let expected = try fixture.reference(prompt: fixture.encode("Hello the"), maxTokens: 8)
        let response = try await fixture.withClient { client in
            try await client.post("/v1/completions", #"{"model": "tiny", "prompt": "Hello the", "max_tokens": 8, "temperature": 0, "ignore_eos": true, "unknown_field": [1, 2]}"#)
        }
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "application/json")
        let body = try response.object()
        #expect(body["object"] as? String == "text_completion")
        #expect((body["id"] as? String)?.hasPrefix("cmpl-") == true)
        #expect(body["model"] as? String == "tiny")
        #expect(body["created"] is Int)
        let choice = try #require(body.firstChoice())
        #expect(choice["index"] as? Int == 0)
        #expect(choice["text"] as? String == expected.text)
        #expect(choice["finish_reason"] as? String == "length")
        let usage = try #require(body.object("usage"))
        #expect(usage["prompt_tokens"] as? Int == expected.promptIDs.count)
        #expect(usage["completion_tokens"] as? Int == 8)
        #expect(usage["total_tokens"] as? Int == expected.promptIDs.count + 8)
        #expect(usage.object("prompt_tokens_details")?["cached_tokens"] as? Int == 0)
    }

    /// A prompt given as token ids is used as is (no special tokens added).
    @Test func tokenIDPromptMatchesTheGenerator() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let prompt: [Int32] = [10, 20, 30, 40]
        let expected = try fixture.reference(prompt: prompt, maxTokens: 6)
        let response = try await fixture.withClient { client in
            try await client.post("/v1/completions", #"{"prompt": [10, 20, 30, 40], "max_tokens": 6, "temperature": 0, "ignore_eos": true}"#)
        }
        #expect(response.status == .ok)
        let body = try response.object()
        #expect(body.firstChoice()?["text"] as? String == expected.text)
        #expect(body.object("usage")?["prompt_tokens"] as? Int == 4)
    }

    /// A stop string ends generation with finish_reason "stop" and is not part of the text.
    @Test func stopStringEndsTheCompletion() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let full = try fixture.reference(prompt: [10, 20, 30], maxTokens: 12).text
        // A two-character stop taken from the middle of the unstopped output.
        let characters = Array(full)
        try #require(characters.count >= 6)
        let stop = String(characters[3..<5])
        let prefix = try #require(full.range(of: stop)).lowerBound
        let json = try String(decoding: JSONSerialization.data(withJSONObject: [
            "prompt": [10, 20, 30], "max_tokens": 12, "temperature": 0, "ignore_eos": true, "stop": [stop],
        ]), as: UTF8.self)
        let response = try await fixture.withClient { client in try await client.post("/v1/completions", json) }
        let choice = try #require(try response.object().firstChoice())
        #expect(choice["text"] as? String == String(full[..<prefix]))
        #expect(choice["finish_reason"] as? String == "stop")
    }

    /// The chat prompt is the ChatML rendering of the messages; the reply matches the generator.
    @Test func chatCompletionRendersTheTemplateAndMatchesTheGenerator() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let rendered = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n"
        let prompt = fixture.encode(rendered)
        #expect(prompt.first == TinyVocabulary.imStart)
        let expected = try fixture.reference(prompt: prompt, maxTokens: 7)
        let response = try await fixture.withClient { client in
            try await client.post("/v1/chat/completions", #"""
            {"model": "tiny", "messages": [{"role": "system", "content": "Be brief."},
             {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]}],
             "max_completion_tokens": 7, "temperature": 0, "ignore_eos": true, "seed": 42, "user": "u1"}
            """#)
        }
        #expect(response.status == .ok)
        let body = try response.object()
        #expect(body["object"] as? String == "chat.completion")
        #expect((body["id"] as? String)?.hasPrefix("chatcmpl-") == true)
        let choice = try #require(body.firstChoice())
        #expect(choice.object("message")?["role"] as? String == "assistant")
        #expect(choice.object("message")?["content"] as? String == expected.text)
        #expect(choice["finish_reason"] as? String == "length")
        #expect(body.object("usage")?["prompt_tokens"] as? Int == prompt.count)
        #expect(body.object("usage")?["completion_tokens"] as? Int == 7)
    }

    /// A generation that produces the end-of-generation token finishes with "stop" (the
    /// generator decides where; the server must agree with it).
    @Test func finishReasonFollowsTheGeneratorWithoutIgnoreEOS() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let expected = try fixture.reference(prompt: [5, 6, 7], maxTokens: 40, ignoreEOS: false)
        let response = try await fixture.withClient { client in
            try await client.post("/v1/completions", #"{"prompt": [5, 6, 7], "max_tokens": 40, "temperature": 0}"#)
        }
        let choice = try #require(try response.object().firstChoice())
        #expect(choice["text"] as? String == expected.text)
        #expect(choice["finish_reason"] as? String == expected.finishReason.rawValue)
    }
}
