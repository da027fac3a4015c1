import Engine
import Foundation
import GGUF
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Scheduler
import Server
import TernTestSupport

/// The tiny random-weight model with a ChatML template behind an ``OpenAIServer``, driven
/// through Hummingbird's in-process router test client (no sockets).
struct ServerFixture {
    /// ChatML, as Qwen2 and SmolLM2 use it (without their default system prompt).
    static let chatML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
    static let modelName = "tiny"

    let file: TinyModelFile
    let bundle: ModelBundle
    let engine: ServingEngine
    let server: OpenAIServer
    /// What the server logged.
    let logs = LogCapture()
    let contextLength: Int

    /// With `attached: false` the server starts without its engine, as while a model loads;
    /// ``attach()`` hands it over.
    init(apiKey: String? = nil, maxQueue: Int = 8, contextLength: Int = 128, maxBodyBytes: Int = 4 << 20,
         maxRunning: Int = 4, attached: Bool = true) throws {
        file = try TinyModelFile(extraMetadata: [("tokenizer.chat_template", .string(Self.chatML))])
        bundle = try ModelBundle(path: file.path, threads: 1)
        engine = try ServingEngine(bundle: bundle, configuration: .init(
            scheduler: SchedulerConfig(maxBatchedTokens: 64, maxRunning: maxRunning), kvBlocks: 64, blockSize: 4))
        self.contextLength = contextLength
        let configuration = ServerConfiguration(modelName: Self.modelName, apiKey: apiKey, maxQueue: maxQueue,
                                                contextLength: contextLength, maxBodyBytes: maxBodyBytes)
        let logger = Logger(label: "test") { [logs] _ in logs }
        server = attached ? OpenAIServer(engine: engine, configuration: configuration, logger: logger)
            : OpenAIServer(configuration: configuration, logger: logger)
    }

    func attach() { server.attach(engine, contextLength: contextLength) }

    func close() {
        engine.shutdown()
        file.remove()
    }

    /// Runs `body` with a client talking to the server's router.
    func withClient<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let app = Application(router: server.makeRouter())
        return try await app.test(.router, body)
    }

    /// What the single-sequence generator produces for the same prompt and parameters.
    func reference(prompt: [Int32], maxTokens: Int, ignoreEOS: Bool = true) throws -> GenerationResult {
        try Generator(bundle: bundle).generate(
            prompt: prompt, parameters: GenerationParameters(sampling: .greedy, maxTokens: maxTokens, ignoreEOS: ignoreEOS))
    }

    func encode(_ text: String) -> [Int32] { bundle.tokenizer.encode(text, addSpecial: true, parseSpecial: true) }
}

/// A JSON value read back from a response, with just enough access for assertions.
typealias JSONObject = [String: Any]

extension TestClientProtocol {
    /// POSTs a JSON body given as text.
    func post(_ uri: String, _ json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func object() throws -> JSONObject {
        guard let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? JSONObject else {
            throw FixtureError("response is not a JSON object: \(text)")
        }
        return object
    }

    /// The `error` member of an OpenAI error response.
    func errorObject() throws -> JSONObject {
        guard let error = try object()["error"] as? JSONObject else { throw FixtureError("no 'error' object in \(text)") }
        return error
    }

    /// The `data:` payloads of a server-sent-event body, in order.
    func eventPayloads() throws -> [String] {
        let frames = text.components(separatedBy: "\n\n")
        guard frames.last == "" else { throw FixtureError("event stream does not end with a blank line: \(text)") }
        return try frames.dropLast().map { frame in
            guard frame.hasPrefix("data: ") else { throw FixtureError("frame without 'data: ': \(frame)") }
            return String(frame.dropFirst(6))
        }
    }
}

/// A log handler that keeps every record, for assertions on the server's log lines.
final class LogCapture: LogHandler, @unchecked Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let lock = NSLock()
    private var stored: [Record] = []
    var records: [Record] { lock.withLock { stored } }

    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let record = Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" })
        lock.withLock { stored.append(record) }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension JSONObject {
    func object(_ key: String) -> JSONObject? { self[key] as? JSONObject }
    func firstChoice() -> JSONObject? { (self["choices"] as? [Any])?.first as? JSONObject }
}
