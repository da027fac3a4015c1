/// One lexical token inside a `{{ ... }}` or `{% ... %}` tag.
struct Token: Sendable, Equatable {
    /// What the token is.
    enum Kind: Sendable, Equatable {
        /// An identifier, including keywords such as `for`, `in`, `not`.
        case name(String)
        /// A string literal with its escapes already decoded.
        case string(String)
        /// An integer literal.
        case integer(Int)
        /// A float literal.
        case float(Double)
        /// An operator or punctuation mark, such as `+`, `==`, `(`, `|`.
        case op(String)
        /// The closing delimiter of the tag the token list belongs to.
        case end
    }

    var kind: Kind
    /// Offset of the token's first scalar in the normalized source.
    var offset: Int

    /// Whether this is the name token `word`.
    func isName(_ word: String) -> Bool {
        if case .name(let name) = kind { return name == word }
        return false
    }

    /// Whether this is the operator `symbol`.
    func isOp(_ symbol: String) -> Bool {
        if case .op(let op) = kind { return op == symbol }
        return false
    }

    /// A short description for error messages, in Jinja's words where it has them.
    var describe: String {
        switch kind {
        case .name(let name): return "'\(name)'"
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .op(let op): return "'\(op)'"
        case .end: return "end of tag"
        }
    }
}

/// The template split into literal text and tags, in source order.
enum Segment: Sendable {
    /// Literal text to output as is, after whitespace control.
    case text(String, offset: Int)
    /// A `{{ ... }}` tag; `tokens` ends with a `.end` token at the closing delimiter.
    case variable(tokens: [Token], offset: Int)
    /// A `{% ... %}` tag; `tokens` ends with a `.end` token at the closing delimiter.
    case block(tokens: [Token], offset: Int)
}
