import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
@testable import Server
import Testing

/// Server-sent-event framing of streamed completions.
struct StreamingTests {
    static func chunks(_ payloads: [String]) throws -> [JSONObject] {
        try payloads.dropLast().map { payload in
            let value = try JSONSerialization.jsonObject(with: Data(payload.utf8))
            guard let object = value as? JSONObject else { throw FixtureError("chunk is not an object: \(payload)") }
            return object
        }
    }

    @Test func chatStreamFramesAndDeltasMatchTheWholeResponse() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let request = #"{"model": "tiny", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 9, "temperature": 0, "ignore_eos": true%@}"#
        let (whole, streamed) = try await fixture.withClient { client in
            (try await client.post("/v1/chat/completions", request.replacingOccurrences(of: "%@", with: "")),
             try await client.post("/v1/chat/completions", request.replacingOccurrences(of: "%@", with: #", "stream": true, "stream_options": {"include_usage": true}"#)))
        }
        #expect(streamed.status == .ok)
        #expect(streamed.headers[.contentType] == "text/event-stream")
        let payloads = try streamed.eventPayloads()
        #expect(payloads.last == "[DONE]")
        let chunks = try Self.chunks(payloads)
        try #require(chunks.count >= 3)
        #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
        #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)
        #expect(chunks[0].firstChoice()?.object("delta")?["role"] as? String == "assistant")

        // Content chunks, then one with the finish reason, then the usage chunk with no choices.
        let usageChunk = chunks[chunks.count - 1]
        #expect((usageChunk["choices"] as? [Any])?.isEmpty == true)
        #expect(usageChunk.object("usage")?["completion_tokens"] as? Int == 9)
        let finishChunk = chunks[chunks.count - 2]
        #expect(finishChunk.firstChoice()?["finish_reason"] as? String == "length")
        let content = chunks.dropLast().compactMap { $0.firstChoice()?.object("delta")?["content"] as? String }.joined()
        #expect(chunks.dropLast(2).allSatisfy { $0.firstChoice()?["finish_reason"] is NSNull })

        let wholeBody = try whole.object()
        #expect(content == wholeBody.firstChoice()?.object("message")?["content"] as? String)
        #expect(usageChunk.object("usage")?["prompt_tokens"] as? Int == wholeBody.object("usage")?["prompt_tokens"] as? Int)
    }

    @Test func textStreamConcatenatesToTheWholeText() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let expected = try fixture.reference(prompt: [3, 1, 4, 1, 5], maxTokens: 10)
        let streamed = try await fixture.withClient { client in
            try await client.post("/v1/completions", #"{"prompt": [3, 1, 4, 1, 5], "max_tokens": 10, "temperature": 0, "ignore_eos": true, "stream": true}"#)
        }
        let payloads = try streamed.eventPayloads()
        #expect(payloads.last == "[DONE]")
        let chunks = try Self.chunks(payloads)
        #expect(chunks.allSatisfy { $0["object"] as? String == "text_completion" && $0["usage"] == nil })
        #expect(chunks.compactMap { $0.firstChoice()?["text"] as? String }.joined() == expected.text)
        #expect(chunks.last?.firstChoice()?["finish_reason"] as? String == "length")
    }

    /// A body writer whose client hangs up after the first chunk.
    struct HangingUpWriter: ResponseBodyWriter {
        final class Log: @unchecked Sendable { var writes = 0 }
        struct Gone: Error {}
        let log: Log

        mutating func write(_ buffer: ByteBuffer) async throws {
            log.writes += 1
            if log.writes > 1 { throw Gone() }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    /// When a write fails the writer stops at once and lets go of the engine's stream (which
    /// aborts the request); the request's blocks come back to the pool.
    @Test func failedWriteEndsTheStream() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let parameters = GenerationParameters(sampling: .greedy, maxTokens: 100, ignoreEOS: true)
        let log = HangingUpWriter.Log()
        var writer: any ResponseBodyWriter = HangingUpWriter(log: log)
        let format = CompletionFormat(kind: .chat, model: "tiny")
        var observation = RequestObservation(id: format.id, promptTokens: 3, choices: 1, metrics: ServerMetrics(), logger: Logger(label: "test"))
        await #expect(throws: HangingUpWriter.Gone.self) {
            let events = ChoiceEvents.merge([fixture.engine.submit(EngineRequest(prompt: [1, 2, 3], parameters: parameters))])
            try await EventStreamWriter.stream(events, format: format, options: .init(), observation: &observation,
                                               failure: { .invalidParameter(nil, $0.description) }, to: &writer)
        }
        #expect(log.writes == 2)
        // 64 blocks in the pool; all return once the request is aborted or done.
        var free = fixture.engine.freeBlockCount
        for _ in 0..<200 where free != 64 {
            try await Task.sleep(for: .milliseconds(10))
            free = fixture.engine.freeBlockCount
        }
        #expect(free == 64)
    }
}
