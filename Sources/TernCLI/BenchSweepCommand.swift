import ArgumentParser
import Foundation
import ServeBench

/// `tern bench sweep`: `serve` runs at rising request rates (or concurrencies) to find the
/// highest load whose SLO attainment stays at or above a target, i.e. the maximum goodput.
struct BenchSweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run the serving benchmark over request rates or concurrencies and find the maximum goodput under the SLOs.")

    @OptionGroup var options: BenchServeOptions
    @Option(name: .customLong("request-rates"), help: "Request rates to run, comma-separated (e.g. 1,2,4,8).")
    var requestRates: RateList?
    @Option(name: .customLong("concurrencies"), help: "Max concurrencies to run instead, comma-separated (with --request-rate).")
    var concurrencies: CountList?
    @Option(name: .customLong("request-rate"), help: "Request rate of a concurrency sweep.") var requestRate = RateArgument(.infinite)
    @Option(help: "SLO attainment a load must keep (fraction of requests meeting every SLO).") var target = 0.9
    @Option(help: "Write the sweep (every run) to this JSON file.") var out: String?

    func validate() throws {
        guard (requestRates == nil) != (concurrencies == nil) else { throw ValidationError("give exactly one of --request-rates and --concurrencies") }
        if let concurrencies, concurrencies.values.contains(where: { $0 < 1 }) { throw ValidationError("--concurrencies must be at least 1") }
        if let requestRates, requestRates.rates.isEmpty { throw ValidationError("--request-rates is empty") }
        guard options.sloTTFT != nil || options.sloTPOT != nil || options.sloE2E != nil else {
            throw ValidationError("a sweep needs at least one of --slo-ttft, --slo-tpot, --slo-e2e")
        }
        guard target > 0 && target <= 1 else { throw ValidationError("--target must be in (0, 1]") }
    }

    func run() throws {
        try reportingErrors {
            let options = options, target = target, out = out
            let dimension: SweepDimension = requestRates == nil ? .maxConcurrency : .requestRate
            let loads: [(RequestRate, Int?)] = requestRates.map { $0.rates.map { ($0, options.maxConcurrency) } }
                ?? (concurrencies?.values ?? []).map { (requestRate.rate, $0) }
            let connections = loads.contains { $0.1 == nil } ? PreparedWorkload.uncapped : loads.compactMap(\.1).max() ?? 1
            let sweep = try runServing {
                let workload = try await PreparedWorkload.prepare(options, connections: connections)
                var runs: [ServeResult] = []
                do {
                    for (rate, concurrency) in loads {
                        printError("tern bench sweep: rate \(rate)" + (concurrency.map { ", max concurrency \($0)" } ?? ""))
                        let result = try await workload.run(options, rate: rate, maxConcurrency: concurrency)
                        let metrics = result.metrics
                        printError(String(format: "  %.2f req/s, %.1f tok/s out, goodput %.2f req/s, SLO attainment %.1f %%, %d failed",
                                          metrics.requestThroughput, metrics.outputThroughput, metrics.goodput ?? 0,
                                          (metrics.sloAttainment ?? 0) * 100, metrics.failed))
                        runs.append(result)
                    }
                } catch {
                    await workload.client.shutdown()
                    throw error
                }
                await workload.client.shutdown()
                return SweepResult(dimension: dimension, targetAttainment: target, runs: runs)
            }
            writeOut(SweepReport.text(sweep))
            if let out { try writeResult(sweep, to: out) }
        }
    }
}

/// The table a sweep prints.
enum SweepReport {
    static func text(_ sweep: SweepResult) -> String {
        var text = "| \(sweep.dimension.axisLabel) | req/s | out tok/s | goodput req/s | SLO attainment | TTFT p99 ms | TPOT p99 ms | failed |\n"
        text += "|---|---|---|---|---|---|---|---|\n"
        for (index, run) in sweep.runs.enumerated() {
            let metrics = run.metrics
            let load = sweep.dimension == .requestRate ? run.configuration.requestRate.description
                : run.configuration.maxConcurrency.map(String.init) ?? "none"
            text += String(format: "| %@%@ | %.2f | %.1f | %.2f | %.1f %% | %.1f | %.1f | %d |\n", load, index == sweep.best ? " (best)" : "",
                           metrics.requestThroughput, metrics.outputThroughput, metrics.goodput ?? 0, (metrics.sloAttainment ?? 0) * 100,
                           metrics.ttftMs?.p99 ?? 0, metrics.tpotMs?.p99 ?? 0, metrics.failed)
        }
        if let best = sweep.best, let goodput = sweep.maxGoodput {
            let load = sweep.dimension == .requestRate ? sweep.runs[best].configuration.requestRate.description
                : String(sweep.runs[best].configuration.maxConcurrency ?? 0)
            text += String(format: "maximum goodput: %.2f req/s at %@ %@ (SLO attainment ≥ %.0f %%)\n", goodput, sweep.dimension.axisLabel, load,
                           sweep.targetAttainment * 100)
        } else {
            text += String(format: "no load kept SLO attainment ≥ %.0f %%\n", sweep.targetAttainment * 100)
        }
        return text
    }
}
