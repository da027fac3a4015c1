import Testing
@testable import ServeBench

/// Percentiles by linear interpolation between closest ranks, checked against hand-computed values.
struct DistributionTests {
    /// 1...10: rank of p90 is 0.9 · 9 = 8.1, between 9 and 10 → 9.1; p99 at 8.91 → 9.91;
    /// the median at 4.5 → 5.5; the mean is 55 / 10.
    @Test func oneToTenInAnyOrder() throws {
        let distribution = try #require(Distribution([7, 3, 10, 1, 5, 9, 2, 8, 6, 4]))
        #expect(distribution.count == 10)
        #expect(abs(distribution.mean - 5.5) < 1e-12)
        #expect(abs(distribution.median - 5.5) < 1e-12)
        #expect(abs(distribution.p90 - 9.1) < 1e-12)
        #expect(abs(distribution.p99 - 9.91) < 1e-12)
        #expect(distribution.min == 1 && distribution.max == 10)
    }

    /// Two values 0 and 100: percentile p is p itself.
    @Test func twoValuesInterpolateLinearly() throws {
        let distribution = try #require(Distribution([100, 0]))
        #expect(distribution.median == 50)
        #expect(abs(distribution.p90 - 90) < 1e-12)
        #expect(abs(distribution.p99 - 99) < 1e-12)
    }

    @Test func oddCountMedianIsTheMiddleValue() throws {
        #expect(try #require(Distribution([5, 1, 3])).median == 3)
        #expect(Distribution.percentile(sorted: [1, 3, 5], 0) == 1)
        #expect(Distribution.percentile(sorted: [1, 3, 5], 100) == 5)
    }

    @Test func oneValueIsEveryStatistic() throws {
        let distribution = try #require(Distribution([0.25], scale: 1000))
        #expect([distribution.mean, distribution.median, distribution.p90, distribution.p99, distribution.min, distribution.max]
            .allSatisfy { $0 == 250 })
    }

    @Test func emptySetHasNoDistribution() {
        #expect(Distribution([]) == nil)
    }
}
