import Foundation
import Testing

/// A real `tern serve` process on 127.0.0.1 with the default model, driven by the official
/// `openai` Python client (installed with pip by the test when missing) and a standard-library load
/// client. The Python side lives in `Python/`; each test fails with the script's output.
///
/// Serialized: every test starts its own server, and they would otherwise share two cores.
@Suite(.serialized)
struct ConformanceTests {
    static let modelName = "tern-conformance"

    /// Chat and text completions, streamed and whole, n = 2, stop strings, seeds, logprobs,
    /// cached prompt tokens, models.list() and the SDK's exception classes for 400/401/404.
    @Test func openAIClientConformance() async throws {
        let key = "sk-conformance-\(UUID().uuidString)"
        try await withServer(["--api-key", key, "--served-model-name", Self.modelName, "--max-model-len", "1024", "--kv-blocks", "256"]) { server in
            try await runScript("conformance.py", ["--base-url", server.baseURL + "/v1", "--api-key", key, "--model", Self.modelName],
                                against: server, timeout: .seconds(600))
        }
    }

    /// `--max-queue 1`: a second concurrent request gets the SDK's RateLimitError.
    @Test func rateLimitErrorWhenTheQueueIsFull() async throws {
        try await withServer(["--max-queue", "1", "--served-model-name", Self.modelName, "--max-model-len", "1024", "--kv-blocks", "64"]) { server in
            try await runScript("rate_limit.py", ["--base-url", server.baseURL + "/v1", "--model", Self.modelName],
                                against: server, timeout: .seconds(180))
        }
    }

    /// 64 streaming clients, 20% of them disconnecting mid-stream: the server settles back to
    /// idle (no running requests, idle KV usage, RSS within 10% of warm-up) and still answers.
    @Test func boundedLoadWithDisconnects() async throws {
        try await withServer(["--max-model-len", "256", "--kv-blocks", "128"]) { server in
            try await runScript("load_test.py", ["--base-url", server.baseURL, "--pid", String(server.pid)],
                                against: server, timeout: .seconds(400))
        }
    }

    /// Starts a server, runs `body`, and always stops the server with SIGTERM, expecting exit 0.
    private func withServer(_ arguments: [String], _ body: (ServerProcess) async throws -> Void) async throws {
        if let problem = try await PythonScript.openAIImportProblem() {
            Issue.record(Comment(rawValue: problem))
            return
        }
        let server = try ServerProcess(arguments: arguments)
        do {
            try await server.waitUntilHealthy()
            try await body(server)
        } catch {
            let log = server.log
            _ = try? await server.terminate()
            Issue.record(error, "server log:\n\(log)")
            return
        }
        let log = server.log
        let status = try await server.terminate()
        #expect(status == 0, "tern serve did not exit 0 after SIGTERM; log:\n\(log)")
    }

    /// Runs a script and expects exit status 0; on failure shows its output and the server's
    /// recent log lines.
    private func runScript(_ script: String, _ arguments: [String], against server: ServerProcess, timeout: Duration) async throws {
        let outcome = try await PythonScript.run(script: script, arguments, timeout: timeout)
        if outcome.status == PythonScript.missingOpenAIStatus {
            Issue.record(Comment(rawValue: PythonScript.installHint + "\n" + outcome.output))
            return
        }
        #expect(outcome.status == 0, "\(script) exited \(outcome.status):\n\(outcome.output)\nserver log (end):\n\(server.log.suffix(6000))")
    }
}
