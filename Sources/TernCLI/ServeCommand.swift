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
    @Option(name: .customLong("kv-memory"), help: "KV cache memory: bytes with an optional K/M/G suffix (e.g. 512M, 2GiB) or a fraction of RAM (e.g. 0.2).")
    var kvMemory: String?
    @Option(name: .customLong("kv-blocks"), help: "KV cache blocks of 16 positions; overrides --kv-memory (default: room for --max-running full sequences, capped at 1 GiB).")
    var kvBlocks: Int?
    @OptionGroup var kvTypeOptions: KVTypeOptions
    @Option(name: .customLong("shutdown-timeout"), help: "Seconds requests in flight may take to finish after SIGTERM/SIGINT before they are aborted.")
    var shutdownTimeout: Double = 30
    @Option(help: "Admission order: fcfs, priority or fair (round-robin over 'user').") var policy: Policy = .fcfs
    @Option(help: "What a request preempted for KV memory loses: recompute (its KV is rebuilt), swap (kept in --swap-space), or auto (whichever measured cost is lower).")
    var preemption: Preemption = .auto
    @Option(name: .customLong("swap-space"), help: "Host memory for swapped-out KV: bytes with an optional K/M/G suffix.")
    var swapSpace = "1G"

    enum Preemption: String, ExpressibleByArgument, CaseIterable {
        case recompute, swap, auto
        var mode: PreemptionMode {
            switch self {
            case .recompute: .recompute
            case .swap: .swap
            case .auto: .cheapest
            }
        }
    }

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
        if let kvMemory, KVMemoryBudget(kvMemory) == nil {
            throw ValidationError("--kv-memory must be a size such as 512M or 2GiB, or a fraction of RAM in (0, 1] such as 0.2; got '\(kvMemory)'")
        }
        guard case .bytes = KVMemoryBudget(swapSpace) else {
            throw ValidationError("--swap-space must be a size such as 512M or 2G; got '\(swapSpace)'")
        }
        guard shutdownTimeout >= 0, shutdownTimeout <= 86_400 else { throw ValidationError("--shutdown-timeout must be between 0 and 86400 seconds") }
    }

    func run() throws {
        try reportingErrors {
            let path: String
            do { path = try ModelStore().resolve(modelOptions.model) { printError($0) } } catch { throw CLIError("\(error)") }
            let name = servedModelName ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let key = apiKey ?? ProcessInfo.processInfo.environment["TERN_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
            let server = OpenAIServer(configuration: ServerConfiguration(modelName: name, apiKey: key, maxQueue: maxQueue),
                                      logger: ServerRuntime.standardErrorLogger())
            // The port is bound first; /health answers 503 until the loader below is done.
            let command = self
            try Self.runBlocking {
                try await ServerRuntime.run(server: server, host: host, port: port, shutdownTimeout: .seconds(shutdownTimeout)) {
                    try command.loadEngine(path: path, apiKeyRequired: key != nil)
                }
            }
        }
    }

    /// Loads the model and starts the engine with a KV cache sized by --kv-blocks, else
    /// --kv-memory, else the default.
    private func loadEngine(path: String, apiKeyRequired: Bool) throws -> ServerRuntime.LoadedEngine {
        let bundle = try loadModel(path: path)
        let model = bundle.model.configuration
        let context = min(model.contextLength, maxModelLength ?? Int.max)
        let kvType = kvTypeOptions.kvType
        let slotBytes = KVStorage.bytesPerSlot(layers: model.layers, kvHeads: model.kvHeads, headSize: model.headSize, elementType: kvType)
        let blocks: Int
        if let kvBlocks {
            blocks = kvBlocks
        } else if let kvMemory, let budget = KVMemoryBudget(kvMemory) {
            blocks = budget.blockCount(for: model, blockSize: Self.blockSize, elementType: kvType)
            guard blocks >= 1 else {
                throw CLIError("--kv-memory \(kvMemory) is \(budget.byteCount) bytes, less than one KV block of \(Self.blockSize) positions (\(Self.blockSize * slotBytes) bytes)")
            }
        } else {
            blocks = Self.defaultBlocks(context: context, running: maxRunning, slotBytes: slotBytes)
        }
        let engineConfiguration = ServingEngine.Configuration(
            scheduler: SchedulerConfig(maxBatchedTokens: maxBatchedTokens, maxRunning: maxRunning, policy: policy.scheduling,
                                       preemption: preemption.mode),
            kvBlocks: blocks, blockSize: Self.blockSize, swapBytes: KVMemoryBudget(swapSpace)?.byteCount ?? 0, kvType: kvType)
        let engine: ServingEngine
        do { engine = try ServingEngine(bundle: bundle, configuration: engineConfiguration) } catch { throw CLIError("\(error)") }
        let kvMiB = Double(blocks * Self.blockSize * slotBytes) / Double(1 << 20)
        return ServerRuntime.LoadedEngine(engine: engine, contextLength: min(context, blocks * Self.blockSize), details: [
            "path": bundle.path,
            "kv_cache": String(format: "%.1f MiB reserved (%d blocks of %d, ", kvMiB, blocks, Self.blockSize) + "\(kvType.rawValue))",
            "api_key": apiKeyRequired ? "required" : "none",
        ])
    }

    /// Room for `running` full sequences, but no more than ``defaultKVBytes`` (and at least one).
    static func defaultBlocks(context: Int, running: Int, slotBytes: Int) -> Int {
        let perSequence = (context + blockSize - 1) / blockSize
        let cap = max(1, defaultKVBytes / max(1, blockSize * slotBytes))
        return max(perSequence, min(perSequence * running, cap))
    }

    /// Loads the model with a batch capacity that fits `--max-batched-tokens`.
    private func loadModel(path: String) throws(CLIError) -> ModelBundle {
        do {
            return try ModelBundle(path: path, threads: modelOptions.threads ?? ProcessInfo.processInfo.activeProcessorCount,
                                   maxBatchTokens: max(512, maxBatchedTokens))
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// Runs `body` to completion; this command is synchronous, so the calling thread waits for
    /// the async service.
    private static func runBlocking(_ body: @escaping @Sendable () async throws -> Void) throws(CLIError) {
        let failure = FailureBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await body()
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
