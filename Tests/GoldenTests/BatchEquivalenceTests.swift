import Engine
import Model
import ModelStore
import Sampling
import Testing

/// The serving core's requirement on the real model: sequences computed together in one mixed
/// batch get the same log-probabilities (within 1e-3 nat) as each computed alone.
@Suite(.serialized)
struct BatchEquivalenceTests {
    @Test func mixedBatchMatchesSingleSequenceRuns() throws {
        // Its own copy of the model: the golden suite runs in parallel with this one, and a
        // model runs one forward pass at a time.
        let model = try ModelBundle(path: try ModelStore().ensureDefaultModel(), threads: 2).model
        let vocabulary = model.configuration.vocabularySize
        let golden = GoldenReference.shared
        let sequences = (golden.completions.prefix(3) + golden.chat.prefix(1)).map { $0.prompt_ids + $0.output_ids }

        func logProbabilities(_ logits: UnsafeBufferPointer<Float>, row: Int) -> [Float] {
            let slice = UnsafeBufferPointer(rebasing: logits[(row * vocabulary)..<((row + 1) * vocabulary)])
            let logSumExp = Sampler.logProbabilities(logits: slice, topN: 1).logSumExp
            return slice.map { $0 - logSumExp }
        }

        // Alone: each sequence's every position, in its own cache.
        var alone: [[[Float]]] = []
        for tokens in sequences {
            let blocks = (tokens.count + 15) / 16
            let kv = model.makeKVStorage(blockCount: blocks)
            let logits = model.forward(ForwardBatch(tokens: tokens, segments: [.init(tokenRange: 0..<tokens.count, startPosition: 0,
                                                                                        blockTable: (0..<Int32(blocks)).map { $0 })],
                                                    logitIndices: Array(0..<tokens.count)), kv: kv)
            alone.append((0..<tokens.count).map { logProbabilities(logits, row: $0) })
        }

        // Together: all sequences in one batch over one shared pool, blocks interleaved.
        let blocksPerSequence = sequences.map { ($0.count + 15) / 16 }
        let kv = model.makeKVStorage(blockCount: blocksPerSequence.reduce(0, +))
        var batch = ForwardBatch()
        var nextBlock: Int32 = 0
        var tables = blocksPerSequence.map { _ in [Int32]() }
        for round in 0..<(blocksPerSequence.max() ?? 0) {
            for s in sequences.indices where round < blocksPerSequence[s] {
                tables[s].append(nextBlock)
                nextBlock += 1
            }
        }
        for (s, tokens) in sequences.enumerated() {
            let start = batch.tokens.count
            batch.tokens += tokens
            batch.segments.append(.init(tokenRange: start..<batch.tokens.count, startPosition: 0, blockTable: tables[s]))
            batch.logitIndices += Array(start..<batch.tokens.count)
        }
        let logits = model.forward(batch, kv: kv)
        var row = 0, worst: Float = 0
        for (s, tokens) in sequences.enumerated() {
            for position in 0..<tokens.count {
                let together = logProbabilities(logits, row: row)
                for id in [Int(tokens[min(position + 1, tokens.count - 1)]), 0, 1, 2] {
                    worst = max(worst, abs(together[id] - alone[s][position][id]))
                }
                #expect(together.indices.max { together[$0] < together[$1] } == alone[s][position].indices.max { alone[s][position][$0] < alone[s][position][$1] })
                row += 1
            }
        }
        #expect(worst <= 1e-3)
    }
}
