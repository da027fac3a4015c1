import ArgumentParser
import Foundation
import ServeBench

/// `tern bench serve`: one load run against an OpenAI-compatible server.
struct BenchServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Measure an OpenAI-compatible server under a request workload: TTFT, TPOT, ITL, throughput, goodput.")

    /// Recorded in every result file.
    static let clientVersion = "tern 0.1.0-dev"

    @OptionGroup var options: BenchServeOptions
    @Option(name: .customLong("request-rate"), help: "Mean requests per second, or 'inf' to send all at once.")
    var requestRate = RateArgument(.infinite)
    @Option(help: "Write the result (configuration, figures, every request) to this JSON file.") var out: String?

    func run() throws {
        try reportingErrors {
            let options = options, rate = requestRate.rate, out = out
            let result = try runServing {
                let workload = try await PreparedWorkload.prepare(options, connections: options.maxConcurrency ?? PreparedWorkload.uncapped)
                printError("tern bench serve: \(workload.requests.count) requests to \(options.url)\(options.endpoint.endpoint.path) "
                           + "at rate \(rate)" + (options.maxConcurrency.map { ", max concurrency \($0)" } ?? ""))
                do {
                    let result = try await workload.run(options, rate: rate, maxConcurrency: options.maxConcurrency)
                    await workload.client.shutdown()
                    return result
                } catch {
                    await workload.client.shutdown()
                    throw error
                }
            }
            writeOut(ResultReport.text(result))
            if let out { try writeResult(result, to: out) }
        }
    }
}

/// Runs a benchmark's async work, turning its errors into one-line CLI errors.
func runServing<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws(CLIError) -> Value {
    do { return try awaitBlocking(work) } catch let error as CLIError { throw error } catch { throw CLIError("\(error)") }
}

/// Writes a result as indented JSON.
func writeResult(_ value: some Encodable, to path: String) throws(CLIError) {
    do {
        try ResultJSON.encode(value).write(to: URL(fileURLWithPath: path))
    } catch {
        throw CLIError("cannot write '\(path)': \(error)")
    }
    printError("wrote \(path)")
}
