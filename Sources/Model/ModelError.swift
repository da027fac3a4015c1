import GGUF

/// Why a model file cannot be used.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupportedArchitecture(String)
    case missingTensor(String)
    case unsupportedTensorType(tensor: String, type: String)
    case wrongShape(tensor: String, expected: [Int], actual: [Int])
    case invalidConfiguration(String)
    case metadata(GGUFError)

    public var description: String {
        switch self {
        case .unsupportedArchitecture(let name):
            "unsupported model architecture '\(name)' (supported: \(ModelConfiguration.supportedArchitectures.sorted().joined(separator: ", ")))"
        case .missingTensor(let name): "model file has no tensor '\(name)'"
        case .unsupportedTensorType(let tensor, let type): "tensor '\(tensor)' has type \(type), which Tern cannot compute with yet"
        case .wrongShape(let tensor, let expected, let actual): "tensor '\(tensor)' has shape \(actual), expected \(expected)"
        case .invalidConfiguration(let message): "invalid model configuration: \(message)"
        case .metadata(let error): error.description
        }
    }
}
