import Foundation
import GGUF
import Kernels
import KVCache
import Model
import Sampling

/// Times prompt processing and token generation on one loaded model, the way llama-bench does:
/// every measurement starts from an empty KV cache and does the full work of a real request.
struct BenchmarkRunner {
    let model: LanguageModel
    let kvType: KVElementType
    private static let blockSize = 16

    /// Throws when `kvType` cannot hold this model's heads (checked once, before any timing).
    init(model: LanguageModel, kvType: KVElementType = .f16) throws(KVStorageError) {
        self.model = model
        self.kvType = kvType
        _ = try model.makeKVStorage(blockCount: 1, blockSize: Self.blockSize, elementType: kvType)
    }

    /// Seconds to process `tokens` as a prompt in a fresh cache: one forward pass (or one per
    /// `maxBatchTokens` chunk), asking only for the last token's logits.
    func timePrompt(_ tokens: [Int32]) -> Double {
        let (kv, blockTable) = freshCache(positions: tokens.count)
        var batch = ForwardBatch()
        let clock = ContinuousClock()
        let start = clock.now
        var index = 0
        while index < tokens.count {
            let end = min(tokens.count, index + model.maxBatchTokens)
            batch.removeAll()
            batch.tokens.append(contentsOf: tokens[index..<end])
            batch.segments.append(.init(tokenRange: 0..<(end - index), startPosition: index, blockTable: blockTable))
            // Each chunk asks for its last token's logits, as a chunked prefill does; with the
            // batch limit the command sets, the whole prompt is a single chunk.
            batch.logitIndices.append(end - index - 1)
            _ = model.forward(batch, kv: kv)
            index = end
        }
        return Self.seconds(clock.now - start)
    }

    /// Seconds to generate `steps` tokens greedily from `first` in a fresh cache: one
    /// single-token forward pass per step, each fed the argmax of the previous logits.
    func timeGeneration(from first: Int32, steps: Int) -> Double {
        let (kv, blockTable) = freshCache(positions: steps)
        var batch = ForwardBatch(tokens: [], segments: [], logitIndices: [])
        var token = first
        let clock = ContinuousClock()
        let start = clock.now
        for position in 0..<steps {
            batch.removeAll()
            batch.tokens.append(token)
            batch.segments.append(.init(tokenRange: 0..<1, startPosition: position, blockTable: blockTable))
            batch.logitIndices.append(0)
            token = Self.argmax(model.forward(batch, kv: kv))
        }
        return Self.seconds(clock.now - start)
    }

    /// A KV storage with room for `positions` and the identity block table covering it.
    private func freshCache(positions: Int) -> (KVStorage, [Int32]) {
        let blocks = max(1, (positions + Self.blockSize - 1) / Self.blockSize)
        // The element type was accepted by `init`, so this cannot throw.
        let storage = try! model.makeKVStorage(blockCount: blocks, blockSize: Self.blockSize, elementType: kvType)
        return (storage, (0..<blocks).map { Int32($0) })
    }

    /// Index of the largest value (the first one on ties); 0 for an empty buffer.
    static func argmax(_ values: UnsafeBufferPointer<Float>) -> Int32 {
        var best = 0
        for index in values.indices where values[index] > values[best] { best = index }
        return Int32(best)
    }

    /// `count` token ids drawn uniformly from `0..<vocabularySize` with a fixed seed, so every
    /// run benchmarks the same input.
    static func pseudoRandomTokens(count: Int, vocabularySize: Int, seed: UInt64 = 0x7E4E_BE4C) -> [Int32] {
        guard vocabularySize > 0 else { return [] }
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in Int32(Int.random(in: 0..<vocabularySize, using: &generator)) }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Mean and sample standard deviation (n − 1 denominator) of a series of measurements.
struct SampleStatistics: Equatable {
    let mean: Double
    /// 0 for fewer than two samples.
    let standardDeviation: Double

    init(_ samples: [Double]) {
        guard !samples.isEmpty else {
            mean = 0
            standardDeviation = 0
            return
        }
        let mean = samples.reduce(0, +) / Double(samples.count)
        self.mean = mean
        if samples.count > 1 {
            let squares = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            standardDeviation = (squares / Double(samples.count - 1)).squareRoot()
        } else {
            standardDeviation = 0
        }
    }
}

/// What the benchmark table says about the model file: its name, weight type, size and parameter
/// count, all taken from the GGUF header.
struct ModelSummary: Equatable {
    /// `general.name`, or the file name when the file has none.
    let name: String
    /// The file type llama.cpp writes in `general.file_type` (e.g. `"Q4_K_M"`, which mixes Q4_K
    /// and Q6_K tensors), or else the name of the tensor type holding the most bytes (`"Q4_1"`).
    let weightType: String
    /// Bytes of tensor data.
    let sizeBytes: Int
    /// Total element count of all tensors.
    let parameters: Int

    init(file: GGUFFile, path: String) {
        let metadataName = file.metadata["general.name"]?.stringValue ?? ""
        name = metadataName.isEmpty ? URL(fileURLWithPath: path).lastPathComponent : metadataName
        var bytesByType: [GGMLType: Int] = [:]
        for tensor in file.tensors { bytesByType[tensor.type, default: 0] += tensor.byteCount }
        // Ties go to the lower type number so the label does not depend on dictionary order.
        let predominant = bytesByType.max { a, b in a.value != b.value ? a.value < b.value : a.key.rawValue > b.key.rawValue }
        weightType = file.metadata["general.file_type"]?.intValue.flatMap(Self.llamaFileTypeName) ?? predominant?.key.name ?? "?"
        sizeBytes = file.tensors.reduce(0) { $0 + $1.byteCount }
        parameters = file.tensors.reduce(0) { $0 + $1.elementCount }
    }

    /// Names of llama.cpp's `enum llama_ftype` values (llama.h); nil for values not listed.
    static func llamaFileTypeName(_ value: Int) -> String? {
        switch value {
        case 0: "F32"
        case 1: "F16"
        case 2: "Q4_0"
        case 3: "Q4_1"
        case 7: "Q8_0"
        case 8: "Q5_0"
        case 9: "Q5_1"
        case 10: "Q2_K"
        case 11: "Q3_K_S"
        case 12: "Q3_K_M"
        case 13: "Q3_K_L"
        case 14: "Q4_K_S"
        case 15: "Q4_K_M"
        case 16: "Q5_K_S"
        case 17: "Q5_K_M"
        case 18: "Q6_K"
        case 32: "BF16"
        default: nil
        }
    }

    /// The table's model column, e.g. `"SmolLM2 135M Instruct Q4_1"`.
    var label: String { "\(name) \(weightType)" }

    /// Size in GiB, or in MiB below one GiB, as llama-bench prints it.
    var sizeText: String {
        let mib = Double(sizeBytes) / 1_048_576
        return mib >= 1024 ? String(format: "%.2f GiB", mib / 1024) : String(format: "%.2f MiB", mib)
    }

    /// Parameter count with a decimal suffix, e.g. `"134.52 M"`.
    var parametersText: String {
        let count = Double(parameters)
        if count >= 1e9 { return String(format: "%.2f B", count / 1e9) }
        if count >= 1e6 { return String(format: "%.2f M", count / 1e6) }
        if count >= 1e3 { return String(format: "%.2f K", count / 1e3) }
        return String(parameters)
    }
}
