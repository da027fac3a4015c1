import Foundation

/// The human-readable summary of a run, printed after it ends.
public enum ResultReport {
    public static func text(_ result: ServeResult) -> String {
        let metrics = result.metrics, configuration = result.configuration
        var lines: [String] = []
        func title(_ text: String) {
            let pad = max(0, 50 - text.count - 2)
            lines.append(String(repeating: "=", count: pad / 2) + " \(text) " + String(repeating: "=", count: pad - pad / 2))
        }
        func row(_ name: String, _ value: String) {
            lines.append(name.padding(toLength: 36, withPad: " ", startingAt: 0) + " " + value)
        }
        func number(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
        func section(_ name: String, _ label: String, _ distribution: Distribution?) {
            lines.append(String(repeating: "-", count: 15) + " \(name) " + String(repeating: "-", count: max(0, 32 - name.count)))
            guard let distribution else { return row("\(label):", "n/a (no samples)") }
            row("Mean \(label):", number(distribution.mean))
            row("Median \(label):", number(distribution.median))
            row("P90 \(label):", number(distribution.p90))
            row("P99 \(label):", number(distribution.p99))
        }
        title("Serving Benchmark Result")
        row("Server:", configuration.url + (configuration.serverHeader.map { " (\($0))" } ?? ""))
        row("Request rate:", configuration.requestRate.description + (configuration.maxConcurrency.map { ", max concurrency \($0)" } ?? ""))
        row("Successful requests:", String(metrics.completed))
        row("Failed requests:", String(metrics.failed))
        row("Benchmark duration (s):", number(metrics.durationSeconds))
        row("Total input tokens:", String(metrics.totalInputTokens))
        row("Total generated tokens:", String(metrics.totalOutputTokens))
        row("Request throughput (req/s):", number(metrics.requestThroughput))
        row("Output token throughput (tok/s):", number(metrics.outputThroughput))
        row("Total token throughput (tok/s):", number(metrics.totalTokenThroughput))
        row("Peak concurrent requests:", String(metrics.peakConcurrency))
        if let goodput = metrics.goodput, let attainment = metrics.sloAttainment {
            let slo = configuration.slo
            let targets = [slo.ttftMs.map { "TTFT ≤ \(number($0, 0)) ms" }, slo.tpotMs.map { "TPOT ≤ \(number($0, 0)) ms" },
                           slo.e2eMs.map { "E2E ≤ \(number($0, 0)) ms" }].compactMap { $0 }.joined(separator: ", ")
            row("SLO:", targets)
            row("Request goodput (req/s):", number(goodput))
            row("SLO attainment:", number(attainment * 100, 1) + " %")
        }
        section("Time to First Token", "TTFT (ms)", metrics.ttftMs)
        section("Time per Output Token (excl. 1st token)", "TPOT (ms)", metrics.tpotMs)
        section("Inter-token Latency", "ITL (ms)", metrics.itlMs)
        section("End-to-end Latency", "E2EL (ms)", metrics.e2eMs)
        if !metrics.errors.isEmpty {
            lines.append(String(repeating: "-", count: 15) + " Errors " + String(repeating: "-", count: 27))
            for error in metrics.errors.prefix(10) { row("\(error.count) ×", error.message) }
        }
        lines.append(String(repeating: "=", count: 50))
        return lines.joined(separator: "\n") + "\n"
    }
}
