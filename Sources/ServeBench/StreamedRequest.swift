import AsyncHTTPClient
import Foundation
import NIOCore

extension OpenAIClient {
    /// Sends one streamed completion request and times it against `origin`.
    ///
    /// TTFT is taken at the first chunk with text (a chat stream's opening role-only chunk does
    /// not count), each later chunk with text adds an inter-token latency, and the request ends
    /// at `data: [DONE]` (or the end of the body). Every failure (transport, HTTP status,
    /// in-band error, a stream without text) becomes the record's `error`, never a throw.
    func send(body: Data, path: String, inputTokens: Int, origin: ContinuousClock.Instant) async -> RequestRecord {
        let clock = ContinuousClock()
        let start = clock.now
        func seconds(_ instant: ContinuousClock.Instant) -> Double { (instant - origin).seconds }
        var firstText: ContinuousClock.Instant?
        var lastText: ContinuousClock.Instant?
        var itls: [Double] = []
        var textChunks = 0
        var usage: (prompt: Int?, completion: Int?) = (nil, nil)
        var failure: String?
        var end: ContinuousClock.Instant?
        do {
            let response = try await http.execute(makeRequest(path: path, body: body, closeConnection: true), timeout: requestTimeout)
            if response.status != .ok {
                let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
                failure = "HTTP \(response.status.code): \(Self.errorMessage(in: text))"
            } else {
                var parser = ServerSentEventParser()
                reading: for try await buffer in response.body {
                    let now = clock.now
                    for event in parser.feed(buffer.readableBytesView) {
                        if event.data == "[DONE]" {
                            end = now
                            continue
                        }
                        let chunk: StreamChunk
                        do { chunk = try StreamChunk.decode(event.data) } catch {
                            failure = "undecodable chunk: \(event.data.prefix(200))"
                            break reading
                        }
                        if let error = chunk.error {
                            failure = "error in stream: \(error)"
                            break reading
                        }
                        if let prompt = chunk.promptTokens { usage.prompt = prompt }
                        if let completion = chunk.completionTokens { usage.completion = completion }
                        guard !chunk.text.isEmpty else { continue }
                        if let lastText { itls.append((now - lastText).seconds) } else { firstText = now }
                        lastText = now
                        textChunks += 1
                    }
                }
                if failure == nil && firstText == nil { failure = "the stream carried no text" }
            }
        } catch {
            failure = Self.describe(error)
        }
        let finished = end ?? clock.now
        return RequestRecord(start: seconds(start), end: seconds(finished), ttft: firstText.map { ($0 - start).seconds },
                             itls: itls, inputTokens: usage.prompt ?? inputTokens,
                             outputTokens: failure == nil ? usage.completion ?? textChunks : 0, error: failure)
    }

    /// The `error.message` of an OpenAI error body, else the body's start.
    static func errorMessage(in body: String) -> String {
        struct ErrorBody: Decodable {
            struct Inner: Decodable { var message: String }
            var error: Inner
        }
        if let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(body.utf8)) { return decoded.error.message }
        return String(body.prefix(200))
    }

    /// A short, stable description of a transport error, so failures group well.
    static func describe(_ error: any Error) -> String {
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout: return "timed out"
            case .connectTimeout: return "connect timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(client)"
            }
        }
        return String(describing: error)
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
