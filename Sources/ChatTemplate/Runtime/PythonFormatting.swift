/// Text forms of values exactly as Python prints them: `str()` for output
/// and `~`, `repr()` for items inside printed lists and dicts.
enum PythonFormatting {
    /// Python's `str(value)`; Undefined is "".
    static func str(_ value: Value) -> String {
        switch value {
        case .undefined: return ""
        case .string(let text), .markup(let text): return text
        default: return repr(value)
        }
    }

    /// Python's `repr(value)`.
    static func repr(_ value: Value) -> String {
        var out = ""
        appendRepr(value, to: &out)
        return out
    }

    private static func appendRepr(_ value: Value, to out: inout String) {
        switch value {
        case .undefined: out += ""
        case .none: out += "None"
        case .bool(let flag): out += flag ? "True" : "False"
        case .int(let number): out += String(number)
        case .double(let number): out += floatRepr(number)
        case .string(let text): out += stringRepr(text)
        case .markup(let text): out += "Markup(" + stringRepr(text) + ")"
        case .list(let items):
            out += "["
            for (offset, item) in items.enumerated() {
                if offset > 0 { out += ", " }
                appendRepr(item, to: &out)
            }
            out += "]"
        case .tuple(let items):
            out += "("
            for (offset, item) in items.enumerated() {
                if offset > 0 { out += ", " }
                appendRepr(item, to: &out)
            }
            out += items.count == 1 ? ",)" : ")"
        case .dict(let dict):
            appendDict(dict, to: &out)
        case .namespace(let namespace):
            out += "<Namespace "
            appendDict(namespace.attributes, to: &out)
            out += ">"
        case .iterator(let iterator):
            out += "<\(iterator.typeName) object>"
        case .loop(let loop):
            out += "<LoopContext \(loop.index0 + 1)/\(loop.length)>"
        case .function(let function):
            out += "<function \(function.name)>"
        }
    }

    private static func appendDict(_ dict: Dict, to out: inout String) {
        out += "{"
        for (offset, (key, item)) in dict.pairs.enumerated() {
            if offset > 0 { out += ", " }
            appendRepr(key, to: &out)
            out += ": "
            appendRepr(item, to: &out)
        }
        out += "}"
    }

    /// Python's `repr(str)`: single quotes unless the text has `'` but no `"`.
    static func stringRepr(_ text: String) -> String {
        let quote: Unicode.Scalar = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String.UnicodeScalarView()
        out.append(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case quote, "\\":
                out.append("\\")
                out.append(scalar)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            default:
                if isPrintable(scalar) {
                    out.append(scalar)
                } else {
                    out.append(contentsOf: hexEscape(scalar).unicodeScalars)
                }
            }
        }
        out.append(quote)
        return String(out)
    }

    private static func hexEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        if scalar.value <= 0xFF { return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex }
        if scalar.value <= 0xFFFF { return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex }
        return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Python's `str.isprintable()` for one character: everything except
    /// control, format, surrogate, private-use, unassigned and separator
    /// characters, with the ASCII space allowed.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
             .spaceSeparator, .lineSeparator, .paragraphSeparator:
            return false
        default:
            return true
        }
    }

    /// Python's `repr(float)`: the shortest digits that round-trip, in fixed
    /// notation when the decimal exponent is in -4 ..< 16 (with ".0" added to
    /// whole numbers), otherwise in exponent notation with at least two exponent digits.
    static func floatRepr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let (digits, pointPosition) = shortestDigits(abs(value))
        let sign = value < 0 ? "-" : ""
        // pointPosition: value = 0.d1d2d3... × 10^pointPosition
        if pointPosition > -4 && pointPosition <= 16 {
            if pointPosition <= 0 {
                return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
            }
            if pointPosition >= digits.count {
                return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
            }
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let exponent = pointPosition - 1
        var mantissa = String(digits.prefix(1))
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        let exponentDigits = String(abs(exponent))
        let paddedExponent = exponentDigits.count < 2 ? "0" + exponentDigits : exponentDigits
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + paddedExponent
    }

    /// The shortest round-trip decimal digits of a positive finite value,
    /// taken from Swift's `description` (which also prints the shortest
    /// round-trip form), and the decimal point position relative to them.
    private static func shortestDigits(_ value: Double) -> (String, Int) {
        let text = value.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = ""
        var pointPosition = 0
        var seenPoint = false
        for character in mantissa {
            if character == "." {
                seenPoint = true
            } else {
                digits.append(character)
                if !seenPoint { pointPosition += 1 }
            }
        }
        pointPosition += exponent
        while digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        return (digits, pointPosition)
    }
}
