import Foundation
import Sampling
import Testing
@testable import ServeBench

/// The arrival process: SplitMix64 against its published outputs, Poisson inter-arrivals
/// against a plain inverse-CDF reference, and the Gamma moments over many samples.
struct ArrivalScheduleTests {
    /// The first outputs of SplitMix64 seeded with 0, from the reference C implementation.
    @Test func splitMixMatchesTheReference() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    /// Burstiness 1: each gap is −ln(U) / rate (the exponential's inverse CDF) of the next
    /// uniform, computed here from the raw generator.
    @Test func poissonGapsAreExponentialDraws() {
        let offsets = ArrivalSchedule.offsets(count: 6, rate: .perSecond(4), seed: 42)
        var raw = SplitMix64(seed: 42)
        var expected = [0.0]
        for _ in 1..<6 {
            let uniform = (Double(raw.next() >> 11) + 1) / 9_007_199_254_740_992
            expected.append(expected[expected.count - 1] - log(uniform) / 4)
        }
        #expect(offsets.count == 6 && offsets[0] == 0)
        for (got, want) in zip(offsets, expected) { #expect(abs(got - want) < 1e-12) }
    }

    @Test func seedFixesTheSchedule() {
        for burstiness in [1.0, 0.5, 3] {
            let a = ArrivalSchedule.offsets(count: 50, rate: .perSecond(10), burstiness: burstiness, seed: 7)
            #expect(a == ArrivalSchedule.offsets(count: 50, rate: .perSecond(10), burstiness: burstiness, seed: 7))
            #expect(a != ArrivalSchedule.offsets(count: 50, rate: .perSecond(10), burstiness: burstiness, seed: 8))
            #expect(zip(a, a.dropFirst()).allSatisfy { $0 <= $1 })
        }
    }

    @Test func infiniteRateSendsEverythingAtOnce() {
        #expect(ArrivalSchedule.offsets(count: 4, rate: .infinite, seed: 1) == [0, 0, 0, 0])
        #expect(ArrivalSchedule.offsets(count: 0, rate: .perSecond(1), seed: 1).isEmpty)
        #expect(ArrivalSchedule.offsets(count: 1, rate: .perSecond(1), seed: 1) == [0])
    }

    /// Over 50 000 gaps the mean is 1 / rate and the squared coefficient of variation is
    /// 1 / burstiness (Gamma with shape k and scale 1 / (rate · k): mean k·θ, variance k·θ²).
    @Test(arguments: [1.0, 0.5, 4.0])
    func gapMomentsMatchTheGammaDistribution(burstiness: Double) {
        let rate = 5.0, count = 50_001
        let offsets = ArrivalSchedule.offsets(count: count, rate: .perSecond(rate), burstiness: burstiness, seed: 2024)
        let gaps = zip(offsets, offsets.dropFirst()).map { $1 - $0 }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let variance = gaps.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(gaps.count - 1)
        #expect(abs(mean * rate - 1) < 0.03, "mean gap \(mean), expected \(1 / rate)")
        let cv2 = variance / (mean * mean)
        #expect(abs(cv2 * burstiness - 1) < 0.1, "squared CV \(cv2), expected \(1 / burstiness)")
    }

    @Test func rateParsingAndJSON() throws {
        #expect(RequestRate("inf") == .infinite && RequestRate("2.5") == .perSecond(2.5))
        #expect(RequestRate("0") == nil && RequestRate("-1") == nil && RequestRate("fast") == nil)
        let encoded = try JSONEncoder().encode([RequestRate.infinite, .perSecond(3)])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["inf",3]"#)
        #expect(try JSONDecoder().decode([RequestRate].self, from: encoded) == [.infinite, .perSecond(3)])
    }
}
