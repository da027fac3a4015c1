import ChatTemplate
import GGUF
import Model
import Tokenizer

/// Everything loaded from one GGUF file: the network, its tokenizer and its chat template.
public final class ModelBundle: Sendable {
    public let path: String
    public let model: LanguageModel
    public let tokenizer: Tokenizer
    /// nil when the file carries no `tokenizer.chat_template`.
    public let chatTemplate: ChatTemplate?
    public let chatTemplateError: String?

    public init(path: String, threads: Int = 1, maxBatchTokens: Int = 512) throws(EngineError) {
        self.path = path
        let file: GGUFFile
        do { file = try GGUFFile(path: path) } catch { throw .model("cannot load model '\(path)': \(error.description)") }
        do {
            model = try LanguageModel(file: file, maxBatchTokens: maxBatchTokens, threads: threads)
        } catch {
            throw .model("cannot load model '\(path)': \(error.description)")
        }
        do {
            tokenizer = try Tokenizer(vocabulary: try Vocabulary(file: file))
        } catch let error as TokenizerError {
            throw .model("cannot load the tokenizer of '\(path)': \(error.description)")
        } catch let error as EngineError {
            throw error
        } catch {
            throw .model("cannot load the tokenizer of '\(path)': \(error)")
        }
        if let source = file.metadata["tokenizer.chat_template"]?.stringValue {
            do {
                chatTemplate = try ChatTemplate(source: source)
                chatTemplateError = nil
            } catch {
                chatTemplate = nil
                chatTemplateError = error.description
            }
        } else {
            chatTemplate = nil
            chatTemplateError = "the model file has no chat template (tokenizer.chat_template)"
        }
    }

    /// Renders `messages` through the model's chat template, with the generation prompt added.
    public func renderChat(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) throws(EngineError) -> String {
        guard let chatTemplate else { throw .template(chatTemplateError ?? "unavailable") }
        func text(_ id: TokenID?) -> String { id.flatMap { tokenizer.tokenText($0) } ?? "" }
        do {
            return try chatTemplate.render(messages: messages, addGenerationPrompt: addGenerationPrompt,
                                           bosToken: text(tokenizer.bosID), eosToken: text(tokenizer.eosID))
        } catch {
            throw .template(error.description)
        }
    }
}
