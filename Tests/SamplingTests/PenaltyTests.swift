import Sampling
import Testing

/// Applies a sampler's penalties to a copy of `logits` and returns it.
private func penalized(
    _ logits: [Float],
    history: some Collection<Int32>,
    _ parameters: SamplingParameters
) -> [Float] {
    var sampler = Sampler(parameters: parameters, vocabularySize: logits.count)
    var copy = logits
    copy.withUnsafeMutableBufferPointer { sampler.applyPenalties(to: $0, history: history) }
    return copy
}

/// Powers of two throughout, so every expected value is exact.
private let base: [Float] = [2, -2, 1, 0.5, 4]
/// Token 0 occurs twice, tokens 1 and 3 once, tokens 2 and 4 never.
private let history: [Int32] = [0, 1, 0, 3]

struct PenaltyTests {
    @Test func repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        // 2/2 = 1, -2·2 = -4, 0.5/2 = 0.25; the count does not matter.
        let result = penalized(base, history: history, SamplingParameters(repetitionPenalty: 2, penaltyWindow: -1))
        #expect(result == [1, -4, 1, 0.25, 4])
    }

    @Test func repetitionPenaltyLeavesAZeroLogitAtZero() {
        let result = penalized([0, 1], history: [Int32(0)], SamplingParameters(repetitionPenalty: 2))
        #expect(result == [0, 1])
    }

    @Test func presencePenaltySubtractsOncePerDistinctToken() {
        let result = penalized(base, history: history, SamplingParameters(presencePenalty: 0.5, penaltyWindow: -1))
        #expect(result == [1.5, -2.5, 1, 0, 4])
    }

    @Test func frequencyPenaltySubtractsOncePerOccurrence() {
        let result = penalized(base, history: history, SamplingParameters(frequencyPenalty: 0.25, penaltyWindow: -1))
        #expect(result == [1.5, -2.25, 1, 0.25, 4])
    }

    @Test func penaltiesCombineRepetitionFirst() {
        // Token 0: 2/2 - (2·0.25 + 0.5) = 0; token 1: -2·2 - (0.25 + 0.5) = -4.75;
        // token 3: 0.5/2 - 0.75 = -0.5.
        let parameters = SamplingParameters(
            repetitionPenalty: 2, presencePenalty: 0.5, frequencyPenalty: 0.25, penaltyWindow: -1
        )
        #expect(penalized(base, history: history, parameters) == [0, -4.75, 1, -0.5, 4])
    }

    @Test func negativePresencePenaltyBoosts() {
        let result = penalized(base, history: history, SamplingParameters(presencePenalty: -1, penaltyWindow: -1))
        #expect(result == [3, -1, 1, 1.5, 4])
    }

    @Test func windowConsidersOnlyTheMostRecentTokens() {
        let frequency = SamplingParameters(frequencyPenalty: 0.25, penaltyWindow: 2)
        // Last two tokens: [0, 3], one occurrence each.
        #expect(penalized(base, history: history, frequency) == [1.75, -2, 1, 0.25, 4])
        // Last three: [1, 0, 3].
        var three = frequency
        three.penaltyWindow = 3
        #expect(penalized(base, history: history, three) == [1.75, -2.25, 1, 0.25, 4])
        // A window longer than the history covers all of it.
        var long = frequency
        long.penaltyWindow = 64
        #expect(penalized(base, history: history, long) == [1.5, -2.25, 1, 0.25, 4])
    }

    @Test func zeroWindowDisablesPenalties() {
        let parameters = SamplingParameters(repetitionPenalty: 2, presencePenalty: 1, frequencyPenalty: 1, penaltyWindow: 0)
        #expect(penalized(base, history: history, parameters) == base)
    }

    @Test func outOfRangeHistoryIDsAreIgnored() {
        let result = penalized(base, history: [Int32(-1), 5, 99, 2], SamplingParameters(presencePenalty: 1))
        #expect(result == [2, -2, 0, 0.5, 4])
    }

    @Test func nonContiguousHistoryGivesTheSameResult() {
        let parameters = SamplingParameters(
            repetitionPenalty: 2, presencePenalty: 0.5, frequencyPenalty: 0.25, penaltyWindow: 3
        )
        let lazyHistory = history.lazy.map { $0 }
        // Window [1, 0, 3]: token 0: 1 - 0.75 = 0.25; token 1: -4.75; token 3: -0.5.
        #expect(penalized(base, history: lazyHistory, parameters) == [0.25, -4.75, 1, -0.5, 4])
        #expect(penalized(base, history: history, parameters) == [0.25, -4.75, 1, -0.5, 4])
    }

    @Test func repeatedCallsStartFromCleanCounts() {
        var sampler = Sampler(parameters: SamplingParameters(frequencyPenalty: 1, penaltyWindow: -1), vocabularySize: 5)
        for _ in 0 ..< 3 {
            var copy = base
            copy.withUnsafeMutableBufferPointer { sampler.applyPenalties(to: $0, history: history) }
            #expect(copy == [0, -3, 1, -0.5, 4])
        }
    }

    @Test func sampleAppliesPenaltiesBeforeChoosing() {
        // Token 0 would win (3 > 2.9) but is penalized to 1.5.
        let picked = draws(
            SamplingParameters(temperature: 0, repetitionPenalty: 2),
            logits: [3, 2.9],
            count: 1,
            history: [0]
        )
        #expect(picked == [1])
    }

    @Test func invalidRepetitionPenaltyIsTreatedAsDisabled() {
        for penalty: Float in [0, -2, .nan, .infinity] {
            let result = penalized(base, history: history, SamplingParameters(repetitionPenalty: penalty))
            #expect(result == base)
        }
    }

    @Test func longHistoriesCountEveryOccurrence() {
        // 1000 tokens cycling through 0...9: each occurs 100 times.
        let history = (0 ..< 1_000).map { Int32($0 % 10) }
        let zeros = [Float](repeating: 0, count: 12)
        let all = penalized(zeros, history: history, SamplingParameters(frequencyPenalty: 0.25, penaltyWindow: -1))
        #expect(all == [Float](repeating: -25, count: 10) + [0, 0])
        // The last 64 are tokens 6, 7, 8, 9 seven times and 0 ... 5 six times.
        let recent = penalized(zeros, history: history, SamplingParameters(frequencyPenalty: 0.25, penaltyWindow: 64))
        #expect(recent == [Float](repeating: -1.5, count: 6) + [Float](repeating: -1.75, count: 4) + [0, 0])
    }
}
