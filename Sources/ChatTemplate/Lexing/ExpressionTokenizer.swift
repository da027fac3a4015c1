/// Reads one token at a time inside a tag, with Jinja's token rules tried in
/// Jinja's order: float, integer, name, string, operator.
struct ExpressionTokenizer {
    let source: SourceText
    var position: Int
    private var scalars: [Unicode.Scalar] { source.scalars }

    /// Operators, longest first so that `**` wins over `*`.
    private static let operators: [String] = [
        "//", "**", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}",
        ">", "<", "=", ".", ":", "|", ",", ";",
    ]

    init(source: SourceText, position: Int) {
        self.source = source
        self.position = position
    }

    /// Reads the token at `position` (which must not be whitespace) and advances past it.
    mutating func next() throws(TemplateError) -> Token {
        let start = position
        if let end = floatEnd(at: start) {
            let text = String(String.UnicodeScalarView(scalars[start..<end].filter { $0 != "_" }))
            position = end
            guard let value = Double(text) else { throw error("invalid float literal", at: start) }
            return Token(kind: .float(value), offset: start)
        }
        if let (end, value) = try integer(at: start) {
            position = end
            return Token(kind: .integer(value), offset: start)
        }
        let first = scalars[start]
        if PythonCharacters.isIdentifierStart(first) {
            var end = start + 1
            while end < scalars.count, PythonCharacters.isIdentifierContinue(scalars[end]) { end += 1 }
            position = end
            return Token(kind: .name(source.string(start..<end)), offset: start)
        }
        if first == "'" || first == "\"" {
            return try stringLiteral(at: start, quote: first)
        }
        for op in Self.operators where matches(op, at: start) {
            position = start + op.unicodeScalars.count
            return Token(kind: .op(op), offset: start)
        }
        throw error("unexpected char '\(first)'", at: start)
    }

    private func error(_ message: String, at offset: Int) -> TemplateError {
        TemplateError(.syntax, message, at: source.location(of: offset))
    }

    private func matches(_ literal: String, at index: Int) -> Bool {
        var i = index
        for scalar in literal.unicodeScalars {
            guard i < scalars.count, scalars[i] == scalar else { return false }
            i += 1
        }
        return true
    }

    /// End of `(\d+_)*\d+` at `index`: digits with single underscores between them.
    private func digitRunEnd(at index: Int, isDigit: (Unicode.Scalar) -> Bool = PythonCharacters.isDigit) -> Int? {
        guard index < scalars.count, isDigit(scalars[index]) else { return nil }
        var i = index + 1
        while i < scalars.count {
            if isDigit(scalars[i]) {
                i += 1
            } else if scalars[i] == "_", i + 1 < scalars.count, isDigit(scalars[i + 1]) {
                i += 2
            } else {
                break
            }
        }
        return i
    }

    /// Jinja's float rule: not after a `.`; digits, then either an optional
    /// fraction plus a required exponent, or a required fraction.
    private func floatEnd(at index: Int) -> Int? {
        if index > 0, scalars[index - 1] == "." { return nil }
        guard let intEnd = digitRunEnd(at: index) else { return nil }
        var fractionEnd: Int?
        if intEnd < scalars.count, scalars[intEnd] == "." { fractionEnd = digitRunEnd(at: intEnd + 1) }
        let mantissaEnd = fractionEnd ?? intEnd
        if mantissaEnd < scalars.count, scalars[mantissaEnd] == "e" || scalars[mantissaEnd] == "E" {
            var i = mantissaEnd + 1
            if i < scalars.count, scalars[i] == "+" || scalars[i] == "-" { i += 1 }
            if let exponentEnd = digitRunEnd(at: i) { return exponentEnd }
        }
        return fractionEnd
    }

    /// Jinja's integer rule: `0b`, `0o`, `0x` prefixes, `[1-9](_?\d)*`, or `0(_?0)*`.
    private func integer(at index: Int) throws(TemplateError) -> (Int, Int)? {
        guard index < scalars.count, PythonCharacters.isDigit(scalars[index]) else { return nil }
        if scalars[index] == "0", index + 1 < scalars.count {
            let radix: Int? = switch scalars[index + 1] {
            case "b", "B": 2
            case "o", "O": 8
            case "x", "X": 16
            default: nil
            }
            if let radix {
                let isDigit: (Unicode.Scalar) -> Bool = { $0.isASCII && Int(String($0), radix: radix) != nil }
                var i = index + 2
                var digits = String.UnicodeScalarView()
                while i < scalars.count {
                    if isDigit(scalars[i]) {
                        digits.append(scalars[i]); i += 1
                    } else if scalars[i] == "_", i + 1 < scalars.count, isDigit(scalars[i + 1]) {
                        i += 1
                    } else { break }
                }
                if !digits.isEmpty {
                    guard let value = Int(String(digits), radix: radix) else {
                        throw error("integer literal too large", at: index)
                    }
                    return (i, value)
                }
            }
        }
        var end: Int
        if scalars[index] == "0" {
            end = index + 1
            while end < scalars.count {
                if scalars[end] == "0" { end += 1 }
                else if scalars[end] == "_", end + 1 < scalars.count, scalars[end + 1] == "0" { end += 2 }
                else { break }
            }
        } else {
            end = digitRunEnd(at: index) ?? index + 1
        }
        let text = String(String.UnicodeScalarView(scalars[index..<end].filter { $0 != "_" }))
        guard let value = Int(text) else { throw error("integer literal too large", at: index) }
        return (end, value)
    }

    /// A quoted string; escapes are decoded as Python's `unicode-escape` codec does.
    private mutating func stringLiteral(at start: Int, quote: Unicode.Scalar) throws(TemplateError) -> Token {
        var i = start + 1
        var out = String.UnicodeScalarView()
        while true {
            guard i < scalars.count else { throw error("unexpected char '\(quote)'", at: start) }
            let scalar = scalars[i]
            if scalar == quote { break }
            if scalar != "\\" {
                out.append(scalar)
                i += 1
                continue
            }
            guard i + 1 < scalars.count else { throw error("unexpected char '\(quote)'", at: start) }
            i = try decodeEscape(at: i, into: &out)
        }
        position = i + 1
        return Token(kind: .string(String(out)), offset: start)
    }

    /// Decodes the escape whose backslash is at `index`; returns the offset after it.
    private func decodeEscape(at index: Int, into out: inout String.UnicodeScalarView) throws(TemplateError) -> Int {
        let code = scalars[index + 1]
        let simple: [Unicode.Scalar: Unicode.Scalar] = [
            "\\": "\\", "'": "'", "\"": "\"", "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}",
            "n": "\n", "r": "\r", "t": "\t", "v": "\u{0B}",
        ]
        if let replacement = simple[code] {
            out.append(replacement)
            return index + 2
        }
        if code == "\n" { return index + 2 }  // a line continuation
        if ("0"..."7").contains(code) {
            var value: UInt32 = 0
            var i = index + 1
            while i < scalars.count, i < index + 4, ("0"..."7").contains(scalars[i]) {
                value = value * 8 + (scalars[i].value - 0x30)
                i += 1
            }
            out.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            return i
        }
        let hexLength: Int? = code == "x" ? 2 : code == "u" ? 4 : code == "U" ? 8 : nil
        if let hexLength {
            let digitsStart = index + 2
            guard digitsStart + hexLength <= scalars.count,
                  let value = UInt32(String(String.UnicodeScalarView(scalars[digitsStart..<digitsStart + hexLength])), radix: 16),
                  scalars[digitsStart..<digitsStart + hexLength].allSatisfy(\.properties.isASCIIHexDigit)
            else {
                throw error("truncated \\\(code) escape in string literal", at: index)
            }
            guard value <= 0x10FFFF else { throw error("illegal Unicode character in string literal", at: index) }
            // Lone surrogates cannot be stored in a Swift string.
            out.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            return digitsStart + hexLength
        }
        if code == "N" {
            throw TemplateError(.unsupported, "unsupported \\N{...} escape in string literal", at: source.location(of: index))
        }
        // Python keeps unknown escapes verbatim.
        out.append("\\")
        out.append(code)
        return index + 2
    }
}
