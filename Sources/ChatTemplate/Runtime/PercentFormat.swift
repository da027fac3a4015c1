import Foundation

/// Python's printf-style `str % values`, used by the `%` operator and the `format` filter.
enum PercentFormat {
    /// The values a format string consumes.
    enum Values {
        /// Positional values, consumed in order (a Python tuple).
        case sequence([Value])
        /// Values looked up by `%(name)s` keys.
        case mapping(Dict)
    }

    /// `template % operand`: a tuple supplies positional values, a dict
    /// named ones, anything else is the single value.
    static func format(_ template: Value, _ operand: Value, at location: SourceLocation) throws(TemplateError) -> String {
        let text = PythonFormatting.str(template)
        switch operand {
        case .dict(let dict):
            return try format(text, .mapping(dict), at: location)
        case .tuple(let items):
            return try format(text, .sequence(items), at: location)
        default:
            return try format(text, .sequence([operand]), at: location)
        }
    }

    private static func conversionCount(_ text: String) -> Int {
        var count = 0
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "%" else { continue }
            guard let next = scalars.next() else { break }
            if next != "%" { count += 1 }
        }
        return count
    }

    static func format(_ text: String, _ values: Values, at location: SourceLocation) throws(TemplateError) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = ""
        var next = 0
        var i = 0
        func fail(_ message: String) -> TemplateError { TemplateError(.runtime, message, at: location) }
        while i < scalars.count {
            guard scalars[i] == "%" else {
                out.unicodeScalars.append(scalars[i])
                i += 1
                continue
            }
            i += 1
            guard i < scalars.count else { throw fail("incomplete format") }
            var argument: Value?
            if scalars[i] == "(" {
                guard case .mapping(let dict) = values else { throw fail("format requires a mapping") }
                guard let close = scalars[i...].firstIndex(of: ")") else { throw fail("incomplete format key") }
                let key = StringOps.string(scalars[(i + 1)..<close])
                guard let found = dict.get(key) else { throw fail("KeyError: '\(key)'") }
                argument = found
                i = close + 1
            }
            var flags = Set<Unicode.Scalar>()
            while i < scalars.count, "#0- +".unicodeScalars.contains(scalars[i]) { flags.insert(scalars[i]); i += 1 }
            var width = 0
            while i < scalars.count, PythonCharacters.isDigit(scalars[i]) { width = width * 10 + Int(scalars[i].value - 48); i += 1 }
            var precision: Int?
            if i < scalars.count, scalars[i] == "." {
                i += 1
                var digits = 0
                while i < scalars.count, PythonCharacters.isDigit(scalars[i]) { digits = digits * 10 + Int(scalars[i].value - 48); i += 1 }
                precision = digits
            }
            while i < scalars.count, "hlL".unicodeScalars.contains(scalars[i]) { i += 1 }
            guard i < scalars.count else { throw fail("incomplete format") }
            guard width <= 1 << 16, (precision ?? 0) <= 1 << 10 else {
                throw TemplateError(.limitExceeded, "format width or precision too large", at: location)
            }
            let type = scalars[i]
            i += 1
            if type == "%" { out += "%"; continue }
            if argument == nil {
                switch values {
                case .sequence(let items):
                    guard next < items.count else { throw fail("not enough arguments for format string") }
                    argument = items[next]
                    next += 1
                case .mapping(let dict):
                    argument = .dict(dict)
                }
            }
            guard let value = argument else { continue }
            out += try convert(value, type: type, flags: flags, width: width, precision: precision, at: location)
        }
        if case .sequence(let items) = values, next < items.count {
            throw fail("not all arguments converted during string formatting")
        }
        return out
    }

    private static func convert(_ value: Value, type: Unicode.Scalar, flags: Set<Unicode.Scalar>, width: Int,
                                precision: Int?, at location: SourceLocation) throws(TemplateError) -> String {
        var body: String
        var numeric = true
        var negative = false
        switch type {
        case "s", "r", "a":
            numeric = false
            body = type == "s" ? PythonFormatting.str(value) : PythonFormatting.repr(value)
            if let precision { body = StringOps.string(body.unicodeScalars.prefix(precision)) }
        case "d", "i", "u", "x", "X", "o":
            guard let number = value.numeric else {
                throw TemplateError(.runtime, "%\(type) format: a real number is required, not \(value.typeName)", at: location)
            }
            let integer: Int
            switch number {
            case .int(let n): integer = n
            case .double(let d):
                guard d.isFinite, let truncated = Int(exactly: d.rounded(.towardZero)) else {
                    throw TemplateError(.runtime, "cannot convert float \(PythonFormatting.floatRepr(d)) to integer", at: location)
                }
                integer = truncated
            }
            negative = integer < 0
            let radix = type == "o" ? 8 : (type == "x" || type == "X") ? 16 : 10
            body = String(integer.magnitude, radix: radix, uppercase: type == "X")
            if flags.contains("#"), radix != 10 { body = (radix == 8 ? "0o" : (type == "X" ? "0X" : "0x")) + body }
        case "f", "F", "e", "E", "g", "G":
            guard let number = value.numeric?.asDouble else {
                throw TemplateError(.runtime, "must be real number, not \(value.typeName)", at: location)
            }
            negative = number.sign == .minus && !number.isNaN
            body = String(format: "%\(flags.contains("#") ? "#" : "").\(precision ?? 6)\(type)", abs(number))
        case "c":
            numeric = false
            if case .string(let text) = value, text.unicodeScalars.count == 1 {
                body = text
            } else if let code = value.integer, let scalar = Unicode.Scalar(UInt32(clamping: max(code, 0))) {
                body = String(scalar)
            } else {
                throw TemplateError(.runtime, "%c requires an int or a single character", at: location)
            }
        default:
            throw TemplateError(.unsupported, "unsupported format character '\(type)'", at: location)
        }
        var sign = ""
        if numeric {
            if negative { sign = "-" } else if flags.contains("+") { sign = "+" } else if flags.contains(" ") { sign = " " }
        }
        let length = sign.unicodeScalars.count + body.unicodeScalars.count
        guard width > length else { return sign + body }
        let padding = width - length
        if flags.contains("-") { return sign + body + String(repeating: " ", count: padding) }
        if numeric, flags.contains("0") { return sign + String(repeating: "0", count: padding) + body }
        return String(repeating: " ", count: padding) + sign + body
    }
}
