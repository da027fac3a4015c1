import Sampling
import Testing

struct GreedyAndDeterminismTests {
    @Test func greedyPicksTheArgmax() {
        let picked = draws(.greedy, logits: [0.1, 2.5, -1, 2.4], count: 3)
        #expect(picked == [1, 1, 1])
    }

    @Test func greedyBreaksTiesTowardTheLowestID() {
        #expect(draws(.greedy, logits: [1, 3, 3, 2], count: 1) == [1])
        #expect(draws(.greedy, logits: [5, 5, 5], count: 1) == [0])
    }

    @Test func negativeTemperatureIsGreedy() {
        #expect(draws(SamplingParameters(temperature: -1), logits: [0, 0, 9, 1], count: 5) == [2, 2, 2, 2, 2])
    }

    @Test func greedyIgnoresNaNAndRanksPositiveInfinityFirst() {
        #expect(draws(.greedy, logits: [.nan, 1, 2], count: 1) == [2])
        #expect(draws(.greedy, logits: [1, .infinity, 2], count: 1) == [1])
    }

    @Test func allNegativeInfinityYieldsTokenZero() {
        let logits: [Float] = [-.infinity, -.infinity, -.infinity]
        #expect(draws(.greedy, logits: logits, count: 1) == [0])
        #expect(draws(SamplingParameters(seed: 1), logits: logits, count: 1) == [0])
    }

    @Test func samplingNeverPicksANaNOrNegativeInfinityToken() {
        let logits: [Float] = [.nan, 0, -.infinity, 0]
        let picked = Set(draws(SamplingParameters(seed: 3), logits: logits, count: 2_000))
        #expect(picked == [1, 3])
    }

    @Test func greedyConsumesNoRandomnessAndSamplingConsumesOneOutput() {
        var greedy = Sampler(parameters: SamplingParameters(temperature: 0, seed: 5), vocabularySize: 3)
        let before = greedy.generator
        var logits: [Float] = [0, 1, 2]
        _ = logits.withUnsafeMutableBufferPointer { greedy.sample(logits: $0, history: [Int32]()) }
        #expect(greedy.generator == before)

        var sampler = Sampler(parameters: SamplingParameters(seed: 5), vocabularySize: 3)
        var expected = sampler.generator
        _ = expected.next()
        logits = [0, 1, 2]
        _ = logits.withUnsafeMutableBufferPointer { sampler.sample(logits: $0, history: [Int32]()) }
        #expect(sampler.generator == expected)
    }

    @Test func sameSeedReproducesTheSameDraws() {
        let logits: [Float] = [0, 0.5, 1, 1.5, 2, 1.5, 1, 0.5]
        let parameters = SamplingParameters(temperature: 1.3, seed: 7)
        let first = draws(parameters, logits: logits, count: 300)
        let second = draws(parameters, logits: logits, count: 300)
        #expect(first == second)
        #expect(Set(first).count > 4)
    }

    @Test func differentSeedsGiveDifferentDraws() {
        let logits: [Float] = [0, 0.5, 1, 1.5, 2, 1.5, 1, 0.5]
        let seven = draws(SamplingParameters(seed: 7), logits: logits, count: 300)
        let eight = draws(SamplingParameters(seed: 8), logits: logits, count: 300)
        #expect(seven != eight)
        // Not just a shift: most positions differ for two independent streams.
        let agreements = zip(seven, eight).filter { $0 == $1 }.count
        #expect(agreements < 150)
    }

    @Test func unseededSamplersDiffer() {
        let logits = [Float](repeating: 0, count: 1_000)
        let first = draws(SamplingParameters(), logits: logits, count: 50)
        let second = draws(SamplingParameters(), logits: logits, count: 50)
        #expect(first != second)
    }

    @Test func emptyLogitsYieldTokenZero() {
        var sampler = Sampler(parameters: SamplingParameters(seed: 1), vocabularySize: 0)
        var logits: [Float] = []
        let token = logits.withUnsafeMutableBufferPointer { sampler.sample(logits: $0, history: [Int32]()) }
        #expect(token == 0)
    }

    @Test func moreLogitsThanTheDeclaredVocabularyAreAllConsidered() {
        var sampler = Sampler(parameters: SamplingParameters(temperature: 1, topK: 2, seed: 1), vocabularySize: 2)
        let logits: [Float] = [0, 0, 0, 50, 50]
        let picked = (0 ..< 50).map { _ in
            var copy = logits
            return copy.withUnsafeMutableBufferPointer { sampler.sample(logits: $0, history: [Int32]()) }
        }
        #expect(Set(picked) == [3, 4])
    }
}
