import ArgumentParser
import Foundation
import GGUF
import TernTestSupport
import Testing
@testable import TernCLI

/// `tern bench`: its options, its statistics and one real run on a tiny model.
@Suite struct BenchCommandTests {
    func parse(_ arguments: [String]) throws -> BenchCommand {
        try #require(try Tern.parseAsRoot(["bench"] + arguments) as? BenchCommand)
    }

    /// The message ArgumentParser would print for the error `arguments` produce, or nil if they parse.
    func failure(_ arguments: [String]) -> String? {
        do {
            _ = try Tern.parseAsRoot(["bench"] + arguments)
            return nil
        } catch {
            return Tern.message(for: error)
        }
    }

    /// Defaults are llama-bench's: pp512, tg128, five repetitions, all cores.
    @Test func defaults() throws {
        let command = try parse([])
        #expect(command.model == nil)
        #expect(command.promptLengths == [512])
        #expect(command.generationLengths == [128])
        #expect(command.threadCounts == [ProcessInfo.processInfo.activeProcessorCount])
        #expect(command.repetitions == 5)
        #expect(!command.json)
    }

    @Test func commaSeparatedLists() throws {
        let command = try parse(["--model", "m.gguf", "-p", "128,256", "-n", "0", "-t", "1,2,4", "-r", "3", "--json"])
        #expect(command.model == "m.gguf")
        #expect(command.promptLengths == [128, 256])
        #expect(command.generationLengths == [0])
        #expect(command.threadCounts == [1, 2, 4])
        #expect(command.repetitions == 3)
        #expect(command.json)
    }

    @Test func longNamesAndRepeatedOptionsAccumulate() throws {
        let command = try parse(["--prompt-tokens", "64", "--prompt-tokens", "32,16", "--gen-tokens", "8",
                                 "--threads", "2", "--repetitions", "1"])
        #expect(command.promptLengths == [64, 32, 16])
        #expect(command.generationLengths == [8])
        #expect(command.threadCounts == [2])
        #expect(command.repetitions == 1)
    }

    @Test func malformedListsAreRejected() {
        #expect(failure(["-p", "128,,256"]) != nil)
        #expect(failure(["-t", "two"]) != nil)
        #expect(failure(["-n", ""]) != nil)
    }

    @Test func validationErrors() {
        #expect(failure(["--prompt-tokens=-1"])?.contains("--prompt-tokens must not be negative") == true)
        #expect(failure(["--gen-tokens=8,-2"])?.contains("--gen-tokens must not be negative") == true)
        #expect(failure(["-t", "1,0"])?.contains("--threads must be at least 1") == true)
        #expect(failure(["--threads=-3"])?.contains("--threads must be at least 1") == true)
        #expect(failure(["-r", "0"])?.contains("--repetitions must be at least 1") == true)
        #expect(failure(["--repetitions=-1"])?.contains("--repetitions must be at least 1") == true)
        #expect(failure(["-p", "0", "-n", "0", "-t", "1", "-r", "1"]) == nil)
    }

    /// Samples 2, 4, 4, 4, 5, 5, 7, 9: mean 40 / 8 = 5; squared deviations sum to
    /// 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32, so the sample sd is √(32 / 7).
    @Test func statisticsOfSeveralSamples() {
        let statistics = SampleStatistics([2, 4, 4, 4, 5, 5, 7, 9])
        #expect(statistics.mean == 5)
        #expect(abs(statistics.standardDeviation - (32.0 / 7).squareRoot()) < 1e-12)
    }

    /// 10 and 20: mean 15, deviations ±5, sample sd √(50 / 1).
    @Test func statisticsOfTwoSamples() {
        let statistics = SampleStatistics([10, 20])
        #expect(statistics.mean == 15)
        #expect(abs(statistics.standardDeviation - 50.0.squareRoot()) < 1e-12)
    }

    @Test func singleSampleHasZeroDeviation() {
        let statistics = SampleStatistics([123.5])
        #expect(statistics.mean == 123.5)
        #expect(statistics.standardDeviation == 0)
    }

    @Test func argmaxTakesTheFirstLargest() {
        let values: [Float] = [0.5, -1, 3, 2, 3]
        #expect(values.withUnsafeBufferPointer { BenchmarkRunner.argmax($0) } == 2)
    }

    @Test func pseudoRandomTokensAreReproducibleAndInRange() {
        let a = BenchmarkRunner.pseudoRandomTokens(count: 200, vocabularySize: 37)
        #expect(a == BenchmarkRunner.pseudoRandomTokens(count: 200, vocabularySize: 37))
        #expect(a.count == 200)
        #expect(a.allSatisfy { $0 >= 0 && $0 < 37 })
        #expect(Set(a).count > 1)
    }

    /// The tiny model: 2 layers of 64-wide F32 matrices; counted by hand from its shapes
    /// (see `TinyModelFile`): embeddings 291×64 (tied output), per layer q 64×64, k 32×64,
    /// v 32×64, o 64×64, gate/up 96×64, down 64×96, two 64-wide norms, plus the output norm.
    @Test func modelSummaryOfTheTinyModel() throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let summary = ModelSummary(file: try GGUFFile(path: model.path), path: model.path)
        let perLayer = 64 * 64 + 32 * 64 + 32 * 64 + 64 * 64 + 96 * 64 * 3 + 64 * 2
        let parameters = 291 * 64 + 2 * perLayer + 64
        #expect(summary.name == "tiny.gguf")
        #expect(summary.weightType == "F32")
        #expect(summary.parameters == parameters)
        #expect(summary.sizeBytes == parameters * 4)
        #expect(summary.label == "tiny.gguf F32")
    }

    @Test func modelSummaryPrefersGeneralName() throws {
        let model = try TinyModelFile(encoding: .q8_0, extraMetadata: [("general.name", .string("Tiny Test"))])
        defer { model.remove() }
        let summary = ModelSummary(file: try GGUFFile(path: model.path), path: model.path)
        #expect(summary.name == "Tiny Test")
        #expect(summary.weightType == "Q8_0")
    }

    /// `general.file_type` names a mixed file by its recipe, not by its most common tensor type;
    /// values llama.h does not list fall back to the tensor count.
    @Test(arguments: [(UInt32(15), "Q4_K_M"), (UInt32(7), "Q8_0"), (UInt32(99), "F32")])
    func modelSummaryUsesTheFileType(value: UInt32, expected: String) throws {
        let model = try TinyModelFile(extraMetadata: [("general.file_type", .uint32(value))])
        defer { model.remove() }
        let summary = ModelSummary(file: try GGUFFile(path: model.path), path: model.path)
        #expect(summary.weightType == expected)
    }

    /// The tiny model with 32-wide heads (2 query heads over 1 key/value head), which a Q8_0
    /// cache can hold.
    @Test func quantizedKVCacheRun() async throws {
        let model = try TinyModelFile(extraMetadata: [("llama.attention.head_count", .uint32(2)), ("llama.attention.head_count_kv", .uint32(1))])
        defer { model.remove() }
        let path = model.path
        let result = try await #require(processExitsWith: .success, observing: [\.standardOutputContent]) { [path = path as String] in
            try BenchCommand.parse(["--model", path, "-p", "8", "-n", "4", "-r", "1", "-t", "1", "--kv-type", "q8_0", "--json"]).run()
        }
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutputContent)) as? [[String: Any]])
        #expect(array.map { $0["kv_type"] as? String } == ["q8_0", "q8_0"])
        #expect(array.allSatisfy { ($0["avg_ts"] as? Double).map { $0 > 0 } == true })
    }

    /// The default tiny model's 16-wide heads are not whole Q8_0 blocks: one line, before timing.
    @Test func quantizedKVCacheRefusesNarrowHeads() async throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let path = model.path
        let result = try await #require(processExitsWith: .failure, observing: [\.standardOutputContent, \.standardErrorContent]) { [path = path as String] in
            try BenchCommand.parse(["--model", path, "-p", "8", "-n", "0", "-r", "1", "-t", "1", "--kv-type", "q8_0", "--json"]).run()
        }
        let message = String(decoding: result.standardErrorContent, as: UTF8.self)
        #expect(message.contains("16"), "\(message)")
        #expect(message.split(separator: "\n").count == 1)
        #expect(result.standardOutputContent.isEmpty)
    }

    @Test func jsonRunOnTheTinyModel() async throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let path = model.path
        let result = try await #require(processExitsWith: .success, observing: [\.standardOutputContent]) { [path = path as String] in
            try BenchCommand.parse(["--model", path, "-p", "8", "-n", "4", "-r", "2", "-t", "1", "--json"]).run()
        }
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutputContent)) as? [[String: Any]])
        #expect(array.count == 2)
        let keys: Set<String> = ["model", "model_type", "model_size_bytes", "model_params", "threads", "kv_type", "test", "n_prompt",
                                 "n_gen", "repetitions", "samples_ts", "avg_ts", "stddev_ts"]
        for object in array {
            #expect(Set(object.keys) == keys)
            #expect(object["model"] as? String == "tiny.gguf")
            #expect(object["model_type"] as? String == "F32")
            #expect(object["threads"] as? Int == 1)
            #expect(object["kv_type"] as? String == "f16")
            #expect(object["repetitions"] as? Int == 2)
            let samples = try #require(object["samples_ts"] as? [Double])
            #expect(samples.count == 2 && samples.allSatisfy { $0 > 0 && $0.isFinite })
            let average = try #require(object["avg_ts"] as? Double)
            #expect(abs(average - (samples[0] + samples[1]) / 2) <= 1e-9 * average)
            #expect((object["stddev_ts"] as? Double).map { $0 >= 0 } == true)
        }
        #expect(array.map { $0["test"] as? String } == ["pp8", "tg4"])
        #expect(array.map { $0["n_prompt"] as? Int } == [8, 0])
        #expect(array.map { $0["n_gen"] as? Int } == [0, 4])
    }

    @Test func tableRunOnTheTinyModel() async throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let path = model.path
        let result = try await #require(processExitsWith: .success, observing: [\.standardOutputContent]) { [path = path as String] in
            try BenchCommand.parse(["--model", path, "-p", "4", "-n", "0", "-r", "1", "-t", "1"]).run()
        }
        let lines = String(decoding: result.standardOutputContent, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.contains("| model") == true && lines.first?.contains("t/s") == true)
        let row = lines.last.map(String.init) ?? ""
        #expect(row.hasPrefix("| tiny.gguf F32"))
        #expect(row.contains("| pp4 |") || row.contains(" pp4 |"))
        #expect(row.contains(" ± 0.00 |"))
    }

    @Test func missingModelFails() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tern-bench-missing-\(UUID().uuidString).gguf").path
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) { [path = path as String] in
            try BenchCommand.parse(["--model", path, "-r", "1"]).run()
        }
        let stderr = String(decoding: result.standardErrorContent, as: UTF8.self)
        #expect(stderr.hasPrefix("error: ") && stderr.contains(path))
    }
}
