import Foundation
import Kernels
import KVCache
import Model
import Sampling
import Scheduler
import Synchronization
import Tokenizer

/// Messages from callers to the engine thread.
enum EngineCommand: Sendable {
    /// The last value is the submission time in uptime nanoseconds.
    case submit(Int, EngineRequest, AsyncThrowingStream<EngineEvent, any Error>.Continuation, UInt64)
    /// Parallel samples of one prompt: ids and continuations in sample order.
    case submitGroup([Int], EngineRequest, [AsyncThrowingStream<EngineEvent, any Error>.Continuation], UInt64)
    case abort(Int)
    case shutdown
}

/// The serving engine: many requests advance together, one scheduler step at a time.
///
/// A dedicated thread (not Swift's cooperative pool, so matrix work never starves async callers)
/// runs `schedule()` → one forward pass over the flattened batch → sample → `update` → stream
/// events. Callers talk to it only through `submit`, which returns the request's event stream;
/// cancelling the stream's consumer aborts the request and frees its blocks at the next step.
public final class ServingEngine: Sendable {
    public struct Configuration: Sendable {
        public var scheduler: SchedulerConfig
        /// KV blocks in the pool and tokens per block.
        public var kvBlocks: Int
        public var blockSize: Int
        /// Bytes of host memory for the keys and values of swapped-out requests (used when
        /// the scheduler's preemption mode is `.swap` or `.cheapest`).
        public var swapBytes: Int
        /// Reuse computed blocks across requests with the same prefix.
        public var prefixCaching: Bool
        /// How keys and values are stored: half precision, or Q8_0 for ~1.9x the tokens per byte.
        public var kvType: KVElementType

        public init(scheduler: SchedulerConfig = SchedulerConfig(), kvBlocks: Int = 1024, blockSize: Int = 16, swapBytes: Int = 0,
                    prefixCaching: Bool = true, kvType: KVElementType = .f16) {
            self.scheduler = scheduler
            self.kvBlocks = kvBlocks
            self.blockSize = blockSize
            self.swapBytes = swapBytes
            self.prefixCaching = prefixCaching
            self.kvType = kvType
        }
    }

    public let bundle: ModelBundle
    /// Free KV blocks after the latest step (for metrics and tests).
    public var freeBlockCount: Int { stats.freeBlocks.load(ordering: .relaxed) }
    /// Load and counters as of the latest step.
    public var metrics: EngineMetrics { stats.metrics.withLock { $0 } }
    private let stats = EngineStats()
    private let inbox = EngineInbox()
    private let nextID = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)

    public init(bundle: ModelBundle, configuration: Configuration) throws(EngineError) {
        self.bundle = bundle
        let loop = try EngineLoop(bundle: bundle, configuration: configuration, stats: stats)
        let thread = Thread { [inbox] in
            loop.run(inbox: inbox)
        }
        thread.name = "tern-engine"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Queues a request and returns its events.
    public func submit(_ request: EngineRequest) -> AsyncThrowingStream<EngineEvent, any Error> {
        let (id, stream, continuation) = makeStream()
        if stopped.load(ordering: .relaxed) {
            continuation.finish(throwing: EngineError.invalidRequest("the engine shut down"))
        } else {
            send(.submit(id, request, continuation, DispatchTime.now().uptimeNanoseconds))
        }
        return stream
    }

    /// Queues `samples` independent completions of one prompt (OpenAI's `n`) and returns one
    /// event stream per sample. The prompt is computed once: when its last chunk is done, every
    /// sample draws its first token from the same logits and continues on a fork of the
    /// prompt's KV blocks (shared until written, copy-on-write). Sample `i` of a seeded request
    /// uses seed `seed + i`. Cancelling any stream aborts that sample only.
    public func submit(_ request: EngineRequest, samples: Int) -> [AsyncThrowingStream<EngineEvent, any Error>] {
        guard samples > 1 else { return [submit(request)] }
        var ids: [Int] = []
        var streams: [AsyncThrowingStream<EngineEvent, any Error>] = []
        var continuations: [AsyncThrowingStream<EngineEvent, any Error>.Continuation] = []
        for _ in 0..<samples {
            let (id, stream, continuation) = makeStream()
            ids.append(id)
            streams.append(stream)
            continuations.append(continuation)
        }
        if stopped.load(ordering: .relaxed) {
            for continuation in continuations { continuation.finish(throwing: EngineError.invalidRequest("the engine shut down")) }
        } else {
            send(.submitGroup(ids, request, continuations, DispatchTime.now().uptimeNanoseconds))
        }
        return streams
    }

    /// A new request id and its event stream, whose cancellation aborts the request.
    private func makeStream() -> (Int, AsyncThrowingStream<EngineEvent, any Error>, AsyncThrowingStream<EngineEvent, any Error>.Continuation) {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncThrowingStream<EngineEvent, any Error>.makeStream()
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { self?.send(.abort(id)) }
        }
        return (id, stream, continuation)
    }

    /// Stops the loop after the current step; unfinished requests end with an error.
    public func shutdown() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        send(.shutdown)
    }

    deinit { shutdown() }

    private func send(_ command: EngineCommand) { inbox.send(command) }
}

/// The queue of commands to the engine thread, and the semaphore it sleeps on when idle.
final class EngineInbox: Sendable {
    private let commands = Mutex<[EngineCommand]>([])
    private let wake = DispatchSemaphore(value: 0)

    func send(_ command: EngineCommand) {
        commands.withLock { $0.append(command) }
        wake.signal()
    }

    /// Takes every queued command.
    func drain() -> [EngineCommand] {
        commands.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
    }

    /// Blocks until a command arrives (or one arrived since the last wait).
    func waitForCommand() { wake.wait() }
}

/// Counters the engine thread publishes for other threads.
final class EngineStats: Sendable {
    let freeBlocks = Atomic<Int>(0)
    let metrics = Mutex(EngineMetrics())
}
