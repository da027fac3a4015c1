import Kernels
import Model
import Testing

/// Different ways of feeding the same tokens through `forward` must give the same logits.
@Suite struct BatchingEquivalenceTests {
    static let types: [WeightType] = [.f32, .q4_1]

    let promptA: [Int32] = [289, 40, 71, 260, 7]
    let contextB: [Int32] = [12, 250, 99, 256]
    let contextC: [Int32] = [3, 3, 190, 41, 288, 67, 18]
    let nextB: Int32 = 140
    let nextC: Int32 = 64

    /// One batch holding a decode token of B, a 5-token prompt chunk of A and a decode token of C,
    /// against each sequence run alone, token by token.
    @Test(arguments: types)
    func mixedBatchEqualsSequentialRuns(type: WeightType) throws {
        let model = try LanguageModel.load(TinyLlama(weightType: type), threads: 2)

        // Batched: B and C have their earlier context cached already (4 slots per block).
        let kv = model.makeKVStorage(blockCount: 8, blockSize: 4)
        let tableA: [Int32] = [0, 1], tableB: [Int32] = [2, 3], tableC: [Int32] = [4, 5]
        _ = model.run(contextB, blockTable: tableB, kv: kv)
        _ = model.run(contextC, blockTable: tableC, kv: kv)
        let batch = ForwardBatch(
            tokens: [nextB] + promptA + [nextC],
            segments: [
                .init(tokenRange: 0..<1, startPosition: contextB.count, blockTable: tableB),
                .init(tokenRange: 1..<6, startPosition: 0, blockTable: tableA),
                .init(tokenRange: 6..<7, startPosition: contextC.count, blockTable: tableC),
            ],
            logitIndices: [6, 0, 1, 2, 3, 4, 5])
        let batched = model.rows(model.forward(batch, kv: kv))

        // Sequential: one sequence at a time, one token per forward pass, in a fresh cache.
        func alone(_ tokens: [Int32]) -> [[Float]] {
            let kv = model.makeKVStorage(blockCount: 2, blockSize: 4)
            return tokens.indices.map { i in model.run([tokens[i]], from: i, blockTable: [0, 1], kv: kv)[0] }
        }
        let sequentialA = alone(promptA)
        let sequentialB = alone(contextB + [nextB])
        let sequentialC = alone(contextC + [nextC])

        let pairs: [(String, [Float], [Float])] = [
            ("C last", batched[0], sequentialC.last!),
            ("B last", batched[1], sequentialB.last!),
        ] + promptA.indices.map { ("A \($0)", batched[2 + $0], sequentialA[$0]) }
        for (label, got, want) in pairs {
            let error = relativeError(got, want)
            #expect(error < 1e-4, "\(type) \(label): relative error \(error)")
            #expect(argmax(got) == argmax(want), "\(type) \(label)")
        }
    }

    @Test(arguments: types)
    func chunkedPrefillEqualsWholePrompt(type: WeightType) throws {
        let model = try LanguageModel.load(TinyLlama(weightType: type))
        let prompt: [Int32] = [289, 71, 10, 260, 33, 8, 250, 256, 90, 4, 77]

        let wholeKV = model.makeKVStorage(blockCount: 3, blockSize: 4)
        let whole = model.run(prompt, blockTable: [0, 1, 2], kv: wholeKV)

        let chunkedKV = model.makeKVStorage(blockCount: 3, blockSize: 4)
        var chunked: [[Float]] = []
        for start in stride(from: 0, to: prompt.count, by: 3) {
            let chunk = Array(prompt[start..<min(prompt.count, start + 3)])
            chunked += model.run(chunk, from: start, blockTable: [0, 1, 2], kv: chunkedKV)
        }

        #expect(chunked.count == prompt.count)
        for position in prompt.indices {
            let error = relativeError(chunked[position], whole[position])
            #expect(error < 1e-4, "\(type) position \(position): relative error \(error)")
        }
        #expect(argmax(chunked.last!) == argmax(whole.last!))
    }

    /// A sequence whose blocks are scattered through the cache reads back its own keys and values.
    @Test(arguments: types)
    func scatteredBlockTableEqualsContiguous(type: WeightType) throws {
        let model = try LanguageModel.load(TinyLlama(weightType: type))
        let tokens: [Int32] = [5, 280, 19, 289, 44, 44, 120, 9, 63, 201, 15]

        let contiguousKV = model.makeKVStorage(blockCount: 8, blockSize: 4)
        let contiguous = model.run(tokens, blockTable: [0, 1, 2], kv: contiguousKV)

        // The other blocks hold a different sequence, so reading a wrong block changes the result.
        let scatteredKV = model.makeKVStorage(blockCount: 8, blockSize: 4)
        _ = model.run(Array(tokens.reversed()) + [1], blockTable: [0, 1, 3], kv: scatteredKV)
        _ = model.run([7, 7, 7, 7, 7, 7, 7, 7], blockTable: [4, 6], kv: scatteredKV)
        let scattered = model.run(tokens, blockTable: [5, 2, 7], kv: scatteredKV)

        for position in tokens.indices {
            let error = relativeError(scattered[position], contiguous[position])
            #expect(error < 1e-4, "\(type) position \(position): relative error \(error)")
        }
    }

    /// Decoding token by token through a scattered table equals one prefill of the whole sequence.
    @Test func scatteredDecodeEqualsPrefill() throws {
        let model = try LanguageModel.load(TinyLlama(weightType: .q8_0))
        let tokens: [Int32] = [289, 100, 101, 102, 257, 258, 30, 31, 32, 290]
        let prefill = model.run(tokens, blockTable: [0, 1, 2, 3, 4], kv: model.makeKVStorage(blockCount: 5, blockSize: 2))
        let kv = model.makeKVStorage(blockCount: 6, blockSize: 2)
        let table: [Int32] = [4, 0, 5, 2, 3]
        let decoded = tokens.indices.map { model.run([tokens[$0]], from: $0, blockTable: table, kv: kv)[0] }
        for position in tokens.indices {
            #expect(relativeError(decoded[position], prefill[position]) < 1e-4, "position \(position)")
        }
    }

    /// More threads split the same work differently but compute the same numbers.
    @Test func threadCountDoesNotChangeLogits() throws {
        let tiny = TinyLlama(weightType: .q4_0)
        let tokens: [Int32] = [289, 1, 2, 3, 4, 5, 6, 7, 8]
        let one = try LanguageModel.load(tiny, threads: 1)
        let two = try LanguageModel.load(tiny, threads: 2)
        let a = one.run(tokens, blockTable: [0], kv: one.makeKVStorage(blockCount: 1, blockSize: 16))
        let b = two.run(tokens, blockTable: [0], kv: two.makeKVStorage(blockCount: 1, blockSize: 16))
        #expect(a == b)
    }
}
