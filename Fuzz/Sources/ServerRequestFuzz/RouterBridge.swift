import Dispatch
import Hummingbird
import Logging
import NIOEmbedded
import Synchronization

/// Lets libFuzzer's synchronous callback send requests through an ``OpenAIServer`` router,
/// in process, without sockets.
///
/// Each request is handed to the router's responder in a task, and ``send(uri:body:)`` blocks
/// the calling thread (libFuzzer's, never one of Swift's cooperative threads) until the response
/// body is complete. This does what HummingbirdTesting's `.router` mode does, but with one
/// context channel for all requests: that mode makes a channel per request that is never
/// released, which exhausts memory after a few hundred thousand inputs.
final class RouterBridge: Sendable {
    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var contentType: String?
        var body: [UInt8]
    }

    private let responder: RouterResponder<BasicRequestContext>
    private let channel = NIOAsyncTestingChannel()
    private let logger: Logger

    init(router: Router<BasicRequestContext>, logger: Logger) {
        responder = router.buildResponder()
        self.logger = logger
    }

    /// POSTs `body` as JSON to `uri` and waits for the whole response. Throws what the router threw.
    func send(uri: String, body: [UInt8]) throws -> Reply {
        let outcome = Outcome()
        Task { [self] in
            let result: Result<Reply, any Error>
            do {
                result = .success(try await respond(uri: uri, body: body))
            } catch {
                result = .failure(error)
            }
            outcome.result.withLock { $0 = result }
            outcome.done.signal()
        }
        outcome.done.wait()
        return try outcome.result.withLock { $0! }.get()
    }

    private func respond(uri: String, body: [UInt8]) async throws -> Reply {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(body.count)
        let request = Request(head: HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: uri, headerFields: headers),
                              body: RequestBody(buffer: ByteBuffer(bytes: body)))
        let context = BasicRequestContext(source: .init(channel: channel, logger: logger))
        let response = try await responder.respond(to: request, context: context)
        let collector = BodyCollector()
        let head = response.head
        try await response.body.write(CollectingWriter(collector: collector))
        return Reply(status: head.status, contentType: head.headerFields[.contentType], body: collector.bytes.withLock { $0 })
    }

    /// One request's result, handed from its task to the waiting thread.
    private final class Outcome: Sendable {
        let result = Mutex<Result<Reply, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
    }
}

/// Gathers a response body as the route writes it.
private final class BodyCollector: Sendable {
    let bytes = Mutex<[UInt8]>([])
}

private struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        collector.bytes.withLock { $0 += buffer.readableBytesView }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
