import Engine
import Kernels
import Model
import Sampling

/// What the golden suites measure against llama.cpp's outputs, for one KV element type.
enum GoldenMeasurement {
    struct TeacherForcing {
        var positions = 0
        var agreeing = 0
        var totalDifference = 0.0
        var agreement: Double { Double(agreeing) / Double(positions) }
        var meanDifference: Double { totalDifference / Double(positions) }
    }

    /// Prompt + reference output in one batch: top-1 agreement and |Δ log-probability| of the
    /// reference token at every generated position.
    static func teacherForcing(_ model: LanguageModel, _ golden: GoldenReference, kvType: KVElementType) throws -> TeacherForcing {
        let vocabulary = model.configuration.vocabularySize
        var result = TeacherForcing()
        for item in golden.completions + golden.chat {
            let tokens = item.prompt_ids + item.output_ids
            let blocks = (tokens.count + 15) / 16
            let kv = try model.makeKVStorage(blockCount: blocks, elementType: kvType)
            let first = item.prompt_ids.count - 1
            let batch = ForwardBatch(
                tokens: tokens,
                segments: [.init(tokenRange: 0..<tokens.count, startPosition: 0, blockTable: (0..<Int32(blocks)).map { $0 })],
                logitIndices: Array(first..<(tokens.count - 1)))
            let logits = model.forward(batch, kv: kv)
            for (row, step) in item.steps.enumerated() {
                let rowLogits = UnsafeBufferPointer(rebasing: logits[(row * vocabulary)..<((row + 1) * vocabulary)])
                let (logSumExp, top) = Sampler.logProbabilities(logits: rowLogits, topN: 1)
                guard let reference = step.top.first(where: { Int32($0[0]) == step.id }) else {
                    throw GoldenError.referenceTokenMissing(step.id)
                }
                result.positions += 1
                if top[0].id == Int32(step.top[0][0]) { result.agreeing += 1 }
                result.totalDifference += abs(Double(rowLogits[Int(step.id)] - logSumExp) - reference[1])
            }
        }
        return result
    }

    /// One greedy generation against its reference: the part compared token for token is the
    /// output before the reference's first close call (top-2 gap under `tieMargin`).
    struct GreedyItem {
        let item: GoldenReference.GenerationCase
        let result: GenerationResult
        let checked: Int
        var generatedPrefix: [Int32] { Array(result.outputIDs.prefix(checked)) }
        var referencePrefix: [Int32] { Array(item.output_ids.prefix(checked)) }
    }

    struct Greedy {
        var items: [GreedyItem] = []
        /// Tokens compared before close calls, over all items.
        var checkedTokens: Int { items.reduce(0) { $0 + $1.checked } }
        /// Tokens matching the reference before the first divergence (up to its first near-tie).
        var matchedPrefix: Int {
            items.reduce(0) { total, entry in
                let comparable = entry.item.first_near_tie ?? entry.item.output_ids.count
                return total + zip(entry.result.outputIDs.prefix(comparable), entry.item.output_ids).prefix { $0 == $1 }.count
            }
        }
    }

    /// Free-running greedy generation (prefill then decode kernels) for every golden item.
    static func greedy(_ bundle: ModelBundle, _ golden: GoldenReference, kvType: KVElementType, tieMargin: Double) throws -> Greedy {
        var greedy = Greedy()
        for item in golden.completions + golden.chat {
            let generator = try Generator(bundle: bundle, contextLength: 256, kvType: kvType)
            let result = try generator.generate(prompt: item.prompt_ids,
                                                parameters: GenerationParameters(sampling: .greedy, maxTokens: item.output_ids.count))
            let gaps = item.steps.map { $0.top[0][1] - $0.top[1][1] }
            let firstCloseCall = gaps.firstIndex { $0 < tieMargin } ?? gaps.count
            greedy.items.append(GreedyItem(item: item, result: result, checked: min(firstCloseCall, item.first_near_tie ?? gaps.count)))
        }
        return greedy
    }

    enum GoldenError: Error { case referenceTokenMissing(Int32) }
}
