import ArgumentParser
import Foundation
import GGUF
import Kernels
import Model
import ModelStore

/// `tern bench model` (the default of `tern bench`): prompt-processing (ppN) and generation
/// (tgN) throughput of the engine in process, llama-bench style.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Measure prompt processing (ppN) and generation (tgN) speed in tokens per second, like llama-bench.")

    @Option(name: .long, help: "Path to a GGUF model file (default: SmolLM2-135M-Instruct Q4_1, fetched on first use).")
    var model: String?

    @Option(name: [.customShort("p"), .long], help: "Prompt lengths to time, comma-separated (0 skips the prompt test).")
    var promptTokens: [CountList] = [CountList([512])]

    @Option(name: [.customShort("n"), .long], help: "Generation lengths to time, comma-separated (0 skips the generation test).")
    var genTokens: [CountList] = [CountList([128])]

    @Option(name: [.customShort("t"), .long], help: "Thread counts to time, comma-separated (default: number of cores).")
    var threads: [CountList] = [CountList([ProcessInfo.processInfo.activeProcessorCount])]

    @Option(name: [.customShort("r"), .long], help: "Timed runs of each test.")
    var repetitions: Int = 5

    @OptionGroup var kvTypeOptions: KVTypeOptions

    @Flag(help: "Print one JSON array of results instead of a Markdown table.")
    var json = false

    var promptLengths: [Int] { promptTokens.flatMap(\.values) }
    var generationLengths: [Int] { genTokens.flatMap(\.values) }
    var threadCounts: [Int] { threads.flatMap(\.values) }

    func validate() throws {
        if promptLengths.contains(where: { $0 < 0 }) { throw ValidationError("--prompt-tokens must not be negative") }
        if generationLengths.contains(where: { $0 < 0 }) { throw ValidationError("--gen-tokens must not be negative") }
        if threadCounts.contains(where: { $0 < 1 }) { throw ValidationError("--threads must be at least 1") }
        if repetitions < 1 { throw ValidationError("--repetitions must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let path: String
            do { path = try ModelStore().resolve(model) { printError($0) } } catch { throw CLIError("\(error)") }
            let file: GGUFFile
            do { file = try GGUFFile(path: path) } catch { throw CLIError("cannot load model '\(path)': \(error)") }
            let summary = ModelSummary(file: file, path: path)
            let prompts = promptLengths.filter { $0 > 0 }, generations = generationLengths.filter { $0 > 0 }
            let table = BenchTable(summary: summary)
            if !json { writeOut(table.header) }

            var results: [BenchResult] = []
            for threadCount in threadCounts {
                let languageModel: LanguageModel
                do {
                    languageModel = try LanguageModel(file: file, maxBatchTokens: max(512, prompts.max() ?? 0), threads: threadCount)
                } catch {
                    throw CLIError("cannot load model '\(path)': \(error)")
                }
                let runner: BenchmarkRunner
                do { runner = try BenchmarkRunner(model: languageModel, kvType: kvTypeOptions.kvType) } catch { throw CLIError("\(error)") }
                let vocabularySize = languageModel.configuration.vocabularySize
                let tokens = BenchmarkRunner.pseudoRandomTokens(count: max(prompts.max() ?? 0, 1), vocabularySize: vocabularySize)
                // One untimed run of each kind of pass to fault in the weights and warm caches.
                if let first = prompts.first { _ = runner.timePrompt(Array(tokens.prefix(first))) }
                if !generations.isEmpty { _ = runner.timeGeneration(from: tokens[0], steps: 1) }

                func record(test: String, prompt: Int, generated: Int, time: () -> Double) {
                    let count = Double(prompt + generated)
                    let samples = (0..<repetitions).map { _ in count / max(time(), 1e-9) }
                    let result = BenchResult(summary: summary, threads: threadCount, kvType: kvTypeOptions.kvType, test: test, prompt: prompt,
                                             generated: generated, samples: samples)
                    results.append(result)
                    if !json { writeOut(table.row(result)) }
                }
                for length in prompts {
                    record(test: "pp\(length)", prompt: length, generated: 0) { runner.timePrompt(Array(tokens.prefix(length))) }
                }
                for length in generations {
                    record(test: "tg\(length)", prompt: 0, generated: length) { runner.timeGeneration(from: tokens[0], steps: length) }
                }
            }
            if json { writeOut(try BenchResult.jsonArray(results)) }
        }
    }
}

/// A comma-separated list of integers, as llama-bench takes them (`-p 128,512`).
struct CountList: ExpressibleByArgument, Equatable {
    let values: [Int]

    init(_ values: [Int]) { self.values = values }

    init?(argument: String) {
        var values: [Int] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(value)
        }
        self.values = values
    }

    var defaultValueDescription: String { values.map(String.init).joined(separator: ",") }
}

/// One (test, thread count) measurement; its property names are the `--json` keys.
struct BenchResult: Encodable {
    let model: String
    let model_type: String
    let model_size_bytes: Int
    let model_params: Int
    let threads: Int
    let kv_type: String
    let test: String
    let n_prompt: Int
    let n_gen: Int
    let repetitions: Int
    let samples_ts: [Double]
    let avg_ts: Double
    let stddev_ts: Double

    init(summary: ModelSummary, threads: Int, kvType: KVElementType, test: String, prompt: Int, generated: Int, samples: [Double]) {
        model = summary.name
        model_type = summary.weightType
        model_size_bytes = summary.sizeBytes
        model_params = summary.parameters
        self.threads = threads
        kv_type = kvType.rawValue
        self.test = test
        n_prompt = prompt
        n_gen = generated
        repetitions = samples.count
        samples_ts = samples
        let statistics = SampleStatistics(samples)
        avg_ts = statistics.mean
        stddev_ts = statistics.standardDeviation
    }

    static func jsonArray(_ results: [BenchResult]) throws(CLIError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return String(decoding: try encoder.encode(results), as: UTF8.self) + "\n" } catch { throw CLIError("cannot encode JSON: \(error)") }
    }
}

/// The Markdown table of the human-readable output, laid out like llama-bench's.
struct BenchTable {
    let summary: ModelSummary
    private let modelWidth: Int

    init(summary: ModelSummary) {
        self.summary = summary
        modelWidth = max(30, summary.label.count)
    }

    var header: String {
        line(["model", "size", "params", "threads", "test", "t/s"])
            + "| " + String(repeating: "-", count: modelWidth) + " | ---------: | ---------: | ------: | --------------: | -------------------: |\n"
    }

    func row(_ result: BenchResult) -> String {
        let speed = String(format: "%.2f ± %.2f", result.avg_ts, result.stddev_ts)
        return line([summary.label, summary.sizeText, summary.parametersText, String(result.threads), result.test, speed])
    }

    private func line(_ cells: [String]) -> String {
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        let model = cells[0] + String(repeating: " ", count: max(0, modelWidth - cells[0].count))
        return "| \(model) | \(right(cells[1], 10)) | \(right(cells[2], 10)) | \(right(cells[3], 7)) | \(right(cells[4], 15)) | \(right(cells[5], 20)) |\n"
    }
}
