import ArgumentParser
import Foundation
import ServeBench

/// `tern bench plot`: SVG charts of serve and sweep result files, one line per file.
struct BenchPlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw TTFT/TPOT CDFs and throughput, goodput and SLO attainment versus load as SVG, one line per result file.")

    @Argument(help: "Result files written by 'bench serve --out' or 'bench sweep --out'.") var files: [String]
    @Option(name: .customLong("out-dir"), help: "Directory for the SVG files.") var outDir = "."
    @Option(help: "Line labels, comma-separated, one per file (default: the file names).") var labels: String?
    @Option(help: "Prefix for the SVG file names, e.g. 'serve-'.") var prefix = ""

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one result file") }
        if let labels, labels.split(separator: ",", omittingEmptySubsequences: false).count != files.count {
            throw ValidationError("--labels needs one label per file")
        }
    }

    func run() throws {
        try reportingErrors {
            let names = labels.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
                ?? files.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
            var results: [BenchmarkPlots.LabelledResult] = []
            for (file, name) in zip(files, names) {
                do { results.append(.init(label: name, file: try ResultFile.read(path: file))) } catch { throw CLIError("\(error)") }
            }
            let charts = BenchmarkPlots.charts(results)
            guard !charts.isEmpty else { throw CLIError("the result files hold no successful requests to plot") }
            do { try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true) } catch {
                throw CLIError("cannot create '\(outDir)': \(error)")
            }
            for (name, svg) in charts.sorted(by: { $0.key < $1.key }) {
                let path = URL(fileURLWithPath: outDir).appendingPathComponent(prefix + name).path
                do { try Data(svg.utf8).write(to: URL(fileURLWithPath: path)) } catch { throw CLIError("cannot write '\(path)': \(error)") }
                writeOut(path + "\n")
            }
        }
    }
}
