import Engine
import Foundation
import Hummingbird

/// Writes a request's choice events as server-sent events in OpenAI's framing:
/// `data: {json}\n\n` per chunk, then `data: [DONE]\n\n`.
enum EventStreamWriter {
    /// How a streamed request is written.
    struct Options: Sendable {
        var choices = 1
        var includeUsage = false
        /// Set when the client asked for logprobs.
        var logprobs: LogprobRenderer?
    }

    /// Streams `events` to `writer` until every choice finishes, timing them in `observation`.
    ///
    /// A failed write (the client went away) throws out of the loop; the event stream is then
    /// released, which aborts the requests in the engine and frees their KV blocks. An engine
    /// failure after the headers went out is reported in-band as an error object, described by
    /// `failure`.
    static func stream(_ events: AsyncThrowingStream<ChoiceEvent, any Error>, format: CompletionFormat, options: Options,
                       observation: inout RequestObservation, failure: (EngineError) -> APIError,
                       to writer: inout any ResponseBodyWriter) async throws {
        for index in 0..<options.choices {
            if let opening = try format.openingChunk(index: index) { try await writer.write(frame(opening)) }
        }
        var offsets = [Int](repeating: 0, count: options.choices)
        var usages = [EngineEvent.Usage?](repeating: nil, count: options.choices)
        do {
            for try await choice in events {
                observation.observe(choice)
                let index = choice.index
                switch choice.event {
                case .token(let id, let text, let logprob):
                    if let renderer = options.logprobs, let logprob {
                        let rendered = renderer.render([LoggedToken(id: id, logprob: logprob)], offset: &offsets[index])
                        try await writer.write(frame(try format.textChunk(text, index: index, logprobs: rendered)))
                    } else if !text.isEmpty {
                        try await writer.write(frame(try format.textChunk(text, index: index)))
                    }
                case .text(let text):
                    if !text.isEmpty { try await writer.write(frame(try format.textChunk(text, index: index))) }
                case .finished(let reason, let usage):
                    usages[index] = usage
                    try await writer.write(frame(try format.finishChunk(reason, index: index)))
                }
            }
            if options.includeUsage, usages.allSatisfy({ $0 != nil }) {
                try await writer.write(frame(try format.usageChunk(UsageBody(choices: usages.compactMap { $0 }))))
            }
        } catch let error as EngineError {
            // Headers are gone already: report in-band, as OpenAI-compatible servers do.
            try await writer.write(frame(try JSONEncoder().encode(failure(error).body)))
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
