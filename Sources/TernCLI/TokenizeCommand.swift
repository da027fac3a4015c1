import ArgumentParser
import ChatTemplate
import Engine
import Foundation

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "Print the token ids of TEXT as a JSON array.")

    @OptionGroup var modelOptions: ModelOptions
    @Argument(help: "The text to tokenize.") var text: String

    func run() throws {
        try reportingErrors {
            let bundle = try modelOptions.load()
            let ids = bundle.tokenizer.encode(text, addSpecial: true, parseSpecial: true)
            writeOut("[" + ids.map(String.init).joined(separator: ", ") + "]\n")
        }
    }
}

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render a conversation through the model's chat template, with the generation prompt added.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "A JSON file holding an array of {\"role\", \"content\"} messages.") var messages: String

    func run() throws {
        try reportingErrors {
            guard let data = FileManager.default.contents(atPath: messages) else { throw CLIError("cannot read '\(messages)'") }
            let conversation: [ChatMessage]
            do {
                conversation = try JSONDecoder().decode([ChatMessage].self, from: data)
            } catch {
                throw CLIError("'\(messages)' is not a JSON array of {\"role\", \"content\"} messages")
            }
            let bundle = try modelOptions.load()
            do { writeOut(try bundle.renderChat(conversation)) } catch { throw CLIError("\(error)") }
        }
    }
}
