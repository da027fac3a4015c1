import Foundation

/// llama.cpp's outputs for the default model (shared/golden/smollm2-135m-q4_1.json; see its README).
struct GoldenReference: Decodable {
    struct TokenizeCase: Decodable {
        let text: String
        let ids: [Int32]
    }
    struct Message: Decodable {
        let role: String
        let content: String
    }
    struct Step: Decodable {
        let id: Int32
        /// [token id, log-probability] of the five most likely tokens.
        let top: [[Double]]
    }
    struct GenerationCase: Decodable {
        let messages: [Message]?
        let prompt: String
        let prompt_ids: [Int32]
        let output_ids: [Int32]
        let output_text: String
        let steps: [Step]
        let first_near_tie: Int?
        let ends_with_eos: Bool
    }
    let tokenize: [TokenizeCase]
    let completions: [GenerationCase]
    let chat: [GenerationCase]

    /// The golden file lives in the `shared` folder beside the repository checkout.
    static let url: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/golden/smollm2-135m-q4_1.json")

    static let shared: GoldenReference = {
        guard let data = try? Data(contentsOf: url) else { fatalError("golden file missing at \(url.path)") }
        do { return try JSONDecoder().decode(GoldenReference.self, from: data) } catch { fatalError("golden file unreadable: \(error)") }
    }()
}
