/// Errors the engine reports to its callers, each a single readable line.
public enum EngineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model file cannot be opened or used.
    case model(String)
    /// The request cannot be served as given (empty prompt, too long for the context, ...).
    case invalidRequest(String)
    /// The model has no chat template, or it failed to render.
    case template(String)
    /// The KV cache has no room for the request.
    case outOfMemory(String)

    public var description: String {
        switch self {
        case .model(let message): message
        case .invalidRequest(let message): message
        case .template(let message): "chat template: \(message)"
        case .outOfMemory(let message): message
        }
    }
}
