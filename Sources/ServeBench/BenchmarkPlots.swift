/// The charts of `tern bench plot`: one line per result file, so runs against different
/// servers land on the same axes.
///
/// - `ttft-cdf.svg`, `tpot-cdf.svg`: the CDF of each file's representative run (a serve run,
///   or a sweep's best run).
/// - `throughput.svg`, `goodput.svg`, `slo-attainment.svg`: output throughput, goodput and SLO
///   attainment of every run against its load (request rate, or max concurrency when the
///   runs have no finite rate).
public enum BenchmarkPlots {
    public struct LabelledResult: Sendable {
        public var label: String
        public var file: ResultFile

        public init(label: String, file: ResultFile) {
            self.label = label
            self.file = file
        }
    }

    /// File name → SVG text, for the charts there is data for.
    public static func charts(_ results: [LabelledResult]) -> [String: String] {
        var charts: [String: String] = [:]
        let ttft = results.map { cdf($0, \.ttft) }, tpot = results.map { cdf($0, \.tpot) }
        if ttft.contains(where: { !$0.points.isEmpty }) {
            charts["ttft-cdf.svg"] = LineChart(title: "Time to first token", xLabel: "TTFT (ms)", yLabel: "fraction of requests",
                                               series: ttft, yRange: 0...1).svg
        }
        if tpot.contains(where: { !$0.points.isEmpty }) {
            charts["tpot-cdf.svg"] = LineChart(title: "Time per output token", xLabel: "TPOT (ms)", yLabel: "fraction of requests",
                                               series: tpot, yRange: 0...1).svg
        }
        let dimension = loadDimension(results)
        let throughput = results.map { load($0, dimension) { $0.metrics.outputThroughput } }
        if throughput.contains(where: { !$0.points.isEmpty }) {
            charts["throughput.svg"] = LineChart(title: "Output throughput", xLabel: dimension.axisLabel, yLabel: "output tokens/s",
                                                 series: throughput).svg
        }
        let goodput = results.map { load($0, dimension) { $0.metrics.goodput } }
        let attainment = results.map { load($0, dimension) { $0.metrics.sloAttainment.map { $0 * 100 } } }
        let target: Double? = results.lazy.compactMap {
            if case .sweep(let sweep) = $0.file { sweep.targetAttainment } else { nil }
        }.first
        if goodput.contains(where: { !$0.points.isEmpty }) {
            charts["goodput.svg"] = LineChart(title: "Goodput (requests meeting every SLO)", xLabel: dimension.axisLabel,
                                              yLabel: "requests/s", series: goodput).svg
            charts["slo-attainment.svg"] = LineChart(title: "SLO attainment", xLabel: dimension.axisLabel, yLabel: "requests meeting every SLO (%)",
                                                     series: attainment, yRange: 0...100,
                                                     reference: target.map { ($0 * 100, "target \(Int(($0 * 100).rounded())) %") }).svg
        }
        return charts
    }

    /// The empirical CDF of a per-request latency (ms) as a staircase: at the i-th smallest
    /// value x (of n) the fraction rises from i/n to (i + 1)/n.
    static func cdf(_ result: LabelledResult, _ value: KeyPath<RequestRecord, Double?>) -> LineChart.Series {
        let samples = (result.file.representativeRun?.requests ?? []).filter(\.succeeded).compactMap { $0[keyPath: value] }
            .map { $0 * 1000 }.sorted()
        var points: [(x: Double, y: Double)] = []
        let count = Double(samples.count)
        for (index, sample) in samples.enumerated() {
            points.append((sample, Double(index) / count))
            points.append((sample, Double(index + 1) / count))
        }
        return LineChart.Series(name: result.label, points: points, markers: false)
    }

    /// The axis the load charts use: the first sweep's, else request rate when some run has a
    /// finite one, else max concurrency.
    static func loadDimension(_ results: [LabelledResult]) -> SweepDimension {
        for result in results { if case .sweep(let sweep) = result.file { return sweep.dimension } }
        let runs = results.flatMap(\.file.runs)
        return runs.contains { $0.configuration.requestRate.value != nil } ? .requestRate : .maxConcurrency
    }

    /// `metric` of each run against its load, in load order; runs with no finite load on
    /// `dimension` or no value are left out.
    static func load(_ result: LabelledResult, _ dimension: SweepDimension, _ metric: (ServeResult) -> Double?) -> LineChart.Series {
        let points = result.file.runs.compactMap { run -> (x: Double, y: Double)? in
            let x = dimension.load(of: run.configuration)
            guard x.isFinite, let y = metric(run) else { return nil }
            return (x, y)
        }.sorted { $0.x < $1.x }
        return LineChart.Series(name: result.label, points: points)
    }
}
