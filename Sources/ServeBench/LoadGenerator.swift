import Foundation
import Synchronization

/// Sends a workload on its arrival schedule and collects a record per request.
///
/// Each request is released at its scheduled offset; with a concurrency cap it then waits
/// for a free slot, and its clock starts when it is actually sent (as in vLLM's benchmark).
public struct LoadGenerator: Sendable {
    public let client: OpenAIClient
    public let endpoint: BenchmarkConfiguration.Endpoint
    public let model: String?
    public let ignoreEOS: Bool
    public let maxConcurrency: Int?

    public init(client: OpenAIClient, endpoint: BenchmarkConfiguration.Endpoint, model: String?, ignoreEOS: Bool, maxConcurrency: Int?) {
        self.client = client
        self.endpoint = endpoint
        self.model = model
        self.ignoreEOS = ignoreEOS
        self.maxConcurrency = maxConcurrency
    }

    /// Runs `requests` at `offsets` (seconds from the start, one per request) and returns their
    /// records in workload order. `progress` is called about twice a second while it runs.
    public func run(_ requests: [WorkloadRequest], offsets: [Double],
                    progress: @escaping @Sendable (ProgressSnapshot) -> Void = { _ in }) async throws -> [RequestRecord] {
        precondition(requests.count == offsets.count, "one offset per request")
        let bodies = try requests.map { try RequestBody(request: $0, endpoint: endpoint, model: model, ignoreEOS: ignoreEOS).encoded() }
        let state = SharedProgress(ProgressSnapshot(total: requests.count))
        let limiter = maxConcurrency.map { ConcurrencyLimiter(limit: $0) }
        let clock = ContinuousClock()
        let origin = clock.now
        let reporter = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                progress(state.snapshot.withLock { snapshot in
                    snapshot.elapsed = (clock.now - origin).seconds
                    return snapshot
                })
            }
        }
        defer { reporter.cancel() }
        let path = endpoint.path
        let client = self.client
        var records: [(index: Int, record: RequestRecord)] = []
        records.reserveCapacity(requests.count)
        await withTaskGroup(of: (Int, RequestRecord).self) { group in
            for index in requests.indices {
                let due = origin.advanced(by: .seconds(offsets[index]))
                if due > clock.now { try? await Task.sleep(until: due, clock: clock) }
                let inputTokens = requests[index].inputTokens
                group.addTask {
                    await limiter?.acquire()
                    state.snapshot.withLock { $0.sent += 1 }
                    let record = await client.send(body: bodies[index], path: path, inputTokens: inputTokens, origin: origin)
                    await limiter?.release()
                    state.snapshot.withLock { snapshot in
                        if record.succeeded { snapshot.completed += 1 } else { snapshot.failed += 1 }
                        snapshot.outputTokens += record.outputTokens
                    }
                    return (index, record)
                }
            }
            for await result in group { records.append(result) }
        }
        reporter.cancel()
        progress(state.snapshot.withLock { snapshot in
            snapshot.elapsed = (clock.now - origin).seconds
            return snapshot
        })
        return records.sorted { $0.index < $1.index }.map(\.record)
    }
}

/// The snapshot the request tasks update and the reporter reads.
private final class SharedProgress: Sendable {
    let snapshot: Mutex<ProgressSnapshot>
    init(_ initial: ProgressSnapshot) { snapshot = Mutex(initial) }
}
