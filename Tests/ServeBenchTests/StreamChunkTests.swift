import Testing
@testable import ServeBench

/// Reading text, usage and errors out of OpenAI-style stream chunks as Tern and llama.cpp send them.
struct StreamChunkTests {
    @Test func completionText() throws {
        let chunk = try StreamChunk.decode(#"{"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":" the","finish_reason":null}]}"#)
        #expect(chunk.text == " the" && chunk.error == nil && chunk.completionTokens == nil)
    }

    @Test func chatDeltaAndRoleOnlyOpening() throws {
        #expect(try StreamChunk.decode(#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#).text.isEmpty)
        #expect(try StreamChunk.decode(#"{"choices":[{"index":0,"delta":{"role":"assistant"}}]}"#).text.isEmpty)
        #expect(try StreamChunk.decode(#"{"choices":[{"delta":{"content":"Hi"},"finish_reason":null,"index":0}],"object":"chat.completion.chunk"}"#).text == "Hi")
        #expect(try StreamChunk.decode(#"{"choices":[{"delta":{"reasoning_content":"hmm"}}]}"#).text == "hmm")
    }

    @Test func usageChunkWithoutChoices() throws {
        let chunk = try StreamChunk.decode(#"{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":128,"total_tokens":140}}"#)
        #expect(chunk.text.isEmpty && chunk.promptTokens == 12 && chunk.completionTokens == 128)
    }

    @Test func inBandErrors() throws {
        #expect(try StreamChunk.decode(#"{"error":{"message":"context full","type":"invalid_request_error"}}"#).error == "context full")
        #expect(try StreamChunk.decode(#"{"error":"overloaded"}"#).error == "overloaded")
    }

    @Test func malformedChunkThrows() {
        #expect(throws: (any Error).self) { try StreamChunk.decode("not json") }
    }

    @Test func errorBodiesOfFailedResponses() {
        #expect(OpenAIClient.errorMessage(in: #"{"error":{"message":"Too many requests","type":"x"}}"#) == "Too many requests")
        #expect(OpenAIClient.errorMessage(in: "plain text") == "plain text")
    }
}
