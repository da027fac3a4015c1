import TernTestSupport
import Engine
import GGUF

/// Loads a fresh tiny model for one test. Each test gets its own bundle, because a model runs one
/// forward pass at a time and tests run in parallel.
@discardableResult
func withTinyBundle<T>(encoding: TinyModelFile.Encoding = .f32, maxBatchTokens: Int = 512,
                       extraMetadata: [(String, GGUFValue)] = [],
                       _ body: (ModelBundle) throws -> T) throws -> T {
    let file = try TinyModelFile(encoding: encoding, extraMetadata: extraMetadata)
    defer { file.remove() }
    let bundle = try ModelBundle(path: file.path, threads: 1, maxBatchTokens: maxBatchTokens)
    return try body(bundle)
}

extension GenerationParameters {
    static func greedy(maxTokens: Int?, ignoreEOS: Bool = true, stop: [String] = []) -> GenerationParameters {
        GenerationParameters(sampling: .greedy, maxTokens: maxTokens, stopStrings: stop, ignoreEOS: ignoreEOS)
    }

    static func seeded(_ seed: UInt64, maxTokens: Int?, ignoreEOS: Bool = true, stop: [String] = []) -> GenerationParameters {
        GenerationParameters(sampling: .init(temperature: 1, seed: seed), maxTokens: maxTokens, stopStrings: stop, ignoreEOS: ignoreEOS)
    }
}
