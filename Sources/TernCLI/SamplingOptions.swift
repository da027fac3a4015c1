import ArgumentParser
import Engine
import Sampling

/// Generation options shared by `run` and `chat`. Defaults follow llama.cpp's command-line tools.
struct SamplingOptions: ParsableArguments {
    @Option(help: "Maximum tokens to generate.") var maxTokens: Int = 256
    @Option(help: "Sampling temperature; 0 means greedy.") var temperature: Float = 0.8
    @Option(help: "Keep only the K most likely tokens (0 = off).") var topK: Int = 40
    @Option(help: "Nucleus sampling threshold (1 = off).") var topP: Float = 0.95
    @Option(help: "Drop tokens below this fraction of the top probability (0 = off).") var minP: Float = 0.05
    @Option(help: "Penalty for repeating recent tokens (1 = off).") var repeatPenalty: Float = 1
    @Option(help: "OpenAI-style presence penalty.") var presencePenalty: Float = 0
    @Option(help: "OpenAI-style frequency penalty.") var frequencyPenalty: Float = 0
    @Option(help: "Random seed for reproducible sampling.") var seed: UInt64?
    @Option(help: "Stop when the output contains this text (repeatable).") var stop: [String] = []
    @Flag(help: "Do not stop at end-of-generation tokens.") var ignoreEOS = false

    func validate() throws {
        if maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        do { try sampling.validate() } catch { throw ValidationError(error.description) }
    }

    var sampling: SamplingParameters {
        SamplingParameters(temperature: temperature, topK: topK, topP: topP, minP: minP,
                           repetitionPenalty: repeatPenalty, presencePenalty: presencePenalty,
                           frequencyPenalty: frequencyPenalty, seed: seed)
    }

    var generation: GenerationParameters {
        GenerationParameters(sampling: sampling, maxTokens: maxTokens, stopStrings: stop, ignoreEOS: ignoreEOS)
    }
}
