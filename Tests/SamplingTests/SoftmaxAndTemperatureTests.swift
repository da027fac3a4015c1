import Foundation
import Sampling
import Testing

struct SoftmaxAndTemperatureTests {
    @Test func drawsFollowTheSoftmaxProbabilities() {
        let probabilities = [0.1, 0.2, 0.3, 0.4]
        let total = 20_000
        let samples = draws(SamplingParameters(seed: 12_345), logits: logits(fromProbabilities: probabilities), count: total)
        var observed = [Int](repeating: 0, count: probabilities.count)
        for id in samples { observed[Int(id)] += 1 }
        // Pearson's chi-square with 3 degrees of freedom; 16.27 is the 0.999
        // quantile, so an honest sampler fails this for 0.1% of seeds.
        var chiSquare = 0.0
        for (count, probability) in zip(observed, probabilities) {
            let expected = probability * Double(total)
            chiSquare += (Double(count) - expected) * (Double(count) - expected) / expected
        }
        #expect(chiSquare < 16.27, "observed counts \(observed)")
    }

    @Test func distributionIsTheSoftmaxOfTheLogits() {
        // softmax([0, ln 4]) = [1/5, 4/5].
        let result = distribution(SamplingParameters(), logits: [0, Float(log(4.0))])
        #expect(abs((result[0] ?? 0) - 0.2) < 1e-6)
        #expect(abs((result[1] ?? 0) - 0.8) < 1e-6)
    }

    @Test func temperatureDividesTheLogits() {
        let logits: [Float] = [0, Float(log(4.0))]
        // T = 2: [0, ln 2] → [1/3, 2/3].
        let hot = distribution(SamplingParameters(temperature: 2), logits: logits)
        #expect(abs((hot[1] ?? 0) - 2.0 / 3.0) < 1e-6)
        // T = 0.5: [0, ln 16] → [1/17, 16/17].
        let cold = distribution(SamplingParameters(temperature: 0.5), logits: logits)
        #expect(abs((cold[1] ?? 0) - 16.0 / 17.0) < 1e-6)
    }

    @Test func drawFrequenciesFollowTheTemperedDistribution() {
        // T = 2 on [0, ln 4] gives p(1) = 2/3; 20k draws have a standard
        // deviation of about 0.0033 on the frequency.
        let samples = draws(
            SamplingParameters(temperature: 2, seed: 99),
            logits: [0, Float(log(4.0))],
            count: 20_000
        )
        let frequency = frequencies(samples)[1] ?? 0
        #expect(abs(frequency - 2.0 / 3.0) < 0.015)
    }

    @Test func veryHighTemperatureIsNearlyUniformOverFiniteTokens() {
        let result = distribution(SamplingParameters(temperature: .infinity), logits: [0, 10, -.infinity, 20])
        #expect(Set(result.keys) == [0, 1, 3])
        #expect(result.values.allSatisfy { abs($0 - 1.0 / 3.0) < 1e-6 })
    }
}
