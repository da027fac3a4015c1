import TernTestSupport
import Engine
import Foundation
import Testing
@testable import TernCLI

/// The commands run for real on a tiny model file, each in a child process (an exit test) so
/// that its standard output and error can be observed.
@Suite struct CommandEndToEndTests {
    static let chatTemplate = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
        + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Ids worked out by hand from the vocabulary layout (see `TinyVocabulary`).
    @Test func tokenizePrintsIds() async throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let path = model.path
        let result = try await #require(processExitsWith: .success, observing: [\.standardOutputContent]) { [path = path as String] in
            try TokenizeCommand.parse(["--model", path, "--threads", "1", "<|im_start|>hi the"]).run()
        }
        #expect(Self.text(result.standardOutputContent) == "[289, 71, 72, 259]\n")
    }

    @Test func runJSONReportsTheGeneration() async throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let path = model.path
        let result = try await #require(processExitsWith: .success, observing: [\.standardOutputContent]) { [path = path as String] in
            try RunCommand.parse(["--model", path, "--threads", "1", "--prompt", "hi the", "--temperature", "0",
                                  "--max-tokens", "4", "--ignore-eos", "--json"]).run()
        }
        let output = Self.text(result.standardOutputContent)
        #expect(output.hasSuffix("}\n") && output.filter { $0 == "\n" }.count == 1, "one JSON line: \(output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutputContent)) as? [String: Any])
        #expect(Set(object.keys) == ["prompt_ids", "output_ids", "text", "finish_reason", "timings"])
        #expect(object["prompt_ids"] as? [Int] == [71, 72, 259])
        #expect(object["finish_reason"] as? String == "length")

        // The same request through the library gives the same ids and text.
        let bundle = try ModelBundle(path: path)
        let expected = try Generator(bundle: bundle).generate(
            prompt: [71, 72, 259], parameters: GenerationParameters(sampling: .greedy, maxTokens: 4, ignoreEOS: true))
        #expect(object["output_ids"] as? [Int] == expected.outputIDs.map(Int.init))
        #expect(object["text"] as? String == expected.text)

        let timings = try #require(object["timings"] as? [String: Any])
        #expect(Set(timings.keys) == ["prompt_tokens", "prompt_ms", "prompt_tokens_per_second",
                                      "generated_tokens", "generation_ms", "generation_tokens_per_second"])
        #expect(timings["prompt_tokens"] as? Int == 3)
        #expect(timings["generated_tokens"] as? Int == 4)
    }

    /// Without --json the text is streamed to stdout and the timing summary goes to stderr.
    @Test func runStreamsText() async throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let path = model.path
        let observed: [any PartialKeyPath<ExitTest.Result> & Sendable] = [\.standardOutputContent, \.standardErrorContent]
        let result = try await #require(processExitsWith: .success, observing: observed) { [path = path as String] in
            try RunCommand.parse(["--model", path, "--threads", "1", "--prompt", "hi the", "--temperature", "0",
                                  "--max-tokens", "6", "--ignore-eos"]).run()
        }
        let bundle = try ModelBundle(path: path)
        let expected = try Generator(bundle: bundle).generate(
            prompt: [71, 72, 259], parameters: GenerationParameters(sampling: .greedy, maxTokens: 6, ignoreEOS: true))
        #expect(Self.text(result.standardOutputContent) == expected.text + "\n")
        #expect(Self.text(result.standardErrorContent).contains("generation: 6 tokens"))
    }

    @Test func templateRendersTheConversation() async throws {
        let model = try TinyModelFile(extraMetadata: [("tokenizer.chat_template", .string(Self.chatTemplate))])
        defer { model.remove() }
        let messages = model.directory.appendingPathComponent("messages.json").path
        try Data(#"[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]"#.utf8)
            .write(to: URL(fileURLWithPath: messages))
        let path = model.path
        let result = try await #require(processExitsWith: .success, observing: [\.standardOutputContent]) {
            [path = path as String, messages = messages as String] in
            try TemplateCommand.parse(["--model", path, "--threads", "1", "--messages", messages]).run()
        }
        #expect(Self.text(result.standardOutputContent)
                == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func templateWithMissingMessagesFileFails() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tern-cli-missing-\(UUID().uuidString)").path
        let messages = directory + "/messages.json"
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            [messages = messages as String] in
            try TemplateCommand.parse(["--messages", messages]).run()
        }
        #expect(Self.text(result.standardErrorContent).contains("cannot read '\(messages)'"))
    }

    /// Errors end the command with a failure status after one line on stderr.
    @Test func missingModelFileFails() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tern-cli-missing-\(UUID().uuidString).gguf").path
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) { [path = path as String] in
            try RunCommand.parse(["--model", path, "--prompt", "hi"]).run()
        }
        let stderr = Self.text(result.standardErrorContent)
        #expect(stderr.hasPrefix("error: "))
        #expect(stderr.contains(path))
    }

    @Test func chatAnswersOneMessage() async throws {
        let model = try TinyModelFile(extraMetadata: [("tokenizer.chat_template", .string(Self.chatTemplate))])
        defer { model.remove() }
        let path = model.path
        let result = try await #require(processExitsWith: .success, observing: [\.standardOutputContent]) { [path = path as String] in
            try ChatCommand.parse(["--model", path, "--threads", "1", "--temperature", "0", "--max-tokens", "5",
                                   "--ignore-eos", "hi"]).run()
        }
        // The prompt the chat template renders for one user turn.
        let bundle = try ModelBundle(path: path)
        let prompt = bundle.tokenizer.encode("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")
        let expected = try Generator(bundle: bundle).generate(
            prompt: prompt, parameters: GenerationParameters(sampling: .greedy, maxTokens: 5, ignoreEOS: true))
        #expect(Self.text(result.standardOutputContent) == expected.text + "\n")
    }
}
