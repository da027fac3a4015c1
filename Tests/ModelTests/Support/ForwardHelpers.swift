import KVCache
import Model

extension LanguageModel {
    /// Builds the model of `tiny`, held in memory.
    static func load(_ tiny: TinyLlama, threads: Int = 1, maxBatchTokens: Int = 64) throws -> LanguageModel {
        try LanguageModel(file: try tiny.file(), maxBatchTokens: maxBatchTokens, threads: threads)
    }

    /// Runs `tokens` of one sequence starting at `startPosition` and returns the logits of every
    /// token, one array per token.
    func run(_ tokens: [Int32], from startPosition: Int = 0, blockTable: [Int32], kv: KVStorage) -> [[Float]] {
        let batch = ForwardBatch(tokens: tokens,
                                 segments: [.init(tokenRange: 0..<tokens.count, startPosition: startPosition, blockTable: blockTable)],
                                 logitIndices: Array(tokens.indices))
        return rows(forward(batch, kv: kv))
    }

    /// Splits a forward pass's logits into one array per requested token.
    func rows(_ logits: UnsafeBufferPointer<Float>) -> [[Float]] {
        let v = configuration.vocabularySize
        return (0..<logits.count / v).map { Array(logits[$0 * v..<($0 + 1) * v]) }
    }
}

/// Largest absolute difference divided by the largest magnitude in `expected`.
func relativeError(_ actual: [Float], _ expected: [Double]) -> Double {
    precondition(actual.count == expected.count)
    let scale = expected.map(abs).max() ?? 0
    let worst = zip(actual, expected).map { abs(Double($0) - $1) }.max() ?? 0
    return scale > 0 ? worst / scale : worst
}

func relativeError(_ actual: [Float], _ expected: [Float]) -> Double {
    relativeError(actual, expected.map(Double.init))
}

func argmax<T: Comparable>(_ values: [T]) -> Int {
    values.indices.max { values[$0] < values[$1] } ?? -1
}
