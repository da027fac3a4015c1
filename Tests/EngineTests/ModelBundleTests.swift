import TernTestSupport
import Engine
import Foundation
import GGUF
import Testing

/// Loading a model file: the tokenizer it carries, and files that are not models.
@Suite struct ModelBundleTests {
    /// Ids worked out by hand from `TinyVocabulary`'s layout: GPT-2 byte order puts "h" (0x68)
    /// at 0x68 − 0x21 = 71, "i" at 72, and the space stand-in "Ġ" at 188 + 32 = 220 (as in
    /// GPT-2's own vocabulary); merged tokens start at 256.
    @Test func tokenizerComesFromTheFile() throws {
        try withTinyBundle { bundle in
            let tokenizer = bundle.tokenizer
            #expect(tokenizer.vocabularySize == 291)
            #expect(tokenizer.eosID == 290)
            #expect(tokenizer.isEndOfGeneration(290))
            #expect(!tokenizer.addsBOS)
            #expect(tokenizer.encode("<|im_start|>hi the") == [289, 71, 72, 259])
            #expect(tokenizer.encode(" ") == [220])
            // "l l" outranks "t e": t e l l → t e ll → te ll.
            #expect(tokenizer.encode("tell") == [272, 260])
            #expect(tokenizer.decode([289, 71, 72, 259, 290]) == "hi the")
            #expect(tokenizer.tokenText(290) == "<|im_end|>")
        }
    }

    @Test func modelConfigurationComesFromTheFile() throws {
        try withTinyBundle { bundle in
            let c = bundle.model.configuration
            #expect(c.layers == 2 && c.embeddingSize == 64 && c.heads == 4 && c.kvHeads == 2)
            #expect(c.vocabularySize == 291 && c.contextLength == 128)
        }
    }

    @Test func fileWithoutChatTemplateReportsIt() throws {
        try withTinyBundle { bundle in
            #expect(bundle.chatTemplate == nil)
            #expect(throws: EngineError.self) { try bundle.renderChat([]) }
        }
    }

    @Test func nonGGUFFileIsAModelErrorNamingThePath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tern-engine-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("not-a-model.gguf").path
        try Data("this is plain text, not a GGUF file\n".utf8).write(to: URL(fileURLWithPath: path))

        let error = #expect(throws: EngineError.self) { try ModelBundle(path: path) }
        guard case .model(let message) = error else {
            Issue.record("expected a model error, got \(String(describing: error))")
            return
        }
        #expect(message.contains(path))
    }

    @Test func missingFileIsAModelErrorNamingThePath() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tern-missing-\(UUID().uuidString).gguf").path
        let error = #expect(throws: EngineError.self) { try ModelBundle(path: path) }
        guard case .model(let message) = error else {
            Issue.record("expected a model error, got \(String(describing: error))")
            return
        }
        #expect(message.contains(path))
    }

    /// A valid GGUF whose tokenizer model is unknown fails as a model error, not a crash.
    @Test func unsupportedTokenizerIsAModelError() throws {
        let error = #expect(throws: EngineError.self) {
            try withTinyBundle(extraMetadata: [("tokenizer.ggml.model", .string("bert"))]) { _ in }
        }
        guard case .model(let message) = error else {
            Issue.record("expected a model error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("bert"))
    }
}
