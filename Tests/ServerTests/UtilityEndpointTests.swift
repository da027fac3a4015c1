import Foundation
import Server
import TernTestSupport
import Testing

/// `/health`, `/v1/models`, `/tokenize` and `/detokenize`.
struct UtilityEndpointTests {
    @Test func healthAndModels() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let (health, models) = try await fixture.withClient { client in
            (try await client.execute(uri: "/health", method: .get), try await client.execute(uri: "/v1/models", method: .get))
        }
        #expect(health.status == .ok)
        #expect(try health.object()["status"] as? String == "ok")
        let list = try models.object()
        #expect(list["object"] as? String == "list")
        let entries = try #require(list["data"] as? [JSONObject])
        #expect(entries.count == 1)
        #expect(entries.first?["id"] as? String == "tiny")
        #expect(entries.first?["object"] as? String == "model")
        #expect(entries.first?["max_model_len"] as? Int == 128)
    }

    /// "the" is one merged token; special tokens in the text are recognised.
    @Test func tokenizeAndDetokenize() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let the = Int(TinyVocabulary.id(ofMerged: "Ġthe"))
        let h = Int(TinyVocabulary.id(ofByte: UInt8(ascii: "h")))
        let (tokens, text, bad) = try await fixture.withClient { client in
            (try await client.post("/tokenize", #"{"content": "<|im_start|>h the"}"#),
             try await client.post("/detokenize", #"{"tokens": [\#(h), \#(the)]}"#),
             try await client.post("/detokenize", #"{"tokens": [-1]}"#))
        }
        #expect(try tokens.object()["tokens"] as? [Int] == [Int(TinyVocabulary.imStart), h, the])
        #expect(try text.object()["content"] as? String == "h the")
        try ErrorResponseTests.expectError(bad, .badRequest, param: "tokens")
    }
}
