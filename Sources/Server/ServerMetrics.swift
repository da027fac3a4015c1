import Engine
import Prometheus
import Synchronization

/// The Prometheus metrics of one server, named after vLLM's (`vllm:` becomes `tern:`) so
/// dashboards built for it adapt by renaming.
///
/// Each server owns its registry (no process-wide bootstrap), so servers in parallel tests keep
/// separate counts. Latencies are measured by the server from the event streams; load and
/// prefix-cache figures come from the engine's ``EngineMetrics`` when `/metrics` is scraped.
final class ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    let timeToFirstToken: ValueHistogram
    let interTokenLatency: ValueHistogram
    let requestLatency: ValueHistogram
    let queueTime: ValueHistogram

    let running: Gauge
    let waiting: Gauge
    let kvCacheUsage: Gauge

    let promptTokens: Counter
    let generationTokens: Counter
    let prefixCacheQueries: Counter
    let prefixCacheHits: Counter
    let preemptions: Counter

    /// `tern:request_success_total`, by `finished_reason`: `stop`, `length`, or `abort` for a
    /// request that ended unfinished (client gone, server shutting down, engine error).
    private let successes: [String: Counter]
    static let finishedReasons = ["stop", "length", "abort"]

    /// The engine's cumulative counters as of the last scrape, to export their growth.
    private let exported = Mutex(EngineMetrics())

    // Bucket bounds in seconds, spread like vLLM's: fine below a second for token latencies,
    // out to many minutes for whole requests.
    static let firstTokenBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640]
    static let interTokenBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80]
    static let requestBuckets = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680]

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func histogram(_ name: String, _ buckets: [Double], _ help: String) -> ValueHistogram {
            registry.makeValueHistogram(descriptor: .init(metricName: name, unitName: "seconds", helpText: help), buckets: buckets)
        }
        func gauge(_ name: String, _ unit: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: .init(metricName: name, unitName: unit, helpText: help))
        }
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(descriptor: .init(metricName: name, unitName: "total", helpText: help))
        }
        timeToFirstToken = histogram("tern:time_to_first_token", Self.firstTokenBuckets, "Time from request arrival to its first generated token.")
        interTokenLatency = histogram("tern:inter_token_latency", Self.interTokenBuckets, "Time between consecutive tokens of one sequence.")
        requestLatency = histogram("tern:e2e_request_latency", Self.requestBuckets, "Time from request arrival to its last token.")
        queueTime = histogram("tern:request_queue_time", Self.requestBuckets, "Time a request waited before the engine first scheduled it.")
        running = gauge("tern:num_requests_running", "", "Sequences holding KV cache blocks.")
        waiting = gauge("tern:num_requests_waiting", "", "Sequences waiting to be scheduled (new or preempted).")
        kvCacheUsage = gauge("tern:kv_cache_usage", "perc", "Fraction of KV cache blocks in use (1 means full).")
        promptTokens = counter("tern:prompt_tokens", "Prompt tokens processed.")
        generationTokens = counter("tern:generation_tokens", "Tokens generated.")
        prefixCacheQueries = counter("tern:prefix_cache_queries", "Prompt tokens looked up in the prefix cache.")
        prefixCacheHits = counter("tern:prefix_cache_hits", "Prompt tokens found in the prefix cache.")
        preemptions = counter("tern:num_preemptions", "Running sequences preempted to free KV cache blocks.")
        let descriptor = MetricNameDescriptor(metricName: "tern:request_success", unitName: "total", helpText: "Finished requests, by finish reason.")
        var successes: [String: Counter] = [:]
        for reason in Self.finishedReasons {
            successes[reason] = registry.makeCounter(descriptor: descriptor, labels: [("finished_reason", reason)])
        }
        self.successes = successes
    }

    /// Counts one finished sequence; `reason` is nil for one that ended unfinished.
    func recordFinish(_ reason: FinishReason?) {
        successes[reason?.rawValue ?? "abort"]?.increment()
    }

    /// The exposition text, with gauges and engine counters brought up to `engine` (nil while
    /// no engine is attached).
    func render(engine: EngineMetrics?) -> String {
        let snapshot = engine ?? EngineMetrics()
        running.set(Double(snapshot.running))
        waiting.set(Double(snapshot.waiting))
        kvCacheUsage.set(snapshot.kvCacheUsage)
        if engine != nil {
            exported.withLock { last in
                // The engine's counters only grow; export what they grew by since the last scrape.
                func advance(_ counter: Counter, _ now: Int, _ before: Int) {
                    if now > before { counter.increment(by: Int64(now - before)) }
                }
                advance(prefixCacheQueries, snapshot.prefixCacheQueries, last.prefixCacheQueries)
                advance(prefixCacheHits, snapshot.prefixCacheHits, last.prefixCacheHits)
                advance(preemptions, snapshot.preemptions, last.preemptions)
                last = snapshot
            }
        }
        return registry.emitToString()
    }
}
