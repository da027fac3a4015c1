/// Why a vocabulary could not be turned into a tokenizer.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `tokenizer.ggml.model` names an algorithm this module does not implement.
    case unsupportedModel(String)
    /// `tokenizer.ggml.pre` names a pre-tokenizer this module does not implement.
    case unsupportedPreTokenizer(String)
    /// The vocabulary data is inconsistent; the message says which field and why.
    case invalidVocabulary(String)

    public var description: String {
        switch self {
        case .unsupportedModel(let name):
            return "unsupported tokenizer model '\(name)' (supported: 'gpt2', 'llama')"
        case .unsupportedPreTokenizer(let name):
            return "unsupported pre-tokenizer '\(name)' (supported: \(PreTokenizer.supportedNames.joined(separator: ", ")))"
        case .invalidVocabulary(let reason):
            return "invalid vocabulary: \(reason)"
        }
    }
}
