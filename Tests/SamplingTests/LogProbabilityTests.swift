import Foundation
import Sampling
import Testing

private func logProbabilities(_ logits: [Float], topN: Int) -> (logSumExp: Float, top: [(id: Int32, logprob: Float)]) {
    logits.withUnsafeBufferPointer { Sampler.logProbabilities(logits: $0, topN: topN) }
}

struct LogProbabilityTests {
    @Test func matchesAHandComputedLogSoftmax() {
        // ln(e + e² + e³) = 3 + ln(1 + e⁻¹ + e⁻²) = 3.407 605 964 4
        let result = logProbabilities([1, 2, 3], topN: 2)
        #expect(abs(result.logSumExp - 3.407_605_964_4) < 1e-5)
        #expect(result.top.map(\.id) == [2, 1])
        #expect(abs(result.top[0].logprob - -0.407_605_964_4) < 1e-5)
        #expect(abs(result.top[1].logprob - -1.407_605_964_4) < 1e-5)
    }

    @Test func tiesAreListedLowestIDFirst() {
        // ln(1 + 2e + e^0.5) = 2.090 045 733 9
        let result = logProbabilities([0, 1, 1, 0.5], topN: 3)
        #expect(result.top.map(\.id) == [1, 2, 3])
        #expect(abs(result.logSumExp - 2.090_045_733_9) < 1e-5)
        #expect(abs(result.top[2].logprob - (0.5 - 2.090_045_733_9)) < 1e-5)
    }

    @Test func topNIsClampedToTheVocabulary() {
        #expect(logProbabilities([1, 2, 3], topN: 0).top.isEmpty)
        #expect(logProbabilities([1, 2, 3], topN: -4).top.isEmpty)
        #expect(logProbabilities([1, 2, 3], topN: 10).top.map(\.id) == [2, 1, 0])
    }

    @Test func uniformVocabulary() {
        // Each of 1000 tokens has log-probability -ln 1000 = -6.907 755 279.
        let result = logProbabilities([Float](repeating: 0, count: 1_000), topN: 3)
        #expect(abs(result.logSumExp - 6.907_755_279) < 1e-4)
        #expect(result.top.map(\.id) == [0, 1, 2])
        #expect(result.top.allSatisfy { abs($0.logprob - -6.907_755_279) < 1e-4 })
    }

    @Test func nanIsTreatedAsNegativeInfinity() {
        let result = logProbabilities([.nan, 0, 0], topN: 3)
        #expect(abs(result.logSumExp - Float(log(2.0))) < 1e-6)
        #expect(result.top.map(\.id) == [1, 2, 0])
        #expect(result.top[2].logprob == -.infinity)
    }

    @Test func positiveInfinitiesShareAllTheMass() {
        let result = logProbabilities([.infinity, 0, .infinity], topN: 3)
        #expect(result.top.map(\.id) == [0, 2, 1])
        #expect(abs(result.top[0].logprob - -Float(log(2.0))) < 1e-6)
        #expect(abs(result.top[1].logprob - -Float(log(2.0))) < 1e-6)
        #expect(result.top[2].logprob == -.infinity)
    }

    @Test func allNegativeInfinityAndEmptyInputs() {
        let impossible = logProbabilities([-.infinity, -.infinity], topN: 1)
        #expect(impossible.logSumExp == -.infinity)
        #expect(impossible.top.map(\.id) == [0])
        #expect(impossible.top[0].logprob == -.infinity)
        let empty = logProbabilities([], topN: 3)
        #expect(empty.logSumExp == -.infinity)
        #expect(empty.top.isEmpty)
    }
}
