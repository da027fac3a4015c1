import Engine
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// Runs `tern serve`: binds the port first, loads the model on its own thread meanwhile, and
/// shuts down gracefully on SIGTERM or SIGINT.
public enum ServerRuntime {
    /// What the loader produced: the engine, the context length to serve, and facts for the
    /// startup log line (e.g. the KV cache memory reserved).
    public struct LoadedEngine: Sendable {
        public var engine: ServingEngine
        public var contextLength: Int
        public var details: [String: String]

        public init(engine: ServingEngine, contextLength: Int, details: [String: String]) {
            self.engine = engine
            self.contextLength = contextLength
            self.details = details
        }
    }

    /// A logger writing to standard error, for the server's startup and request lines.
    public static func standardErrorLogger(label: String = "tern") -> Logger {
        Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    }

    /// Serves until a shutdown signal: requests in flight then get up to `shutdownTimeout` to
    /// finish before the rest are aborted. Returns normally after a graceful shutdown; throws
    /// when the model cannot be loaded or the port cannot be bound.
    public static func run(server: OpenAIServer, host: String, port: Int, shutdownTimeout: Duration,
                           load: @escaping @Sendable () throws -> LoadedEngine) async throws {
        let logger = server.logger
        let loadFailure = Mutex<String?>(nil)
        let app = server.makeApplication(host: host, port: port) {
            logger.info("listening; loading the model", metadata: ["url": "http://\(host):\(port)", "model": "\(server.configuration.modelName)"])
        }
        let group = ServiceGroup(configuration: .init(
            services: [app, DrainService(server: server, timeout: shutdownTimeout)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let loader = Task {
            do {
                let loaded = try await onOwnThread(load)
                if server.attach(loaded.engine, contextLength: loaded.contextLength) {
                    var metadata: Logger.Metadata = ["model": "\(server.configuration.modelName)", "context": "\(loaded.contextLength)"]
                    for (key, value) in loaded.details { metadata[key] = "\(value)" }
                    logger.info("ready", metadata: metadata)
                } else {
                    loaded.engine.shutdown()  // shutdown began while loading
                }
            } catch {
                logger.error("cannot load the model", metadata: ["error": "\(error)"])
                loadFailure.withLock { $0 = "\(error)" }
                await group.triggerGracefulShutdown()
            }
        }
        defer { loader.cancel() }
        try await group.run()
        server.engine?.shutdown()
        if let message = loadFailure.withLock({ $0 }) { throw ServerRuntimeError(message: message) }
        logger.info("stopped")
    }

    /// Runs blocking work (loading weights) on a thread of its own, off Swift's cooperative
    /// pool, so HTTP handlers keep running meanwhile.
    static func onOwnThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = "tern-load"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

/// The model could not be loaded.
public struct ServerRuntimeError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
