import ArgumentParser

/// `tern bench`: the model benchmark (default, so `tern bench -p 512 -n 128` runs it) and the
/// serving benchmark against any OpenAI-compatible server.
struct BenchGroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the engine (model) or an OpenAI-compatible server (serve, sweep, plot).",
        subcommands: [BenchCommand.self, BenchServeCommand.self, BenchSweepCommand.self, BenchPlotCommand.self],
        defaultSubcommand: BenchCommand.self)
}
