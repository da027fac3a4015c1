/// Mean, median, p90 and p99 (and the extremes) of a set of measurements.
///
/// Percentiles interpolate linearly between the closest ranks: for sorted values
/// `x[0] ... x[n-1]`, percentile p sits at rank `h = p / 100 · (n − 1)` and is
/// `x[⌊h⌋] + (h − ⌊h⌋) · (x[⌊h⌋ + 1] − x[⌊h⌋])` (Hyndman and Fan's type 7, NumPy's default).
public struct Distribution: Codable, Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var median: Double
    public var p90: Double
    public var p99: Double
    public var min: Double
    public var max: Double

    /// The summary of `values` scaled by `scale` (e.g. 1000 for seconds to milliseconds); nil
    /// for an empty set, which has no mean or percentiles.
    public init?(_ values: [Double], scale: Double = 1) {
        guard !values.isEmpty else { return nil }
        let sorted = values.map { $0 * scale }.sorted()
        count = sorted.count
        mean = sorted.reduce(0, +) / Double(sorted.count)
        median = Self.percentile(sorted: sorted, 50)
        p90 = Self.percentile(sorted: sorted, 90)
        p99 = Self.percentile(sorted: sorted, 99)
        min = sorted[0]
        max = sorted[sorted.count - 1]
    }

    /// Percentile `p` (0...100) of ascending, non-empty `sorted`.
    public static func percentile(sorted: [Double], _ p: Double) -> Double {
        precondition(!sorted.isEmpty, "a percentile of no values")
        let rank = p / 100 * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down))
        guard lower + 1 < sorted.count else { return sorted[sorted.count - 1] }
        return sorted[lower] + (rank - Double(lower)) * (sorted[lower + 1] - sorted[lower])
    }
}
