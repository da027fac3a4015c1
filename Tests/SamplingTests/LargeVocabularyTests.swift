import Foundation
import Sampling
import Testing

/// Deterministic pseudo-random logits in [-spread, spread] (a 64-bit LCG),
/// independent of the code under test.
private func pseudoRandomLogits(count: Int, spread: Float, seed: UInt64) -> [Float] {
    var state = seed
    return (0 ..< count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * spread
    }
}

/// Brute-force reference of the documented semantics: softmax(logits / T),
/// top-k by logit, then the shortest probability-sorted prefix reaching p,
/// then min-p. Returns the kept ids in rank order with their renormalized
/// probabilities.
private func referenceDistribution(
    _ logits: [Float], temperature: Double, topK: Int = 0, topP: Double = 1, minP: Double = 0
) -> [(id: Int, probability: Double)] {
    let maxLogit = Double(logits.max() ?? 0)
    var ranked = logits.enumerated().map { (id: $0.offset, weight: exp((Double($0.element) - maxLogit) / temperature)) }
    ranked.sort { $0.weight > $1.weight || ($0.weight == $1.weight && $0.id < $1.id) }
    if topK > 0 { ranked = Array(ranked.prefix(topK)) }
    if topP < 1 {
        let total = ranked.reduce(0) { $0 + $1.weight }
        var cumulative = 0.0
        var end = 0
        while end < ranked.count {
            cumulative += ranked[end].weight
            end += 1
            if cumulative >= topP * total { break }
        }
        ranked = Array(ranked.prefix(end))
    }
    if minP > 0 {
        let largest = ranked.first?.weight ?? 0
        ranked = ranked.filter { $0.weight >= minP * largest }
    }
    let total = ranked.reduce(0) { $0 + $1.weight }
    return ranked.map { ($0.id, $0.weight / total) }
}

/// The sampler's distribution must equal the reference's, except that the
/// reference's last (boundary) token may be missing or one more token may
/// follow it: the two evaluate `exp` and sums with different rounding.
private func expectMatchesReference(
    _ parameters: SamplingParameters, _ logits: [Float],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let reference = referenceDistribution(
        logits, temperature: Double(parameters.temperature), topK: parameters.topK,
        topP: Double(parameters.topP), minP: Double(parameters.minP)
    )
    var sampler = Sampler(parameters: parameters, vocabularySize: logits.count)
    var scratch = logits
    let actual = scratch.withUnsafeMutableBufferPointer { sampler.distribution(logits: $0, history: [Int32]()) }
    let shared = min(actual.count, reference.count)
    #expect(abs(actual.count - reference.count) <= 1, "sizes \(actual.count) vs \(reference.count)", sourceLocation: sourceLocation)
    #expect(actual.prefix(shared - 1).map { Int($0.id) } == reference.prefix(shared - 1).map(\.id), sourceLocation: sourceLocation)
    for (mine, theirs) in zip(actual, reference).prefix(20) {
        #expect(abs(mine.probability - theirs.probability) < 1e-4, sourceLocation: sourceLocation)
    }
}

struct LargeVocabularyTests {
    private let logits = pseudoRandomLogits(count: 5_003, spread: 8, seed: 2_024)

    @Test(arguments: [0.05, 0.5, 0.9, 0.99])
    func topPMatchesABruteForceReference(topP: Float) {
        expectMatchesReference(SamplingParameters(temperature: 1, topP: topP), logits)
        expectMatchesReference(SamplingParameters(temperature: 2.5, topP: topP), logits)
    }

    @Test(arguments: [1, 7, 50, 1_000])
    func topKMatchesABruteForceReference(topK: Int) {
        expectMatchesReference(SamplingParameters(temperature: 0.7, topK: topK), logits)
        expectMatchesReference(SamplingParameters(temperature: 0.7, topK: topK, topP: 0.8), logits)
    }

    @Test(arguments: [0.001, 0.1, 0.6])
    func minPMatchesABruteForceReference(minP: Float) {
        expectMatchesReference(SamplingParameters(temperature: 1.3, minP: minP), logits)
        expectMatchesReference(SamplingParameters(temperature: 1.3, topP: 0.9, minP: minP), logits)
        expectMatchesReference(SamplingParameters(temperature: 1.3, topK: 200, minP: minP), logits)
    }

    @Test func plainDistributionMatchesTheSoftmax() {
        expectMatchesReference(SamplingParameters(temperature: 1), Array(logits.prefix(300)))
    }

    @Test func drawsSpanningManyChunksHitOnlyPossibleTokens() {
        // Four equally likely tokens far apart, everything else impossible:
        // the draw must skip empty stretches and land on each about 1/4 of the time.
        var logits = [Float](repeating: -.infinity, count: 300)
        for id in [3, 64, 65, 299] { logits[id] = 2 }
        let picked = draws(SamplingParameters(seed: 17), logits: logits, count: 4_000)
        let frequency = frequencies(picked)
        #expect(Set(frequency.keys) == [3, 64, 65, 299])
        #expect(frequency.values.allSatisfy { abs($0 - 0.25) < 0.03 })
    }

    @Test func greedyFindsTheMaximumInAnyPositionAroundNaNs() {
        for position in [0, 7, 8, 15, 36] {
            var logits = [Float](repeating: 1, count: 37)
            logits[12] = .nan
            logits[position] = 3
            #expect(draws(.greedy, logits: logits, count: 1) == [Int32(position)])
        }
    }

    @Test func topKAfterTheFirstBlockReplacesEarlierTokens() {
        // The best three tokens are all beyond the initial k candidates.
        var logits = [Float](repeating: 0, count: 100)
        logits[40] = 5
        logits[77] = 6
        logits[99] = 7
        let result = distribution(SamplingParameters(topK: 3), logits: logits)
        #expect(Set(result.keys) == [40, 77, 99])
    }
}
