import Foundation
import HummingbirdTesting
import Server
import Testing

/// `GET /metrics`: Prometheus text with vLLM's names under `tern:`, moving with the traffic.
struct MetricsTests {
    /// Samples of a Prometheus text exposition: `name{labels}` → value, and `name` → type.
    struct Exposition {
        var samples: [String: Double] = [:]
        var types: [String: String] = [:]

        init(_ text: String) throws {
            for line in text.split(separator: "\n") {
                if line.hasPrefix("# TYPE ") {
                    let parts = line.split(separator: " ")
                    types[String(parts[2])] = String(parts[3])
                } else if !line.hasPrefix("#") {
                    guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                        throw FixtureError("not a sample line: \(line)")
                    }
                    samples[String(line[..<space])] = value
                }
            }
        }

        subscript(_ key: String) -> Double? { samples[key] }
    }

    static func scrape(_ client: some TestClientProtocol) async throws -> Exposition {
        let response = try await client.execute(uri: "/metrics", method: .get)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
        return try Exposition(response.text)
    }

    // The names as the issue lists them (vLLM's with `tern:`), written out by hand.
    static let histograms = ["tern:time_to_first_token_seconds", "tern:inter_token_latency_seconds",
                             "tern:e2e_request_latency_seconds", "tern:request_queue_time_seconds"]
    static let gauges = ["tern:num_requests_running", "tern:num_requests_waiting", "tern:kv_cache_usage_perc"]
    static let counters = ["tern:prompt_tokens_total", "tern:generation_tokens_total", "tern:prefix_cache_queries_total",
                           "tern:prefix_cache_hits_total", "tern:num_preemptions_total", "tern:request_success_total"]

    @Test func everyMetricIsExposedWithItsTypeBeforeAnyTraffic() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let metrics = try await fixture.withClient { client in try await Self.scrape(client) }
        for name in Self.histograms {
            #expect(metrics.types[name] == "histogram", "\(name)")
            #expect(metrics[name + "_count"] == 0, "\(name)")
            #expect(metrics[name + #"_bucket{le="+Inf"}"#] == 0, "\(name)")
        }
        for name in Self.gauges { #expect(metrics.types[name] == "gauge", "\(name)") }
        for name in Self.counters { #expect(metrics.types[name] == "counter", "\(name)") }
        #expect(metrics[#"tern:request_success_total{finished_reason="stop"}"#] == 0)
        #expect(metrics[#"tern:request_success_total{finished_reason="length"}"#] == 0)
        #expect(metrics["tern:num_requests_running"] == 0)
        #expect(metrics["tern:kv_cache_usage_perc"] == 0)
    }

    /// One 4-token prompt, 6 generated tokens: counts are exact, each latency histogram saw the
    /// request (5 gaps between 6 tokens), and nothing is left running.
    @Test func aRequestMovesTheCountersAndHistograms() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let metrics = try await fixture.withClient { client in
            let response = try await client.post("/v1/completions", #"{"prompt": [10, 20, 30, 40], "max_tokens": 6, "temperature": 0, "ignore_eos": true}"#)
            #expect(response.status == .ok)
            return try await Self.scrape(client)
        }
        #expect(metrics["tern:prompt_tokens_total"] == 4)
        #expect(metrics["tern:generation_tokens_total"] == 6)
        #expect(metrics[#"tern:request_success_total{finished_reason="length"}"#] == 1)
        #expect(metrics[#"tern:request_success_total{finished_reason="stop"}"#] == 0)
        #expect(metrics["tern:time_to_first_token_seconds_count"] == 1)
        #expect(metrics["tern:inter_token_latency_seconds_count"] == 5)
        #expect(metrics["tern:e2e_request_latency_seconds_count"] == 1)
        #expect(metrics["tern:request_queue_time_seconds_count"] == 1)
        let ttft = try #require(metrics["tern:time_to_first_token_seconds_sum"])
        let total = try #require(metrics["tern:e2e_request_latency_seconds_sum"])
        #expect(ttft > 0 && ttft <= total)
        #expect(metrics["tern:num_requests_running"] == 0)
        #expect(metrics["tern:num_requests_waiting"] == 0)
    }

    /// The engine's prefix-cache counters are cumulative; the exported counters equal them after
    /// any number of scrapes (growth is added once, not the total again).
    @Test func engineCountersAreExportedOnceAcrossScrapes() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let body = #"{"prompt": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "max_tokens": 2, "temperature": 0, "ignore_eos": true}"#
        let (first, second) = try await fixture.withClient { client in
            _ = try await client.post("/v1/completions", body)
            _ = try await client.post("/v1/completions", body)
            return (try await Self.scrape(client), try await Self.scrape(client))
        }
        let engine = fixture.engine.metrics
        // The repeated 10-token prompt finds at least its first full block of 4 cached.
        #expect(engine.prefixCacheHits >= 4)
        for metrics in [first, second] {
            #expect(metrics["tern:prefix_cache_queries_total"] == Double(engine.prefixCacheQueries))
            #expect(metrics["tern:prefix_cache_hits_total"] == Double(engine.prefixCacheHits))
            #expect(metrics["tern:num_preemptions_total"] == Double(engine.preemptions))
        }
    }

    /// Each server counts only its own requests (no process-wide registry).
    @Test func serversKeepSeparateRegistries() async throws {
        let busy = try ServerFixture()
        defer { busy.close() }
        let idle = try ServerFixture()
        defer { idle.close() }
        _ = try await busy.withClient { client in try await client.post("/v1/completions", #"{"prompt": [5, 6], "max_tokens": 3, "ignore_eos": true}"#) }
        let busyMetrics = try await busy.withClient { client in try await Self.scrape(client) }
        let idleMetrics = try await idle.withClient { client in try await Self.scrape(client) }
        #expect(busyMetrics["tern:generation_tokens_total"] == 3)
        #expect(idleMetrics["tern:generation_tokens_total"] == 0)
    }

    /// The API key guards the API, not the scrape endpoint.
    @Test func metricsNeedNoAPIKey() async throws {
        let fixture = try ServerFixture(apiKey: "sk-secret")
        defer { fixture.close() }
        let response = try await fixture.withClient { client in try await client.execute(uri: "/metrics", method: .get) }
        #expect(response.status == .ok)
    }

    /// One info line per request with its id, token counts, timings and finish reason.
    @Test func eachRequestLogsOneLine() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let response = try await fixture.withClient { client in
            try await client.post("/v1/completions", #"{"prompt": [10, 20, 30, 40], "max_tokens": 6, "temperature": 0, "ignore_eos": true}"#)
        }
        let id = try #require(try response.object()["id"] as? String)
        let lines = fixture.logs.records.filter { $0.message == "request finished" }
        try #require(lines.count == 1)
        let line = lines[0]
        #expect(line.level == .info)
        #expect(line.metadata["request_id"] == id)
        #expect(line.metadata["prompt_tokens"] == "4")
        #expect(line.metadata["output_tokens"] == "6")
        #expect(line.metadata["cached_tokens"] == "0")
        #expect(line.metadata["finish_reason"] == "length")
        let ttft = try #require(line.metadata["ttft_s"].flatMap(Double.init))
        let total = try #require(line.metadata["total_s"].flatMap(Double.init))
        #expect(ttft >= 0 && ttft <= total)
    }
}
