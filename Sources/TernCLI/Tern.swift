import ArgumentParser

@main
struct Tern: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tern",
        abstract: "Fast LLM inference on CPUs.",
        subcommands: [RunCommand.self, ChatCommand.self, TokenizeCommand.self, TemplateCommand.self, BenchGroupCommand.self, SynthCommand.self, QuantizeCommand.self, ServeCommand.self, BatchCommand.self])
}
