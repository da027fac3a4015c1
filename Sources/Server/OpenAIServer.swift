import ChatTemplate
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// An OpenAI-compatible HTTP API over a ``ServingEngine``.
///
/// Routes: `POST /v1/chat/completions`, `POST /v1/completions` (whole or streamed as
/// server-sent events), `GET /v1/models`, `POST /tokenize`, `POST /detokenize`, `GET /health`,
/// `GET /metrics` (Prometheus text). Every failure is answered in OpenAI's error shape; client
/// input never produces a 500.
///
/// The server may start before its engine exists: until ``attach(_:contextLength:)`` every
/// model route answers 503 (and `/health` too), so the port can be bound while the model loads.
/// ``beginDraining()`` turns new generation requests away with 503 while those in flight finish.
public final class OpenAIServer: Sendable {
    public let configuration: ServerConfiguration
    let queue: AdmissionQueue
    let metrics = ServerMetrics()
    let logger: Logger
    private let phase = Mutex(Phase.loading)
    private let created = Int(Date().timeIntervalSince1970)

    /// The engine and the context length requests are checked against.
    struct Serving: Sendable {
        let engine: ServingEngine
        let contextLength: Int
    }

    /// loading → ready → draining, or loading → draining when shut down before the model is in.
    enum Phase: Sendable {
        case loading
        case ready(Serving)
        case draining(Serving?)
    }

    /// Roles a chat message may have.
    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool"]

    /// A server whose engine comes later (``attach(_:contextLength:)``).
    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "tern.server")) {
        self.configuration = configuration
        self.logger = logger
        queue = AdmissionQueue(limit: configuration.maxQueue)
    }

    /// A server ready to serve `engine`, with `configuration.contextLength` (or the model's).
    public convenience init(engine: ServingEngine, configuration: ServerConfiguration, logger: Logger = Logger(label: "tern.server")) {
        self.init(configuration: configuration, logger: logger)
        attach(engine, contextLength: configuration.contextLength ?? engine.bundle.model.configuration.contextLength)
    }

    /// Starts serving `engine`. Returns false, attaching nothing, when the server is already
    /// draining; the caller then owns the engine's shutdown.
    @discardableResult
    public func attach(_ engine: ServingEngine, contextLength: Int) -> Bool {
        phase.withLock { phase in
            guard case .loading = phase else { return false }
            phase = .ready(Serving(engine: engine, contextLength: contextLength))
            return true
        }
    }

    /// The attached engine, if any.
    public var engine: ServingEngine? { serving?.engine }
    /// The context length requests are checked against, once an engine is attached.
    public var contextLength: Int? { serving?.contextLength }

    private var serving: Serving? {
        phase.withLock { phase in
            switch phase {
            case .loading: nil
            case .ready(let serving): serving
            case .draining(let serving): serving
            }
        }
    }

    /// Whether the server is draining (``beginDraining()``).
    public var isDraining: Bool {
        phase.withLock { if case .draining = $0 { true } else { false } }
    }

    /// Turns new generation requests away with 503 from now on; requests already admitted go on.
    public func beginDraining() {
        phase.withLock { phase in
            switch phase {
            case .loading: phase = .draining(nil)
            case .ready(let serving): phase = .draining(serving)
            case .draining: break
            }
        }
    }

    /// Requests admitted and not yet answered (queued, running, or streaming their response).
    public var inFlightRequests: Int { queue.occupied }

    /// The engine to generate with; 503 while loading or draining.
    func servingForGeneration() throws(APIError) -> Serving {
        try phase.withLock { phase throws(APIError) in
            switch phase {
            case .loading: throw .loading
            case .ready(let serving): return serving
            case .draining: throw .draining
            }
        }
    }

    /// The engine for tokenizing and listing; 503 only while loading.
    func servingForUtility() throws(APIError) -> Serving {
        guard let serving else { throw isDraining ? .draining : .loading }
        return serving
    }

    /// The router with every endpoint, the error translation and the API-key check.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        // Middleware must be added before the routes it wraps.
        router.add(middleware: OpenAIErrorMiddleware())
        if let key = configuration.apiKey { router.add(middleware: APIKeyMiddleware(key: key)) }
        router.get("/health") { [self] _, _ in try health() }
        router.get("/metrics") { [self] _, _ in metricsResponse() }
        router.get("/v1/models") { [self] _, _ in try Self.json(models()) }
        router.post("/v1/chat/completions") { [self] request, _ in try await chatCompletion(request) }
        router.post("/v1/completions") { [self] request, _ in try await completion(request) }
        router.post("/tokenize") { [self] request, _ in try await tokenize(request) }
        router.post("/detokenize") { [self] request, _ in try await detokenize(request) }
        return router
    }

    /// An application listening on `host:port`; `onRunning` is called once the port is bound.
    public func makeApplication(host: String, port: Int, onRunning: @escaping @Sendable () async -> Void = {}) -> some ApplicationProtocol {
        Application(router: makeRouter(), configuration: .init(address: .hostname(host, port: port), serverName: "tern"),
                    onServerRunning: { _ in await onRunning() }, logger: logger)
    }

    // MARK: Endpoints

    func health() throws -> Response {
        _ = try servingForGeneration()
        return try Self.json(HealthBody())
    }

    /// The Prometheus exposition of ``ServerMetrics``.
    public func metricsText() -> String {
        metrics.render(engine: engine?.metrics)
    }

    func metricsResponse() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metricsText())))
    }

    func models() throws -> ModelListBody {
        let serving = try servingForUtility()
        return ModelListBody(data: [.init(id: configuration.modelName, created: created, maxModelLen: serving.contextLength)])
    }

    func tokenize(_ request: Request) async throws -> Response {
        let serving = try servingForUtility()
        let body = try await decode(TokenizeRequest.self, from: request)
        let tokens = serving.engine.bundle.tokenizer.encode(body.content, addSpecial: body.addSpecial ?? true, parseSpecial: true)
        return try Self.json(TokenizeBody(tokens: tokens, count: tokens.count, maxModelLen: serving.contextLength))
    }

    func detokenize(_ request: Request) async throws -> Response {
        let tokenizer = try servingForUtility().engine.bundle.tokenizer
        let body = try await decode(DetokenizeRequest.self, from: request)
        let size = tokenizer.vocabularySize
        if let bad = body.tokens.first(where: { $0 < 0 || $0 >= size }) {
            throw APIError.invalidParameter("tokens", "Token id \(bad) is outside the vocabulary (ids 0..<\(size)).")
        }
        return try Self.json(DetokenizeBody(content: tokenizer.decode(body.tokens.map { Int32($0) })))
    }

    // MARK: Helpers

    func checkModel(_ name: String?) throws(APIError) {
        // An omitted model means the one served, as llama.cpp's server allows.
        if let name, name != configuration.modelName { throw .modelNotFound(name) }
    }

    /// Reads and decodes a JSON body, turning every malformation into a 400 naming the field.
    func decode<Body: Decodable>(_ type: Body.Type, from request: Request) async throws -> Body {
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
