/// Splits template source into text and tags the way Jinja's lexer does
/// with the settings `apply_chat_template` uses: `trim_blocks=True`,
/// `lstrip_blocks=True`, default delimiters, no line statements.
///
/// Whitespace control, from Jinja's lexer:
/// - `{%-`, `{{-`, `{#-` strip all whitespace before the tag; `-%}`, `-}}`,
///   `-#}` strip all whitespace after it.
/// - trim_blocks: the first newline right after `%}` or `#}` is dropped
///   (not after `}}`); `+%}` keeps it.
/// - lstrip_blocks: whitespace between the start of a line and a `{%` or
///   `{#` is dropped when nothing else precedes the tag on its line (not
///   before `{{`); `{%+` keeps it. "Start of a line" includes text that
///   follows a tag whose end consumed a newline.
struct Lexer {
    private let source: SourceText
    private var scalars: [Unicode.Scalar] { source.scalars }
    private var position = 0
    /// Whether the previous match ended with a newline (Jinja's `line_starting`).
    private var lineStarting = true
    private var segments: [Segment] = []

    private enum TagKind { case variable, block, comment, raw }

    init(source: SourceText) { self.source = source }

    /// Produces the segments of the whole template.
    mutating func run() throws(TemplateError) -> [Segment] {
        while position < scalars.count {
            guard let (tagStart, kind) = nextTagOpening(from: position) else {
                emitText(position..<scalars.count)
                position = scalars.count
                break
            }
            let signIndex = tagStart + 2
            let sign: Unicode.Scalar? = signIndex < scalars.count && (scalars[signIndex] == "-" || scalars[signIndex] == "+")
                ? scalars[signIndex] : nil
            let textEnd = strippedTextEnd(position..<tagStart, sign: sign, stripsLeading: kind != .variable)
            emitText(position..<textEnd)
            position = signIndex + (sign == nil ? 0 : 1)
            lineStarting = false
            switch kind {
            case .comment: try skipComment(openedAt: tagStart)
            case .variable: try lexTag(openedAt: tagStart, isBlock: false)
            case .block: try lexTag(openedAt: tagStart, isBlock: true)
            case .raw: try lexRaw(openedAt: tagStart)
            }
        }
        return segments
    }

    // MARK: - Text and whitespace control

    private mutating func emitText(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        segments.append(.text(source.string(range), offset: range.lowerBound))
    }

    private func matches(_ literal: String, at index: Int) -> Bool {
        var i = index
        for scalar in literal.unicodeScalars {
            guard i < scalars.count, scalars[i] == scalar else { return false }
            i += 1
        }
        return true
    }

    /// Where the text before a tag ends once `-` or lstrip_blocks has removed
    /// whitespace from its tail.
    private func strippedTextEnd(_ text: Range<Int>, sign: Unicode.Scalar?, stripsLeading: Bool) -> Int {
        var end = text.upperBound
        if sign == "-" {
            while end > text.lowerBound, PythonCharacters.isWhitespace(scalars[end - 1]) { end -= 1 }
            return end
        }
        guard sign != "+", stripsLeading else { return end }
        var lineStart = text.upperBound
        while lineStart > text.lowerBound, scalars[lineStart - 1] != "\n" { lineStart -= 1 }
        let hasNewline = lineStart > text.lowerBound
        guard hasNewline || lineStarting, lineStart < end else { return end }
        if scalars[lineStart..<end].allSatisfy(PythonCharacters.isWhitespace) { return lineStart }
        return end
    }

    /// Skips whitespace starting at `index`, returning the first non-whitespace offset.
    private func skipWhitespace(from index: Int) -> Int {
        var i = index
        while i < scalars.count, PythonCharacters.isWhitespace(scalars[i]) { i += 1 }
        return i
    }

    /// The next `{{`, `{%` or `{#` at or after `index`, and whether a `{%`
    /// opens a `raw` block.
    private func nextTagOpening(from index: Int) -> (Int, TagKind)? {
        var i = index
        while i + 1 < scalars.count {
            if scalars[i] == "{" {
                switch scalars[i + 1] {
                case "{": return (i, .variable)
                case "#": return (i, .comment)
                case "%": return (i, isRawOpening(at: i) ? .raw : .block)
                default: break
                }
            }
            i += 1
        }
        return nil
    }

    /// Matches `{%[-+]?\s*raw\s*(-%}|%})` at `index`.
    private func isRawOpening(at index: Int) -> Bool {
        rawOpeningEnd(at: index) != nil
    }

    private func rawOpeningEnd(at index: Int) -> Int? {
        var i = index + 2
        if i < scalars.count, scalars[i] == "-" || scalars[i] == "+" { i += 1 }
        i = skipWhitespace(from: i)
        guard matches("raw", at: i) else { return nil }
        i = skipWhitespace(from: i + 3)
        if matches("-%}", at: i) { return skipWhitespace(from: i + 3) }
        if matches("%}", at: i) { return i + 2 }
        return nil
    }

    /// Records whether the match that ended just before `end` ended in a newline.
    private mutating func finishMatch(at end: Int) {
        lineStarting = end > 0 && scalars[end - 1] == "\n"
        position = end
    }

    /// The end of a block or comment closing delimiter at `index`, if one is there.
    private func closingEnd(at index: Int, delimiter: String) -> Int? {
        if matches("+" + delimiter, at: index) { return index + 3 }
        if matches("-" + delimiter, at: index) { return skipWhitespace(from: index + 3) }
        if matches(delimiter, at: index) {
            let after = index + 2
            return after < scalars.count && scalars[after] == "\n" ? after + 1 : after
        }
        return nil
    }

    // MARK: - Comments and raw blocks

    private mutating func skipComment(openedAt start: Int) throws(TemplateError) {
        var i = position
        while i < scalars.count {
            if let end = closingEnd(at: i, delimiter: "#}") {
                finishMatch(at: end)
                return
            }
            i += 1
        }
        throw TemplateError(.syntax, "missing end of comment tag", at: source.location(of: start))
    }

    private mutating func lexRaw(openedAt start: Int) throws(TemplateError) {
        guard let bodyStart = rawOpeningEnd(at: start) else { return }
        finishMatch(at: bodyStart)
        var i = bodyStart
        while i + 1 < scalars.count {
            if scalars[i] == "{", scalars[i + 1] == "%", let closeEnd = endRawEnd(at: i) {
                let signIndex = i + 2
                let sign: Unicode.Scalar? = scalars[signIndex] == "-" || scalars[signIndex] == "+" ? scalars[signIndex] : nil
                let textEnd = strippedTextEnd(bodyStart..<i, sign: sign, stripsLeading: true)
                emitText(bodyStart..<textEnd)
                finishMatch(at: closeEnd)
                return
            }
            i += 1
        }
        throw TemplateError(.syntax, "missing end of raw directive", at: source.location(of: start))
    }

    /// Matches `{%[-+]?\s*endraw\s*` plus a block closing delimiter at `index`.
    private func endRawEnd(at index: Int) -> Int? {
        var i = index + 2
        if i < scalars.count, scalars[i] == "-" || scalars[i] == "+" { i += 1 }
        i = skipWhitespace(from: i)
        guard matches("endraw", at: i) else { return nil }
        i = skipWhitespace(from: i + 6)
        return closingEnd(at: i, delimiter: "%}")
    }

    // MARK: - Tags

    private mutating func lexTag(openedAt start: Int, isBlock: Bool) throws(TemplateError) {
        var tokenizer = ExpressionTokenizer(source: source, position: position)
        var tokens: [Token] = []
        var brackets: [Unicode.Scalar] = []
        while true {
            let i = skipWhitespace(from: tokenizer.position)
            tokenizer.position = i
            if brackets.isEmpty, let end = tagEnd(at: i, isBlock: isBlock) {
                tokens.append(Token(kind: .end, offset: i))
                finishMatch(at: end)
                break
            }
            guard i < scalars.count else {
                let opener = isBlock ? "{%" : "{{"
                throw TemplateError(.syntax, "unclosed '\(opener)' tag: unexpected end of template", at: source.location(of: start))
            }
            let token = try tokenizer.next()
            if case .op(let op) = token.kind {
                switch op {
                case "(": brackets.append(")")
                case "[": brackets.append("]")
                case "{": brackets.append("}")
                case ")", "]", "}":
                    guard let expected = brackets.popLast() else {
                        throw TemplateError(.syntax, "unexpected '\(op)'", at: source.location(of: token.offset))
                    }
                    if String(expected) != op {
                        throw TemplateError(.syntax, "unexpected '\(op)', expected '\(expected)'", at: source.location(of: token.offset))
                    }
                default: break
                }
            }
            tokens.append(token)
        }
        segments.append(isBlock ? .block(tokens: tokens, offset: start) : .variable(tokens: tokens, offset: start))
    }

    /// The end of a tag's closing delimiter at `index`, if one is there.
    private func tagEnd(at index: Int, isBlock: Bool) -> Int? {
        if isBlock { return closingEnd(at: index, delimiter: "%}") }
        if matches("-}}", at: index) { return skipWhitespace(from: index + 3) }
        if matches("}}", at: index) { return index + 2 }
        return nil
    }
}
