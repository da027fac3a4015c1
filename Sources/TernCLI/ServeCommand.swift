import ArgumentParser
import Dispatch
import Engine
import Foundation
import KVCache
import ModelStore
import Scheduler
import Server
import Synchronization

/// `tern serve`: the OpenAI-compatible HTTP server over the batching engine.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve an OpenAI-compatible HTTP API.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(name: .customLong("api-key"), help: "Require 'Authorization: Bearer <key>' (default: $TERN_API_KEY; none when unset).")
    var apiKey: String?
    @Option(name: .customLong("served-model-name"), help: "Model name clients send (default: the model file's name).")
    var servedModelName: String?
    @Option(name: .customLong("max-queue"), help: "Requests queued or running at once; more get HTTP 429.") var maxQueue = 256
    @Option(name: .customLong("max-model-len"), help: "Positions per sequence, prompt plus completion (default: the model's context).")
    var maxModelLength: Int?
    @Option(name: .customLong("max-batched-tokens"), help: "Tokens computed per engine step.") var maxBatchedTokens = 512
    @Option(name: .customLong("max-running"), help: "Sequences decoded together.") var maxRunning = 16
    @Option(name: .customLong("kv-blocks"), help: "KV cache blocks of 16 positions (default: room for --max-running full sequences, capped at 1 GiB).")
    var kvBlocks: Int?
    @Option(help: "Admission order: fcfs, priority or fair (round-robin over 'user').") var policy: Policy = .fcfs

    enum Policy: String, ExpressibleByArgument, CaseIterable {
        case fcfs, priority, fair
        var scheduling: SchedulingPolicy {
            switch self {
            case .fcfs: .firstComeFirstServed
            case .priority: .priority
            case .fair: .userFairness
            }
        }
    }

    static let blockSize = 16
    static let defaultKVBytes = 1 << 30

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard maxQueue >= 1 else { throw ValidationError("--max-queue must be at least 1") }
        guard maxBatchedTokens >= 1 else { throw ValidationError("--max-batched-tokens must be at least 1") }
        guard maxRunning >= 1 else { throw ValidationError("--max-running must be at least 1") }
        if let maxModelLength, maxModelLength < 2 { throw ValidationError("--max-model-len must be at least 2") }
        if let kvBlocks, kvBlocks < 1 { throw ValidationError("--kv-blocks must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let bundle = try loadModel()
            let model = bundle.model.configuration
            let context = min(model.contextLength, maxModelLength ?? Int.max)
            let slotBytes = KVStorage.bytesPerSlot(layers: model.layers, kvHeads: model.kvHeads, headSize: model.headSize)
            let blocks = kvBlocks ?? Self.defaultBlocks(context: context, running: maxRunning, slotBytes: slotBytes)
            let engineConfiguration = ServingEngine.Configuration(
                scheduler: SchedulerConfig(maxBatchedTokens: maxBatchedTokens, maxRunning: maxRunning, policy: policy.scheduling),
                kvBlocks: blocks, blockSize: Self.blockSize)
            let engine: ServingEngine
            do { engine = try ServingEngine(bundle: bundle, configuration: engineConfiguration) } catch { throw CLIError("\(error)") }
            let name = servedModelName ?? URL(fileURLWithPath: bundle.path).deletingPathExtension().lastPathComponent
            let key = apiKey ?? ProcessInfo.processInfo.environment["TERN_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
            let server = OpenAIServer(engine: engine, configuration: ServerConfiguration(
                modelName: name, apiKey: key, maxQueue: maxQueue, contextLength: min(context, blocks * Self.blockSize)))
            let kvMiB = Double(blocks * Self.blockSize * slotBytes) / Double(1 << 20)
            let memory = String(format: "%.1f MiB", kvMiB)
            let access = key == nil ? "" : ", API key required"
            printError("tern serve: http://\(host):\(port) model '\(name)' (\(bundle.path)), context \(server.configuration.contextLength), "
                       + "KV cache \(memory) reserved (\(blocks) blocks of \(Self.blockSize))\(access)")
            try Self.runBlocking(server, host: host, port: port)
            engine.shutdown()
        }
    }

    /// Room for `running` full sequences, but no more than ``defaultKVBytes`` (and at least one).
    static func defaultBlocks(context: Int, running: Int, slotBytes: Int) -> Int {
        let perSequence = (context + blockSize - 1) / blockSize
        let cap = max(1, defaultKVBytes / max(1, blockSize * slotBytes))
        return max(perSequence, min(perSequence * running, cap))
    }

    /// Loads the model with a batch capacity that fits `--max-batched-tokens`.
    private func loadModel() throws(CLIError) -> ModelBundle {
        let path: String
        do { path = try ModelStore().resolve(modelOptions.model) { printError($0) } } catch { throw CLIError("\(error)") }
        do {
            return try ModelBundle(path: path, threads: modelOptions.threads ?? ProcessInfo.processInfo.activeProcessorCount,
                                   maxBatchTokens: max(512, maxBatchedTokens))
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// Runs the HTTP service until SIGINT or SIGTERM; this command is synchronous, so the
    /// calling thread waits for the async service.
    private static func runBlocking(_ server: OpenAIServer, host: String, port: Int) throws(CLIError) {
        let failure = FailureBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await server.makeApplication(host: host, port: port).runService()
            } catch {
                failure.message.withLock { $0 = "\(error)" }
            }
            done.signal()
        }
        done.wait()
        if let message = failure.message.withLock({ $0 }) { throw CLIError("server failed: \(message)") }
    }
}

/// The error that ended the HTTP service, handed from its task to the waiting thread.
private final class FailureBox: Sendable {
    let message = Mutex<String?>(nil)
}
