import ChatTemplate
import Engine
import Foundation
import HTTPTypes
import Hummingbird

/// An OpenAI-compatible HTTP API over a ``ServingEngine``.
///
/// Routes: `POST /v1/chat/completions`, `POST /v1/completions` (whole or streamed as
/// server-sent events), `GET /v1/models`, `POST /tokenize`, `POST /detokenize`, `GET /health`.
/// Every failure is answered in OpenAI's error shape; client input never produces a 500.
public final class OpenAIServer: Sendable {
    public let engine: ServingEngine
    public let configuration: ServerConfiguration
    let queue: AdmissionQueue
    private let created = Int(Date().timeIntervalSince1970)

    /// Roles a chat message may have.
    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool"]

    public init(engine: ServingEngine, configuration: ServerConfiguration) {
        self.engine = engine
        self.configuration = configuration
        queue = AdmissionQueue(limit: configuration.maxQueue)
    }

    private var bundle: ModelBundle { engine.bundle }

    /// The router with every endpoint, the error translation and the API-key check.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        // Middleware must be added before the routes it wraps.
        router.add(middleware: OpenAIErrorMiddleware())
        if let key = configuration.apiKey { router.add(middleware: APIKeyMiddleware(key: key)) }
        router.get("/health") { _, _ in try Self.json(HealthBody()) }
        router.get("/v1/models") { [self] _, _ in try Self.json(models()) }
        router.post("/v1/chat/completions") { [self] request, _ in try await chatCompletion(request) }
        router.post("/v1/completions") { [self] request, _ in try await completion(request) }
        router.post("/tokenize") { [self] request, _ in try await tokenize(request) }
        router.post("/detokenize") { [self] request, _ in try await detokenize(request) }
        return router
    }

    /// An application listening on `host:port`.
    public func makeApplication(host: String, port: Int) -> some ApplicationProtocol {
        Application(router: makeRouter(), configuration: .init(address: .hostname(host, port: port), serverName: "tern"))
    }

    // MARK: Endpoints

    func models() -> ModelListBody {
        ModelListBody(data: [.init(id: configuration.modelName, created: created, maxModelLen: configuration.contextLength)])
    }

    func chatCompletion(_ request: Request) async throws -> Response {
        let body = try await decode(ChatCompletionRequest.self, from: request)
        try checkModel(body.fields.model)
        guard let fields = body.messages else { throw APIError.invalidParameter("messages", "'messages' is required.") }
        guard !fields.isEmpty else { throw APIError.invalidParameter("messages", "'messages' must contain at least one message.") }
        for (index, message) in fields.enumerated() where !Self.roles.contains(message.role) {
            throw APIError.invalidParameter("messages[\(index)].role",
                                            "Invalid role '\(message.role)'; expected one of \(Self.roles.sorted().joined(separator: ", ")).")
        }
        let text: String
        do {
            text = try bundle.renderChat(fields.map { ChatMessage(role: $0.role, content: $0.content) })
        } catch {
            throw APIError.invalidParameter("messages", "Cannot apply the chat template: \(error.description)")
        }
        let prompt = bundle.tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        return try await generate(prompt: prompt, promptParam: "messages", fields: body.fields, kind: .chat)
    }

    func completion(_ request: Request) async throws -> Response {
        let body = try await decode(CompletionRequest.self, from: request)
        try checkModel(body.fields.model)
        let prompt: [Int32]
        switch body.prompt {
        case nil:
            throw APIError.invalidParameter("prompt", "'prompt' is required.")
        case .text(let text):
            prompt = bundle.tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        case .tokens(let ids):
            if let bad = ids.first(where: { Int32(exactly: $0) == nil }) {
                throw APIError.invalidParameter("prompt", "Token id \(bad) is outside the vocabulary.")
            }
            prompt = ids.map { Int32($0) }
        case .batch(let count):
            throw APIError.invalidParameter("prompt", "Batched prompts are not supported (got \(count)); send one prompt per request.")
        }
        return try await generate(prompt: prompt, promptParam: "prompt", fields: body.fields, kind: .text)
    }

    func tokenize(_ request: Request) async throws -> Response {
        let body = try await decode(TokenizeRequest.self, from: request)
        let tokens = bundle.tokenizer.encode(body.content, addSpecial: body.addSpecial ?? true, parseSpecial: true)
        return try Self.json(TokenizeBody(tokens: tokens, count: tokens.count, maxModelLen: configuration.contextLength))
    }

    func detokenize(_ request: Request) async throws -> Response {
        let body = try await decode(DetokenizeRequest.self, from: request)
        let size = bundle.tokenizer.vocabularySize
        if let bad = body.tokens.first(where: { $0 < 0 || $0 >= size }) {
            throw APIError.invalidParameter("tokens", "Token id \(bad) is outside the vocabulary (ids 0..<\(size)).")
        }
        return try Self.json(DetokenizeBody(content: bundle.tokenizer.decode(body.tokens.map { Int32($0) })))
    }

    // MARK: Generation

    private func generate(prompt: [Int32], promptParam: String, fields: GenerationFields, kind: CompletionFormat.Kind) async throws -> Response {
        let plan = try GenerationPlan(fields: fields, prompt: prompt, promptParam: promptParam,
                                      contextLength: configuration.contextLength,
                                      vocabularySize: bundle.model.configuration.vocabularySize)
        let ticket = try queue.admit()
        let format = CompletionFormat(kind: kind, model: configuration.modelName)
        if plan.stream {
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            let engine = self.engine
            // The request is submitted only once the body is written, so a response dropped
            // unsent never starts one; the ticket lives as long as this closure.
            let body = ResponseBody { writer in
                withExtendedLifetime(ticket) {}
                let events = engine.submit(plan.request)
                try await EventStreamWriter.stream(events, format: format, includeUsage: plan.includeUsage, to: &writer)
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: headers, body: body)
        }
        defer { withExtendedLifetime(ticket) {} }
        var text = ""
        do {
            for try await event in engine.submit(plan.request) {
                switch event {
                case .token(_, let piece, _), .text(let piece): text += piece
                case .finished(let reason, let usage):
                    return Self.json(data: try format.response(text: text, finishReason: reason, usage: usage))
                }
            }
        } catch let error as EngineError {
            throw APIError.invalidParameter(nil, error.description)
        }
        throw APIError(status: .serviceUnavailable, message: "The request ended without a result (the server is shutting down or the request was cancelled).", type: "server_error")
    }

    // MARK: Helpers

    private func checkModel(_ name: String?) throws(APIError) {
        // An omitted model means the one served, as llama.cpp's server allows.
        if let name, name != configuration.modelName { throw .modelNotFound(name) }
    }

    /// Reads and decodes a JSON body, turning every malformation into a 400 naming the field.
    private func decode<Body: Decodable>(_ type: Body.Type, from request: Request) async throws -> Body {
        let buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        do {
            return try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw Self.translate(error)
        } catch {
            throw APIError.invalidParameter(nil, "the request body could not be decoded: \(error)")
        }
    }

    static func translate(_ error: DecodingError) -> APIError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { result, key in
                if let index = key.intValue { return result + "[\(index)]" }
                return result.isEmpty ? key.stringValue : result + "." + key.stringValue
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .invalidParameter(field, "Missing required parameter '\(field)'.")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = path(context.codingPath)
            return context.codingPath.isEmpty
                ? .invalidParameter(nil, "The request body must be a JSON object.")
                : .invalidParameter(field, "Invalid type for '\(field)': \(context.debugDescription)")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return context.codingPath.isEmpty
                ? .invalidParameter(nil, "the request body is not valid JSON")
                : .invalidParameter(field, "Invalid value for '\(field)': \(context.debugDescription)")
        @unknown default:
            return .invalidParameter(nil, "the request body could not be decoded")
        }
    }

    static func json(_ value: some Encodable) throws -> Response {
        json(data: try CompletionFormat.encoder.encode(value))
    }

    static func json(data: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
