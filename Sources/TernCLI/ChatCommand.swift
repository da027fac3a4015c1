import ArgumentParser
import ChatTemplate
import Engine
import Foundation

struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat through the model's chat template: one turn with MESSAGE, or an interactive session without it.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "A system message.") var system: String?
    @OptionGroup var samplingOptions: SamplingOptions
    @OptionGroup var kvTypeOptions: KVTypeOptions
    @Argument(help: "The user message. Omit it for an interactive session (end with an empty line or Ctrl-D).") var message: String?

    func run() throws {
        try reportingErrors {
            let bundle = try modelOptions.load()
            let generator: Generator
            do { generator = try Generator(bundle: bundle, kvType: kvTypeOptions.kvType) } catch { throw CLIError("\(error)") }
            var history: [ChatMessage] = system.map { [ChatMessage(role: "system", content: $0)] } ?? []
            func turn(_ text: String) throws(CLIError) {
                history.append(ChatMessage(role: "user", content: text))
                do {
                    let prompt = try bundle.renderChat(history)
                    let ids = bundle.tokenizer.encode(prompt, addSpecial: true, parseSpecial: true)
                    let result = try generator.generate(prompt: ids, parameters: samplingOptions.generation) { writeOut($0) }
                    writeOut("\n")
                    history.append(ChatMessage(role: "assistant", content: result.text))
                } catch {
                    throw CLIError("\(error)")
                }
            }
            if let message {
                try turn(message)
                return
            }
            let interactive = isatty(STDIN_FILENO) != 0
            while true {
                if interactive { writeOut("> ") }
                guard let line = readLine(), !line.isEmpty else { break }
                try turn(line)
            }
        }
    }
}
