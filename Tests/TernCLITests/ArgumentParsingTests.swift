import ArgumentParser
import Testing
@testable import TernCLI

/// Command-line parsing and validation, without loading a model.
@Suite struct ArgumentParsingTests {
    /// The message ArgumentParser would print for the error `arguments` produce, or nil if they parse.
    func failure(_ arguments: [String]) -> String? {
        do {
            _ = try Tern.parseAsRoot(arguments)
            return nil
        } catch {
            return Tern.message(for: error)
        }
    }

    @Test func runParsesItsOptions() throws {
        let command = try Tern.parseAsRoot([
            "run", "--model", "m.gguf", "--prompt", "Once upon", "--threads", "3", "--max-tokens", "12",
            "--temperature", "0.5", "--top-k", "7", "--top-p", "0.9", "--min-p", "0.1", "--repeat-penalty", "1.1",
            "--seed", "42", "--stop", "END", "--stop", "\n\n", "--ignore-eos", "--json",
        ])
        let run = try #require(command as? RunCommand)
        #expect(run.prompt == "Once upon")
        #expect(run.json)
        #expect(run.modelOptions.model == "m.gguf")
        #expect(run.modelOptions.threads == 3)
        let generation = run.samplingOptions.generation
        #expect(generation.maxTokens == 12)
        #expect(generation.stopStrings == ["END", "\n\n"])
        #expect(generation.ignoreEOS)
        #expect(generation.sampling.temperature == 0.5)
        #expect(generation.sampling.topK == 7)
        #expect(generation.sampling.topP == 0.9)
        #expect(generation.sampling.minP == 0.1)
        #expect(generation.sampling.repetitionPenalty == 1.1)
        #expect(generation.sampling.seed == 42)
    }

    /// Defaults are llama.cpp's: 256 tokens, temperature 0.8, top-k 40, top-p 0.95, min-p 0.05.
    @Test func runDefaults() throws {
        let run = try #require(try Tern.parseAsRoot(["run", "--prompt", "x"]) as? RunCommand)
        #expect(!run.json)
        #expect(run.modelOptions.model == nil)
        #expect(run.modelOptions.threads == nil)
        let generation = run.samplingOptions.generation
        #expect(generation.maxTokens == 256)
        #expect(generation.stopStrings.isEmpty)
        #expect(!generation.ignoreEOS)
        #expect(generation.sampling.temperature == 0.8)
        #expect(generation.sampling.topK == 40)
        #expect(generation.sampling.topP == 0.95)
        #expect(generation.sampling.minP == 0.05)
        #expect(generation.sampling.repetitionPenalty == 1)
        #expect(generation.sampling.seed == nil)
    }

    @Test func runRequiresAPrompt() {
        let message = failure(["run"])
        #expect(message?.contains("--prompt") == true, "\(message ?? "parsed")")
    }

    @Test func zeroThreadsFailsValidation() {
        let message = failure(["run", "--prompt", "x", "--threads", "0"])
        #expect(message?.contains("--threads must be at least 1") == true, "\(message ?? "parsed")")
    }

    @Test func negativeTemperatureFailsValidation() {
        let message = failure(["run", "--prompt", "x", "--temperature=-1"])
        #expect(message?.contains("emperature") == true, "\(message ?? "parsed")")
        #expect(failure(["run", "--prompt", "x", "--temperature", "0"]) == nil)
    }

    @Test func zeroMaxTokensFailsValidation() {
        let message = failure(["run", "--prompt", "x", "--max-tokens", "0"])
        #expect(message?.contains("--max-tokens must be at least 1") == true, "\(message ?? "parsed")")
    }

    @Test func outOfRangeTopPFailsValidation() {
        #expect(failure(["chat", "--top-p", "1.5"]) != nil)
        #expect(failure(["chat", "--top-p", "1"]) == nil)
    }

    @Test func chatMessageIsOptional() throws {
        let interactive = try #require(try Tern.parseAsRoot(["chat"]) as? ChatCommand)
        #expect(interactive.message == nil)
        #expect(interactive.system == nil)
        let oneTurn = try #require(try Tern.parseAsRoot(["chat", "--system", "Be brief.", "Hello there"]) as? ChatCommand)
        #expect(oneTurn.message == "Hello there")
        #expect(oneTurn.system == "Be brief.")
    }

    @Test func tokenizeRequiresText() throws {
        #expect(failure(["tokenize"]) != nil)
        let command = try #require(try Tern.parseAsRoot(["tokenize", "some text"]) as? TokenizeCommand)
        #expect(command.text == "some text")
    }

    @Test func templateRequiresMessages() {
        let message = failure(["template"])
        #expect(message?.contains("--messages") == true, "\(message ?? "parsed")")
    }

    @Test func unknownSubcommandFails() {
        #expect(failure(["frobnicate"]) != nil)
    }
}
