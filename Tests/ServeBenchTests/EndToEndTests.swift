import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import Scheduler
import ServeBench
import Server
import TernTestSupport
import Testing

/// `bench serve` against a live `tern serve` (the tiny random model) over real HTTP.
@Suite(.serialized) struct EndToEndTests {
    /// The tiny model behind an OpenAI server listening on an ephemeral port.
    struct LiveServer {
        let file: TinyModelFile
        let engine: ServingEngine
        let server: OpenAIServer

        init(maxQueue: Int = 64) throws {
            let chatML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
            file = try TinyModelFile(extraMetadata: [("tokenizer.chat_template", .string(chatML))])
            let bundle = try ModelBundle(path: file.path, threads: 1)
            engine = try ServingEngine(bundle: bundle, configuration: .init(
                scheduler: SchedulerConfig(maxBatchedTokens: 128, maxRunning: 4), kvBlocks: 256, blockSize: 4))
            server = OpenAIServer(engine: engine, configuration: ServerConfiguration(modelName: "tiny", apiKey: nil, maxQueue: maxQueue, contextLength: 128))
        }

        /// Runs `body` with the base URL of the listening server.
        func withURL<Value: Sendable>(_ body: @Sendable @escaping (String) async throws -> Value) async throws -> Value {
            let app = Application(router: server.makeRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "tern"))
            return try await app.test(.live) { client in
                let port = try #require(client.port)
                return try await body("http://127.0.0.1:\(port)")
            }
        }

        func close() {
            engine.shutdown()
            file.remove()
        }
    }

    static func configuration(_ url: String, requests: Int, rate: RequestRate, slo: ServiceLevelObjectives) -> BenchmarkConfiguration {
        BenchmarkConfiguration(url: url, model: "tiny", endpoint: .completions, dataset: "synthetic", numPrompts: requests, requestRate: rate,
                               burstiness: 1, maxConcurrency: 3, inputLen: 20, outputLen: 6, rangeRatio: 0, sharedPrefixLen: 0,
                               promptLengthsChecked: true, ignoreEOS: true, slo: slo, seed: 5, requestTimeout: 60, clientVersion: "test")
    }

    /// Twelve synthetic 20-token prompts, 6 output tokens each, at most 3 in flight: every
    /// request completes with the server's own token counts and sane latencies.
    @Test func syntheticRunAgainstTernServe() async throws {
        let live = try LiveServer()
        defer { live.close() }
        let result = try await live.withURL { url in
            let client = OpenAIClient(baseURL: url, apiKey: nil, maxConnections: 3, requestTimeout: 60)
            do {
                let (models, server) = try await client.models()
                #expect(models == ["tiny"])
                #expect(server == "tern")
                let requests = try await SyntheticWorkload(count: 12, inputLen: 20, outputLen: 6, rangeRatio: 0, sharedPrefixLen: 0, seed: 5,
                                                           endpoint: .completions).build(counter: ServerTokenCounter(client: client))
                #expect(requests.allSatisfy { $0.inputTokens <= 20 && $0.inputTokens >= 12 })
                let generator = LoadGenerator(client: client, endpoint: .completions, model: "tiny", ignoreEOS: true, maxConcurrency: 3)
                let offsets = ArrivalSchedule.offsets(count: 12, rate: .perSecond(200), seed: 5)
                let records = try await generator.run(requests, offsets: offsets)
                await client.shutdown()
                // The server counts the prompt with its BOS-free encoding plus nothing else on /v1/completions.
                for (record, request) in zip(records, requests) { #expect(record.inputTokens >= request.inputTokens) }
                return ServeResult(configuration: Self.configuration(url, requests: 12, rate: .perSecond(200), slo: .init(ttftMs: 60_000, tpotMs: 60_000)),
                                   records: records)
            } catch {
                await client.shutdown()
                throw error
            }
        }
        let metrics = result.metrics
        #expect(metrics.completed == 12 && metrics.failed == 0, "errors: \(metrics.errors)")
        #expect(result.requests.allSatisfy { $0.outputTokens == 6 && $0.itls.count <= 5 && $0.itls.count >= 1 })
        #expect(metrics.totalOutputTokens == 72)
        #expect(metrics.peakConcurrency >= 1 && metrics.peakConcurrency <= 3)
        let ttft = try #require(metrics.ttftMs), e2e = try #require(metrics.e2eMs), tpot = try #require(metrics.tpotMs)
        #expect(ttft.min > 0 && ttft.max <= e2e.max)
        #expect(tpot.count == 12 && tpot.min >= 0)
        #expect(result.requests.allSatisfy { $0.ttft! <= $0.latency && $0.start >= 0 })
        #expect(metrics.durationSeconds > 0 && abs(metrics.outputThroughput - 72 / metrics.durationSeconds) < 1e-9)
        // Generous SLOs: every request meets them.
        #expect(metrics.sloAttainment == 1 && metrics.goodput == metrics.requestThroughput)
    }

    /// Replayed chat requests, one of them longer than the context: that one fails with the
    /// server's message and is counted, the others complete.
    @Test func failedRequestsAreCountedWithTheirError() async throws {
        let live = try LiveServer()
        defer { live.close() }
        let long = String(repeating: "word ", count: 200)
        let jsonl = """
            {"messages": [{"role": "user", "content": "Hello there"}], "output_len": 4}
            {"prompt": "\(long)", "output_len": 4}
            {"prompt": "General Kenobi", "output_len": 3}
            """
        let requests = try JSONLWorkload.parse(jsonl, defaultOutputLen: 8, endpoint: .chat)
        let records = try await live.withURL { url in
            let client = OpenAIClient(baseURL: url, apiKey: nil, maxConnections: 4, requestTimeout: 60)
            let generator = LoadGenerator(client: client, endpoint: .chat, model: nil, ignoreEOS: true, maxConcurrency: nil)
            let records = try await generator.run(requests, offsets: [0, 0, 0])
            await client.shutdown()
            return records
        }
        #expect(records.map(\.succeeded) == [true, false, true])
        #expect(records.map(\.outputTokens) == [4, 0, 3])
        let metrics = BenchmarkMetrics(records: records, slo: .init())
        #expect(metrics.completed == 2 && metrics.failed == 1)
        #expect(metrics.errors.count == 1 && metrics.errors[0].message.hasPrefix("HTTP 400:"))
    }

    /// A server that is not there: every request fails with a transport error, none is lost.
    @Test func unreachableServerFailsEveryRequest() async throws {
        let client = OpenAIClient(baseURL: "http://127.0.0.1:9", apiKey: nil, maxConnections: 2, requestTimeout: 2)
        let generator = LoadGenerator(client: client, endpoint: .completions, model: nil, ignoreEOS: true, maxConcurrency: 2)
        let request = WorkloadRequest(prompt: .text("hi"), inputTokens: 1, outputTokens: 2)
        let records = try await generator.run([request, request, request], offsets: [0, 0, 0])
        await client.shutdown()
        #expect(records.count == 3 && records.allSatisfy { !$0.succeeded && $0.error != nil && $0.outputTokens == 0 })
    }
}
