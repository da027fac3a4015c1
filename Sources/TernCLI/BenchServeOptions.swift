import ArgumentParser
import Foundation
import ServeBench

/// The workload and measurement options `bench serve` and `bench sweep` share.
struct BenchServeOptions: ParsableArguments {
    @Option(help: "Base URL of the OpenAI-compatible server.") var url = "http://127.0.0.1:8080"
    @Option(help: "Model name to send (default: the first one the server lists).") var model: String?
    @Option(help: "API used for the requests.") var endpoint: EndpointArgument = .completions
    @Option(help: "'synthetic', or a JSONL file of {\"prompt\" or \"messages\", \"output_len\"} lines to replay.")
    var dataset = "synthetic"
    @Option(name: .customLong("num-prompts"), help: "Requests to send (default: 100 synthetic, every line of a file).")
    var numPrompts: Int?
    @Option(help: "Shape of the Gamma-distributed inter-arrival times: 1 is Poisson, below 1 burstier, above 1 steadier.")
    var burstiness = 1.0
    @Option(name: .customLong("max-concurrency"), help: "Most requests in flight at once (default: no cap).")
    var maxConcurrency: Int?
    @Option(name: .customLong("input-len"), help: "Synthetic prompt tokens (after the shared prefix).") var inputLen = 100
    @Option(name: .customLong("output-len"), help: "Tokens to generate per request (JSONL lines may set their own).") var outputLen = 128
    @Option(name: .customLong("range-ratio"), help: "Draw lengths uniformly from L·(1 ± ratio).") var rangeRatio = 0.0
    @Option(name: .customLong("shared-prefix-len"), help: "Synthetic prefix tokens every prompt shares (exercises prefix caching).")
    var sharedPrefixLen = 0
    @Option(name: .customLong("slo-ttft"), help: "Time-to-first-token SLO in milliseconds.") var sloTTFT: Double?
    @Option(name: .customLong("slo-tpot"), help: "Time-per-output-token SLO in milliseconds.") var sloTPOT: Double?
    @Option(name: .customLong("slo-e2e"), help: "End-to-end latency SLO in milliseconds.") var sloE2E: Double?
    @Option(help: "Seed of the prompts, lengths and arrival times.") var seed: UInt64 = 0
    @Option(name: .customLong("api-key"), help: "Sent as 'Authorization: Bearer <key>' (default: $OPENAI_API_KEY).") var apiKey: String?
    @Option(name: .customLong("request-timeout"), help: "Seconds before a request counts as failed.") var requestTimeout = 600.0
    @Flag(name: .customLong("no-ignore-eos"), help: "Let requests stop at end of sequence instead of generating --output-len tokens.")
    var allowEOS = false
    @Flag(help: "No live progress line.") var quiet = false

    func validate() throws {
        guard URL(string: url)?.scheme?.hasPrefix("http") == true else { throw ValidationError("--url must be an http:// or https:// URL") }
        if let numPrompts, numPrompts < 1 { throw ValidationError("--num-prompts must be at least 1") }
        guard burstiness > 0, burstiness.isFinite else { throw ValidationError("--burstiness must be positive") }
        if let maxConcurrency, maxConcurrency < 1 { throw ValidationError("--max-concurrency must be at least 1") }
        guard inputLen >= 1 else { throw ValidationError("--input-len must be at least 1") }
        guard outputLen >= 1 else { throw ValidationError("--output-len must be at least 1") }
        guard (0..<1).contains(rangeRatio) else { throw ValidationError("--range-ratio must be in [0, 1)") }
        guard sharedPrefixLen >= 0 else { throw ValidationError("--shared-prefix-len must not be negative") }
        for (name, value) in [("--slo-ttft", sloTTFT), ("--slo-tpot", sloTPOT), ("--slo-e2e", sloE2E)] {
            if let value, !(value > 0) { throw ValidationError("\(name) must be positive") }
        }
        guard requestTimeout > 0 else { throw ValidationError("--request-timeout must be positive") }
    }

    var slo: ServiceLevelObjectives { ServiceLevelObjectives(ttftMs: sloTTFT, tpotMs: sloTPOT, e2eMs: sloE2E) }

    var key: String? {
        apiKey ?? ProcessInfo.processInfo.environment["OPENAI_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// What a run needs from the server before it starts: the model name, the workload and how
/// its prompt lengths were measured.
struct PreparedWorkload {
    let client: OpenAIClient
    let model: String?
    let serverHeader: String?
    let requests: [WorkloadRequest]
    let lengthsChecked: Bool

    /// The connection limit without a concurrency cap: high enough that no request ever waits
    /// in the client for a connection, which would count toward its TTFT.
    static let uncapped = 1 << 16

    /// Asks the server for its model and builds the workload, checking prompt lengths with its
    /// `/tokenize` (or estimating them, with a warning, when it has none).
    static func prepare(_ options: BenchServeOptions, connections: Int) async throws -> PreparedWorkload {
        let client = OpenAIClient(baseURL: options.url, apiKey: options.key, maxConnections: connections,
                                  requestTimeout: options.requestTimeout)
        do {
            let (ids, server) = try await client.models()
            let model = options.model ?? ids.first
            let counter = ServerTokenCounter(client: client)
            var checked = true
            do { _ = try await counter.countTokens("probe") } catch {
                printError("warning: \(error); prompt lengths are estimated from word counts")
                checked = false
            }
            let endpoint = options.endpoint.endpoint
            let requests: [WorkloadRequest]
            if options.dataset == "synthetic" {
                let workload = SyntheticWorkload(count: options.numPrompts ?? 100, inputLen: options.inputLen, outputLen: options.outputLen,
                                                 rangeRatio: options.rangeRatio, sharedPrefixLen: options.sharedPrefixLen,
                                                 seed: options.seed, endpoint: endpoint)
                requests = checked ? try await workload.build(counter: counter) : try await workload.build(counter: WordCountEstimate())
            } else {
                let loaded = try JSONLWorkload.load(path: options.dataset, count: options.numPrompts, defaultOutputLen: options.outputLen,
                                                    endpoint: endpoint)
                requests = checked ? try await JSONLWorkload.measured(loaded, counter: counter)
                    : try await JSONLWorkload.measured(loaded, counter: WordCountEstimate())
            }
            return PreparedWorkload(client: client, model: model, serverHeader: server, requests: requests, lengthsChecked: checked)
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Runs the workload at `rate` (with `maxConcurrency`) and returns the result to save.
    func run(_ options: BenchServeOptions, rate: RequestRate, maxConcurrency: Int?) async throws -> ServeResult {
        let configuration = BenchmarkConfiguration(
            url: options.url, model: model, endpoint: options.endpoint.endpoint, dataset: options.dataset,
            numPrompts: requests.count, requestRate: rate, burstiness: options.burstiness, maxConcurrency: maxConcurrency,
            inputLen: options.inputLen, outputLen: options.outputLen, rangeRatio: options.rangeRatio,
            sharedPrefixLen: options.sharedPrefixLen, promptLengthsChecked: lengthsChecked, ignoreEOS: !options.allowEOS,
            slo: options.slo, seed: options.seed, requestTimeout: options.requestTimeout, clientVersion: BenchServeCommand.clientVersion,
            serverHeader: serverHeader, startedAt: ISO8601DateFormatter().string(from: Date()))
        let offsets = ArrivalSchedule.offsets(count: requests.count, rate: rate, burstiness: options.burstiness, seed: options.seed)
        let generator = LoadGenerator(client: client, endpoint: options.endpoint.endpoint, model: model,
                                      ignoreEOS: !options.allowEOS, maxConcurrency: maxConcurrency)
        let line = ProgressLine(enabled: !options.quiet)
        let records = try await generator.run(requests, offsets: offsets) { line.show($0) }
        line.finish()
        return ServeResult(configuration: configuration, records: records)
    }
}
