import Engine
import Foundation
import GGUF
import HTTPTypes
import Hummingbird
import HummingbirdTesting
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

    init(apiKey: String? = nil, maxQueue: Int = 8, contextLength: Int = 128, maxBodyBytes: Int = 4 << 20) throws {
        file = try TinyModelFile(extraMetadata: [("tokenizer.chat_template", .string(Self.chatML))])
        bundle = try ModelBundle(path: file.path, threads: 1)
        engine = try ServingEngine(bundle: bundle, configuration: .init(
            scheduler: SchedulerConfig(maxBatchedTokens: 64, maxRunning: 4), kvBlocks: 64, blockSize: 4))
        server = OpenAIServer(engine: engine, configuration: ServerConfiguration(
            modelName: Self.modelName, apiKey: apiKey, maxQueue: maxQueue, contextLength: contextLength, maxBodyBytes: maxBodyBytes))
    }

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

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension JSONObject {
    func object(_ key: String) -> JSONObject? { self[key] as? JSONObject }
    func firstChoice() -> JSONObject? { (self["choices"] as? [Any])?.first as? JSONObject }
}
