import Foundation
import TernTestSupport
import Testing
@testable import TernCLI

/// `tern batch` on the tiny model, in a child process so its output can be read.
struct BatchCommandTests {
    static func report(_ arguments: [String]) async throws -> [String: Any] {
        let model = try TinyModelFile(extraMetadata: [("tokenizer.chat_template", .string(CommandEndToEndTests.chatTemplate))])
        defer { model.remove() }
        let path = model.path
        let outcome = await #expect(processExitsWith: .exitCode(0), observing: [\.standardOutputContent, \.standardErrorContent]) {
            [path = path as String, arguments = arguments as [String]] in
            try BatchCommand.parse(["--model", path, "--threads", "1", "--requests", "6", "--prompt-tokens", "10",
                                    "--max-tokens", "4", "--block-size", "4", "--json"] + arguments).run()
        }
        let result = try #require(outcome)
        let object = try? JSONSerialization.jsonObject(with: Data(result.standardOutputContent)) as? [String: Any]
        return try #require(object, "stderr: \(String(decoding: result.standardErrorContent, as: UTF8.self))")
    }

    /// Every prompt token is either computed or found in the cache, and a shared system
    /// prompt is found in the cache by all but the first request.
    @Test func sharedPrefixIsComputedOnce() async throws {
        let cached = try await Self.report(["--shared-prefix", "16"])
        let prompt = try #require(cached["prompt_tokens"] as? Int)
        let hits = try #require(cached["cached_prompt_tokens"] as? Int)
        #expect(cached["output_tokens"] as? Int == 24)
        #expect(cached["prompt_tokens_computed"] as? Int == prompt - hits)
        // The shared part spans at least 4 full blocks of 4 tokens, reused by the 6 requests
        // (the single-request run before them computed it first).
        #expect(hits >= 6 * 16)
        #expect(cached["preemptions"] as? Int == 0)
        let waste = try #require(cached["kv_waste_fraction"] as? Double)
        #expect(waste >= 0 && waste < 0.5)
        #expect((cached["speedup_over_single_stream"] as? Double ?? 0) > 0)

        let uncached = try await Self.report(["--shared-prefix", "16", "--no-prefix-caching"])
        #expect(uncached["prompt_tokens"] as? Int == prompt)
        #expect(uncached["cached_prompt_tokens"] as? Int == 0)
        #expect(uncached["prompt_tokens_computed"] as? Int == prompt)
    }
}
