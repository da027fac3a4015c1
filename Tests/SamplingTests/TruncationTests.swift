import Foundation
import Sampling
import Testing

/// Probabilities by id: id 1 is the most likely, then 3, 0 and 2.
private let shuffledProbabilities = [0.15, 0.5, 0.05, 0.3]

private func expectDistribution(
    _ actual: [Int32: Double],
    _ expected: [Int32: Double],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(Set(actual.keys) == Set(expected.keys), sourceLocation: sourceLocation)
    for (id, probability) in expected {
        #expect(abs((actual[id] ?? -1) - probability) < 1e-6, "id \(id)", sourceLocation: sourceLocation)
    }
}

struct TopKTests {
    @Test func topKOneEqualsGreedy() {
        // logits[i] = (37 i) mod 101 peaks at i = 30, since 37 · 30 = 1110 = 10 · 101 + 100.
        let logits = (0 ..< 101).map { Float(($0 * 37) % 101) }
        #expect(draws(.greedy, logits: logits, count: 1) == [30])
        for seed: UInt64 in 0 ..< 20 {
            let picked = draws(SamplingParameters(temperature: 1.5, topK: 1, seed: seed), logits: logits, count: 5)
            #expect(picked == [30, 30, 30, 30, 30])
        }
    }

    @Test func topKRestrictsDrawsToTheKBestTokens() {
        let logits: [Float] = [1, 5, 3, 4, 2]
        let picked = draws(SamplingParameters(topK: 2, seed: 11), logits: logits, count: 5_000)
        #expect(Set(picked) == [1, 3])
        // Renormalized over {1, 3}: p(1) = e^5 / (e^5 + e^4) = e / (1 + e).
        let frequency = frequencies(picked)[1] ?? 0
        #expect(abs(frequency - 0.731_058_6) < 0.03)
    }

    @Test func topKRenormalizesOverTheSurvivors() {
        expectDistribution(
            distribution(SamplingParameters(topK: 2), logits: [1, 5, 3, 4, 2]),
            [1: 0.731_058_578_6, 3: 0.268_941_421_4]
        )
    }

    @Test func topKBreaksTiesTowardLowerIDs() {
        expectDistribution(distribution(SamplingParameters(topK: 2), logits: [2, 1, 2, 2]), [0: 0.5, 2: 0.5])
        expectDistribution(
            distribution(SamplingParameters(topK: 3), logits: [0, 7, 0, 0, 0]),
            [1: 1.0 / (1 + 2 * exp(-7.0)), 0: exp(-7.0) / (1 + 2 * exp(-7.0)), 2: exp(-7.0) / (1 + 2 * exp(-7.0))]
        )
    }

    @Test func topKAtLeastTheVocabularyKeepsEverything() {
        let logits = logits(fromProbabilities: shuffledProbabilities)
        expectDistribution(
            distribution(SamplingParameters(topK: 10), logits: logits),
            [0: 0.15, 1: 0.5, 2: 0.05, 3: 0.3]
        )
    }
}

struct TopPTests {
    @Test func topPKeepsTheShortestPrefixReachingP() {
        let logits = logits(fromProbabilities: shuffledProbabilities)
        // Sorted: 0.5 (id 1), 0.3 (id 3), 0.15 (id 0), 0.05 (id 2).
        // p = 0.75: 0.5 < 0.75 ≤ 0.8, so ids 1 and 3, renormalized by 0.8.
        expectDistribution(distribution(SamplingParameters(topP: 0.75), logits: logits), [1: 0.625, 3: 0.375])
        // p = 0.85: 0.8 < 0.85 ≤ 0.95, so ids 1, 3 and 0, renormalized by 0.95.
        expectDistribution(
            distribution(SamplingParameters(topP: 0.85), logits: logits),
            [1: 0.5 / 0.95, 3: 0.3 / 0.95, 0: 0.15 / 0.95]
        )
        // p = 0.4: the top token alone already reaches it.
        expectDistribution(distribution(SamplingParameters(topP: 0.4), logits: logits), [1: 1])
        // p = 0.97 needs every token.
        expectDistribution(
            distribution(SamplingParameters(topP: 0.97), logits: logits),
            [0: 0.15, 1: 0.5, 2: 0.05, 3: 0.3]
        )
    }

    @Test func topPRestrictsDraws() {
        let picked = draws(
            SamplingParameters(topP: 0.75, seed: 21),
            logits: logits(fromProbabilities: shuffledProbabilities),
            count: 5_000
        )
        #expect(Set(picked) == [1, 3])
        #expect(abs((frequencies(picked)[1] ?? 0) - 0.625) < 0.03)
    }

    @Test func topPZeroKeepsOnlyTheMostLikelyToken() {
        let logits = logits(fromProbabilities: shuffledProbabilities)
        expectDistribution(distribution(SamplingParameters(topP: 0), logits: logits), [1: 1])
    }

    @Test func topPOnTiedTokensKeepsTheLowestIDs() {
        // 1000 equal tokens: exactly 500 of them reach 0.5, and ties go to lower ids.
        let result = distribution(SamplingParameters(topP: 0.5), logits: [Float](repeating: 0, count: 1_000))
        #expect(Set(result.keys) == Set((0 ..< 500).map { Int32($0) }))
    }

    @Test func topPReachesIntoTheLongTailWhenPDemandsIt() {
        // Token 0 has weight 1 and 100 000 tokens have weight w = e^-19 ≈ 5.6e-9
        // each, below the 1e-8 pre-filter. With p = 0.9999 (as a Float,
        // 0.99989998…) the nucleus must include m tail tokens where
        // 1 + m·w ≥ p·(1 + 100 000·w), i.e. m = 82 139, the lowest ids first.
        var logits = [Float](repeating: -19, count: 100_001)
        logits[0] = 0
        let tailCount = 82_139
        for parameters in [SamplingParameters(topP: 0.9999), SamplingParameters(topP: 0.9999, minP: 1e-9)] {
            let kept = distribution(parameters, logits: logits).keys.sorted()
            #expect(abs(kept.count - (1 + tailCount)) <= 2)
            #expect(kept.last.map { Int($0) } == kept.count - 1)
        }
    }

    @Test func topPAppliesToTheTopKSurvivorsRenormalized() {
        let logits = logits(fromProbabilities: shuffledProbabilities)
        // Without top-k, p = 0.82 needs three tokens (0.5 + 0.3 = 0.8 < 0.82).
        #expect(distribution(SamplingParameters(topP: 0.82), logits: logits).count == 3)
        // After top-k = 3 the survivors renormalize to 0.5/0.95, 0.3/0.95, ...
        // and 0.8/0.95 ≈ 0.842 ≥ 0.82 already.
        expectDistribution(
            distribution(SamplingParameters(topK: 3, topP: 0.82), logits: logits),
            [1: 0.625, 3: 0.375]
        )
    }
}

struct MinPTests {
    @Test func minPKeepsTokensAtLeastMinPTimesTheMax() {
        let logits = logits(fromProbabilities: shuffledProbabilities)
        // minP 0.25: threshold 0.125 keeps 0.5, 0.3 and 0.15.
        expectDistribution(
            distribution(SamplingParameters(minP: 0.25), logits: logits),
            [1: 0.5 / 0.95, 3: 0.3 / 0.95, 0: 0.15 / 0.95]
        )
        // minP 0.5: threshold 0.25 keeps 0.5 and 0.3.
        expectDistribution(distribution(SamplingParameters(minP: 0.5), logits: logits), [1: 0.625, 3: 0.375])
        // minP 0.05: threshold 0.025 keeps everything.
        #expect(distribution(SamplingParameters(minP: 0.05), logits: logits).count == 4)
        // minP 1 keeps only the maximum.
        expectDistribution(distribution(SamplingParameters(minP: 1), logits: logits), [1: 1])
    }

    @Test func minPRestrictsDraws() {
        let picked = draws(
            SamplingParameters(minP: 0.5, seed: 31),
            logits: logits(fromProbabilities: shuffledProbabilities),
            count: 5_000
        )
        #expect(Set(picked) == [1, 3])
    }

    @Test func minPSeesTheTemperedDistribution() {
        // T = 2 turns each weight p/pmax into its square root:
        // id 0: √0.3 ≈ 0.548, id 1: 1, id 2: √0.1 ≈ 0.316, id 3: √0.6 ≈ 0.775.
        // minP 0.5 therefore keeps ids 0, 1 and 3, which it would not at T = 1.
        expectDistribution(
            distribution(SamplingParameters(temperature: 2, minP: 0.5), logits: logits(fromProbabilities: shuffledProbabilities)),
            [0: 0.235_851_536_3, 1: 0.430_604_022_3, 3: 0.333_544_441_4]
        )
    }

    @Test func minPAndTopPKeepTheIntersection() {
        let logits = logits(fromProbabilities: shuffledProbabilities)
        // top-p 0.85 keeps {1, 3, 0}; min-p 0.5 keeps {1, 3}.
        expectDistribution(distribution(SamplingParameters(topP: 0.85, minP: 0.5), logits: logits), [1: 0.625, 3: 0.375])
        // top-p 0.75 keeps {1, 3}; min-p 0.25 keeps {1, 3, 0}.
        expectDistribution(distribution(SamplingParameters(topP: 0.75, minP: 0.25), logits: logits), [1: 0.625, 3: 0.375])
    }

    @Test func minPAfterTopK() {
        let logits = logits(fromProbabilities: shuffledProbabilities)
        // top-k 3 keeps {1, 3, 0}; min-p 0.4 (threshold 0.2 of pmax 0.5) drops id 0.
        expectDistribution(distribution(SamplingParameters(topK: 3, minP: 0.4), logits: logits), [1: 0.625, 3: 0.375])
        // All three filters together: top-k 3, top-p 0.9 (0.8/0.95 < 0.9), min-p 0.25.
        expectDistribution(
            distribution(SamplingParameters(topK: 3, topP: 0.9, minP: 0.25), logits: logits),
            [1: 0.5 / 0.95, 3: 0.3 / 0.95, 0: 0.15 / 0.95]
        )
    }
}
