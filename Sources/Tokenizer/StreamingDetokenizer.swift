/// Turns generated tokens into text one token at a time, never splitting a UTF-8 character.
///
/// A character may be spread over several tokens (byte tokens, or BPE tokens holding part of
/// an emoji). Bytes that could still become a character are held back until it completes;
/// bytes that can never be valid are released as U+FFFD right away.
public struct StreamingDetokenizer: Sendable {
    private let tokenizer: Tokenizer
    private let renderSpecial: Bool
    private var pending: [UInt8] = []

    /// - Parameter renderSpecial: render control tokens as their text instead of nothing.
    public init(tokenizer: Tokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// Adds one token and returns the text it completed, possibly empty.
    public mutating func append(_ id: TokenID) -> String {
        pending.append(contentsOf: tokenizer.tokenBytes(id, renderSpecial: renderSpecial))
        let held = UTF8Coding.incompleteSuffixLength(pending)
        let ready = pending.count - held
        guard ready > 0 else { return "" }
        let text = String(decoding: pending[..<ready], as: UTF8.self)
        pending.removeFirst(ready)
        return text
    }

    /// Returns whatever is still held back, with incomplete sequences as U+FFFD, and resets.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }
}
