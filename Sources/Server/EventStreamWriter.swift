import Engine
import Foundation
import Hummingbird

/// Writes an engine request's events as server-sent events in OpenAI's framing:
/// `data: {json}\n\n` per chunk, then `data: [DONE]\n\n`.
enum EventStreamWriter {
    /// Streams `events` to `writer` until the request finishes.
    ///
    /// A failed write (the client went away) throws out of the loop; the event stream is then
    /// released, which aborts the request in the engine and frees its KV blocks.
    static func stream(_ events: AsyncThrowingStream<EngineEvent, any Error>, format: CompletionFormat,
                       includeUsage: Bool, to writer: inout any ResponseBodyWriter) async throws {
        if let opening = try format.openingChunk() { try await writer.write(frame(opening)) }
        do {
            for try await event in events {
                switch event {
                case .token(_, let text, _), .text(let text):
                    if !text.isEmpty { try await writer.write(frame(try format.textChunk(text))) }
                case .finished(let reason, let usage):
                    try await writer.write(frame(try format.finishChunk(reason)))
                    if includeUsage { try await writer.write(frame(try format.usageChunk(usage))) }
                }
            }
        } catch let error as EngineError {
            // Headers are gone already: report in-band, as OpenAI-compatible servers do.
            let failure = APIError(status: .badRequest, message: error.description, type: "invalid_request_error")
            try await writer.write(frame(try JSONEncoder().encode(failure.body)))
        }
        try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
    }

    static func frame(_ json: Data) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
    }
}
