import ArgumentParser
import Engine
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Complete a raw prompt, streaming the text.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "The prompt text (special tokens such as <|im_start|> are recognised).") var prompt: String
    @OptionGroup var samplingOptions: SamplingOptions
    @OptionGroup var kvTypeOptions: KVTypeOptions
    @Flag(help: "Print one JSON object with ids, text, finish reason and timings instead of streaming.") var json = false

    func run() throws {
        try reportingErrors {
            let bundle = try modelOptions.load()
            let generator: Generator
            do { generator = try Generator(bundle: bundle, kvType: kvTypeOptions.kvType) } catch { throw CLIError("\(error)") }
            let promptIDs = bundle.tokenizer.encode(prompt, addSpecial: true, parseSpecial: true)
            let result: GenerationResult
            do {
                result = try generator.generate(prompt: promptIDs, parameters: samplingOptions.generation) { text in
                    if !json { writeOut(text) }
                }
            } catch {
                throw CLIError("\(error)")
            }
            if json {
                writeOut(try RunReport(result).jsonLine())
            } else {
                writeOut("\n")
                printError(result.timings.summary)
            }
        }
    }
}

/// The `--json` output of `tern run`.
struct RunReport: Encodable {
    struct Timings: Encodable {
        let prompt_tokens: Int
        let prompt_ms: Double
        let prompt_tokens_per_second: Double
        let generated_tokens: Int
        let generation_ms: Double
        let generation_tokens_per_second: Double
    }
    let prompt_ids: [Int32]
    let output_ids: [Int32]
    let text: String
    let finish_reason: String
    let timings: Timings

    init(_ result: GenerationResult) {
        prompt_ids = result.promptIDs
        output_ids = result.outputIDs
        text = result.text
        finish_reason = result.finishReason.rawValue
        let t = result.timings
        timings = Timings(prompt_tokens: t.promptTokens, prompt_ms: t.promptSeconds * 1000,
                          prompt_tokens_per_second: t.promptTokensPerSecond, generated_tokens: t.generatedTokens,
                          generation_ms: t.generationSeconds * 1000, generation_tokens_per_second: t.generationTokensPerSecond)
    }

    func jsonLine() throws(CLIError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n" } catch { throw CLIError("cannot encode JSON: \(error)") }
    }
}

extension GenerationTimings {
    var summary: String {
        String(format: "prompt: %d tokens, %.1f tok/s | generation: %d tokens, %.1f tok/s",
               promptTokens, promptTokensPerSecond, generatedTokens, generationTokensPerSecond)
    }
}
