/// What kind of token an id is, as llama.cpp tracks it: a bit set, because llama.cpp adds
/// `control` to some tokens it recognises by text whatever their stored type.
struct TokenAttributes: OptionSet, Sendable {
    let rawValue: UInt8

    static let unknown = TokenAttributes(rawValue: 1 << 0)
    static let unused = TokenAttributes(rawValue: 1 << 1)
    static let normal = TokenAttributes(rawValue: 1 << 2)
    static let control = TokenAttributes(rawValue: 1 << 3)
    static let userDefined = TokenAttributes(rawValue: 1 << 4)
    static let byte = TokenAttributes(rawValue: 1 << 5)

    /// Tokens that render as nothing unless special tokens are rendered.
    static let hiddenByDefault: TokenAttributes = [.unknown, .control]
    /// Tokens recognised inside input text when special-token parsing is on.
    static let matchedInText: TokenAttributes = [.unknown, .control, .userDefined]

    /// The attributes of a `tokenizer.ggml.token_type` value; unknown values get none.
    init(tokenType: Int32) {
        switch Vocabulary.TokenType(rawValue: tokenType) {
        case .normal: self = .normal
        case .unknown: self = .unknown
        case .control: self = .control
        case .userDefined: self = .userDefined
        case .unused: self = .unused
        case .byte: self = .byte
        case nil: self = []
        }
    }

    init(rawValue: UInt8) { self.rawValue = rawValue }
}
