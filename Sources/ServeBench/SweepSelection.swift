/// Picks the sweep's answer: the highest load whose SLO attainment stays at or above the
/// target, walking up from the lowest load and stopping at the first miss (a lucky pass at a
/// higher load after a miss does not count, as goodput is the load sustained).
public enum SweepSelection {
    /// Index into `points` (load, attainment) of that load, or nil when the lowest misses.
    public static func highestPassing(_ points: [(load: Double, attainment: Double)], target: Double) -> Int? {
        var best: Int?
        for index in points.indices.sorted(by: { points[$0].load < points[$1].load }) {
            guard points[index].attainment >= target else { break }
            best = index
        }
        return best
    }
}
