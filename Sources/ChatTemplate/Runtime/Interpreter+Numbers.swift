/// Python's `int()` and `float()` conversions as the `int` and `float` filters use them.
extension Interpreter {
    /// Python's `float(value)`, or nil where it raises `TypeError`/`ValueError`.
    func toFloat(_ value: Value, at location: SourceLocation) throws(TemplateError) -> Double? {
        switch value {
        case .undefined(let hint): throw TemplateError(.runtime, hint, at: location)
        case .string(let text): return Self.parsePythonFloat(text)
        default: return value.numeric?.asDouble
        }
    }

    /// Python's float literal syntax as `float(str)` accepts it: surrounding
    /// whitespace, underscores between digits, `inf`/`nan` in any case.
    static func parsePythonFloat(_ text: String) -> Double? {
        let trimmed = StringOps.strip(text, characters: nil, leading: true, trailing: true)
        let lowered = trimmed.lowercased()
        let unsigned = lowered.hasPrefix("-") || lowered.hasPrefix("+") ? String(lowered.dropFirst()) : lowered
        if ["inf", "infinity", "nan"].contains(unsigned) {
            let magnitude = unsigned == "nan" ? Double.nan : Double.infinity
            return lowered.hasPrefix("-") ? -magnitude : magnitude
        }
        guard !trimmed.isEmpty, isUnderscoreValid(trimmed),
              trimmed.unicodeScalars.allSatisfy({ $0.isASCII && "0123456789.eE+-_".unicodeScalars.contains($0) })
        else { return nil }
        return Double(trimmed.filter { $0 != "_" })
    }

    /// Underscores may only sit between two digits.
    private static func isUnderscoreValid(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() where scalar == "_" {
            guard index > 0, index + 1 < scalars.count,
                  PythonCharacters.isDigit(scalars[index - 1]), PythonCharacters.isDigit(scalars[index + 1]) else { return false }
        }
        return true
    }

    /// Jinja's `int` filter: `int(s, base)` for strings, else `int(value)`, falling back to `int(float(value))`.
    func toInt(_ value: Value, base: Int, at location: SourceLocation) throws(TemplateError) -> Int? {
        switch value {
        case .undefined(let hint):
            throw TemplateError(.runtime, hint, at: location)
        case .string(let text):
            if let parsed = Self.parsePythonInt(text, base: base) { return parsed }
            guard let float = Self.parsePythonFloat(text) else { return nil }
            return try truncate(float, at: location)
        case .double(let number):
            return try truncate(number, at: location)
        default:
            return value.integer
        }
    }

    private func truncate(_ number: Double, at location: SourceLocation) throws(TemplateError) -> Int? {
        if number.isNaN { return nil }
        guard number.isFinite, let exact = Int(exactly: number.rounded(.towardZero)) else {
            throw TemplateError(.runtime, "cannot convert float \(PythonFormatting.floatRepr(number)) to integer", at: location)
        }
        return exact
    }

    /// `int(text, base)`: optional sign, an optional `0x`/`0o`/`0b` prefix
    /// matching the base (any prefix when base is 0), underscores between digits.
    static func parsePythonInt(_ text: String, base: Int) -> Int? {
        var body = StringOps.strip(text, characters: nil, leading: true, trailing: true).lowercased()
        var negative = false
        if body.hasPrefix("-") || body.hasPrefix("+") {
            negative = body.hasPrefix("-")
            body.removeFirst()
        }
        var radix = base
        for (prefix, prefixRadix) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) && (base == 0 || base == prefixRadix) {
            radix = prefixRadix
            body.removeFirst(2)
            if body.hasPrefix("_") { body.removeFirst() }
            break
        }
        if radix == 0 { radix = 10 }
        guard (2...36).contains(radix), !body.isEmpty, isUnderscoreValidForDigits(body) else { return nil }
        guard let magnitude = Int(body.filter { $0 != "_" }, radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }

    private static func isUnderscoreValidForDigits(_ text: String) -> Bool {
        !text.hasPrefix("_") && !text.hasSuffix("_") && !text.contains("__")
    }
}
