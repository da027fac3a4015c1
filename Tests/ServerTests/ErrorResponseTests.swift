import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import Testing

/// Every failure comes back in OpenAI's error shape with the right status.
struct ErrorResponseTests {
    /// Checks the `{"error": {message, type, param, code}}` shape and returns the error object.
    @discardableResult
    static func expectError(_ response: TestResponse, _ status: HTTPResponse.Status, param: String?? = .none,
                            messageContains: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONObject {
        #expect(response.status == status, "body: \(response.text)", sourceLocation: sourceLocation)
        let error = try response.errorObject()
        #expect(error["message"] is String, sourceLocation: sourceLocation)
        #expect(error["type"] is String, sourceLocation: sourceLocation)
        #expect(error.keys.contains("param") && error.keys.contains("code"), sourceLocation: sourceLocation)
        if case .some(let expected) = param {
            #expect(error["param"] as? String == expected, "error: \(error)", sourceLocation: sourceLocation)
        }
        if let messageContains {
            #expect((error["message"] as? String)?.contains(messageContains) == true, "error: \(error)", sourceLocation: sourceLocation)
        }
        return error
    }

    static let chat = #"{"messages": [{"role": "user", "content": "Hi"}]%@}"#

    static func chat(_ extra: String) -> String { chat.replacingOccurrences(of: "%@", with: extra) }

    @Test(arguments: [
        (#", "temperature": -0.5"#, "temperature"),
        (#", "top_p": 0"#, "top_p"),
        (#", "top_p": 1.5"#, "top_p"),
        (#", "n": 0"#, "n"),
        (#", "max_tokens": 0"#, "max_tokens"),
        (#", "max_completion_tokens": -3"#, "max_completion_tokens"),
        (#", "presence_penalty": 3"#, "presence_penalty"),
        (#", "min_p": 2"#, "min_p"),
        (#", "temperature": "hot""#, "temperature"),
        (#", "stop": 7"#, "stop"),
    ])
    func invalidParameterIsA400NamingIt(extra: String, param: String) async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let response = try await fixture.withClient { client in try await client.post("/v1/chat/completions", Self.chat(extra)) }
        try Self.expectError(response, .badRequest, param: param)
    }

    /// `n` is served up to 16; the message states the bound.
    @Test(arguments: [0, 17, -1])
    func nOutsideItsRangeIsA400(n: Int) async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let response = try await fixture.withClient { client in try await client.post("/v1/chat/completions", Self.chat(#", "n": \#(n)"#)) }
        try Self.expectError(response, .badRequest, param: "n", messageContains: "16")
    }

    /// Chat takes `logprobs` as a boolean with `top_logprobs` in 0...20; completions take
    /// `logprobs` as a count in 0...20.
    @Test(arguments: [
        ("/v1/chat/completions", #", "logprobs": true, "top_logprobs": 21"#, "top_logprobs"),
        ("/v1/chat/completions", #", "logprobs": true, "top_logprobs": -1"#, "top_logprobs"),
        ("/v1/chat/completions", #", "top_logprobs": 2"#, "top_logprobs"),
        ("/v1/chat/completions", #", "logprobs": false, "top_logprobs": 2"#, "top_logprobs"),
        ("/v1/chat/completions", #", "logprobs": 3"#, "logprobs"),
        ("/v1/chat/completions", #", "logprobs": "yes""#, "logprobs"),
        ("/v1/completions", #", "logprobs": true"#, "logprobs"),
        ("/v1/completions", #", "logprobs": 21"#, "logprobs"),
        ("/v1/completions", #", "logprobs": -2"#, "logprobs"),
    ])
    func invalidLogprobsAre400NamingTheParameter(route: String, extra: String, param: String) async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let body = route == "/v1/completions" ? #"{"prompt": "Hi"\#(extra)}"# : Self.chat(extra)
        let response = try await fixture.withClient { client in try await client.post(route, body) }
        try Self.expectError(response, .badRequest, param: param)
    }

    @Test func unknownRoleIsA400() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let response = try await fixture.withClient { client in
            try await client.post("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "a"}, {"role": "wizard", "content": "b"}]}"#)
        }
        try Self.expectError(response, .badRequest, param: "messages[1].role", messageContains: "wizard")
    }

    @Test func malformedJSONAndMissingFieldsAre400() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let (malformed, notObject, noMessages, noPrompt, emptyMessages) = try await fixture.withClient { client in
            (try await client.post("/v1/chat/completions", #"{"messages": [}"#),
             try await client.post("/v1/completions", #"[1, 2]"#),
             try await client.post("/v1/chat/completions", #"{"model": "tiny"}"#),
             try await client.post("/v1/completions", #"{"max_tokens": 3}"#),
             try await client.post("/v1/chat/completions", #"{"messages": []}"#))
        }
        try Self.expectError(malformed, .badRequest, param: .some(nil), messageContains: "JSON")
        try Self.expectError(notObject, .badRequest)
        try Self.expectError(noMessages, .badRequest, param: "messages")
        try Self.expectError(noPrompt, .badRequest, param: "prompt")
        try Self.expectError(emptyMessages, .badRequest, param: "messages")
    }

    @Test func promptLongerThanTheContextIsA400WithBothLengths() async throws {
        let fixture = try ServerFixture(contextLength: 32)
        defer { fixture.close() }
        let ids = (0..<40).map(String.init).joined(separator: ", ")
        let (tooLong, outOfVocabulary) = try await fixture.withClient { client in
            (try await client.post("/v1/completions", #"{"prompt": [\#(ids)]}"#),
             try await client.post("/v1/completions", #"{"prompt": [1, 99999]}"#))
        }
        let error = try Self.expectError(tooLong, .badRequest, param: "prompt")
        let message = try #require(error["message"] as? String)
        #expect(message.contains("32") && message.contains("40"))
        try Self.expectError(outOfVocabulary, .badRequest, param: "prompt", messageContains: "99999")
    }

    @Test func apiKeyIsRequiredWhenConfigured() async throws {
        let fixture = try ServerFixture(apiKey: "sk-secret")
        defer { fixture.close() }
        let body = #"{"prompt": [1, 2], "max_tokens": 1}"#
        let (missing, wrong, prefixOnly, right, models, health) = try await fixture.withClient { client in
            (try await client.post("/v1/completions", body),
             try await client.post("/v1/completions", body, headers: [.authorization: "Bearer sk-wrong!"]),
             try await client.post("/v1/completions", body, headers: [.authorization: "Bearer sk-secre"]),
             try await client.post("/v1/completions", body, headers: [.authorization: "Bearer sk-secret"]),
             try await client.execute(uri: "/v1/models", method: .get),
             try await client.execute(uri: "/health", method: .get))
        }
        try Self.expectError(missing, .unauthorized)
        try Self.expectError(wrong, .unauthorized)
        try Self.expectError(prefixOnly, .unauthorized)
        try Self.expectError(models, .unauthorized)
        #expect(right.status == .ok)
        #expect(health.status == .ok)
    }

    @Test func unknownRouteAndUnknownModelAre404() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let (route, model) = try await fixture.withClient { client in
            (try await client.execute(uri: "/v1/embeddings", method: .post),
             try await client.post("/v1/completions", #"{"model": "gpt-4", "prompt": "hi"}"#))
        }
        try Self.expectError(route, .notFound)
        try Self.expectError(model, .notFound, param: "model", messageContains: "gpt-4")
    }

    @Test func oversizedBodyIsA413() async throws {
        let fixture = try ServerFixture(maxBodyBytes: 1024)
        defer { fixture.close() }
        let padding = String(repeating: "a", count: 2000)
        let response = try await fixture.withClient { client in
            try await client.post("/v1/completions", #"{"prompt": "\#(padding)"}"#)
        }
        try Self.expectError(response, .contentTooLarge)
    }

    @Test func fullQueueIsA429WithRetryAfter() async throws {
        let fixture = try ServerFixture(maxQueue: 0)
        defer { fixture.close() }
        let response = try await fixture.withClient { client in
            try await client.post("/v1/completions", #"{"prompt": "hi", "max_tokens": 1}"#)
        }
        try Self.expectError(response, .tooManyRequests)
        #expect(response.headers[.retryAfter] != nil)
    }
}
