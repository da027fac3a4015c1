import Foundation

/// The longer filters: `indent`, `tojson`, `round`, `truncate`, `wordcount`.
extension Interpreter {
    /// Jinja's `indent(width=4, first=False, blank=False)`.
    func indent(_ text: String, _ bound: [Value?], at location: SourceLocation) throws(TemplateError) -> String {
        let indentation: String
        if case .string(let custom)? = bound[0] {
            indentation = custom
        } else {
            let width = try integerArgument(bound[0], default: 4, "indent", at: location)
            guard width <= limits.maxOutputBytes else { throw limits.sizeError(at: location) }
            indentation = String(repeating: " ", count: max(width, 0))
        }
        let first = bound[1]?.isTruthy ?? false
        let blank = bound[2]?.isTruthy ?? false
        // Jinja appends a newline so that splitlines() keeps a trailing empty line.
        let lines = StringOps.splitLines(text + "\n")
        var result: String
        if blank {
            result = lines.joined(separator: "\n" + indentation)
        } else {
            result = lines.first ?? ""
            let rest = lines.dropFirst()
            if !rest.isEmpty {
                result += "\n" + rest.map { $0.isEmpty ? $0 : indentation + $0 }.joined(separator: "\n")
            }
        }
        if first { result = indentation + result }
        return try limits.checked(result, at: location)
    }

    /// transformers' `tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`.
    func toJSON(_ value: Value, _ bound: [Value?], at location: SourceLocation) throws(TemplateError) -> String {
        var indentText: String?
        switch bound[1] {
        case nil, .none?: indentText = nil
        case .string(let custom)?: indentText = custom
        case let other?:
            guard let width = other.integer else {
                throw TemplateError(.runtime, "tojson indent must be an integer or string", at: location)
            }
            guard width <= 1 << 10 else { throw limits.sizeError(at: location) }
            indentText = String(repeating: " ", count: max(width, 0))
        }
        var separators: (String, String)?
        if let given = bound[2], !isNone(given) {
            guard let pair = given.sequenceItems, pair.count == 2,
                  case .string(let item) = pair[0], case .string(let key) = pair[1] else {
                throw TemplateError(.runtime, "tojson separators must be a pair of strings", at: location)
            }
            separators = (item, key)
        }
        let serializer = JSONSerializer(indent: indentText, separators: separators,
                                        sortKeys: bound[3]?.isTruthy ?? false, ensureASCII: bound[0]?.isTruthy ?? false)
        return try limits.checked(try serializer.serialize(value, at: location), at: location)
    }

    /// Jinja's `round(precision=0, method='common')`; `common` rounds half to
    /// even on the exact binary value, as Python's `round` does.
    func round(_ value: Value, _ bound: [Value?], at location: SourceLocation) throws(TemplateError) -> Value {
        let precision = try integerArgument(bound[0], default: 0, "round", at: location)
        let method = bound[1].map(PythonFormatting.str) ?? "common"
        guard let number = value.numeric else {
            throw TemplateError(.runtime, "round: a number is required, not \(value.typeName)", at: location)
        }
        switch method {
        case "common":
            if precision < 0 {
                // Round at a power of ten left of the point, half to even, on the exact value.
                switch number {
                case .int(let integer):
                    let digits = Self.roundedDigits(String(integer.magnitude), fraction: "", places: -precision)
                    guard let magnitude = Int(digits) else { return .int(integer) }
                    return .int(integer < 0 ? -magnitude : magnitude)
                case .double(let x):
                    guard x.isFinite else { return .double(x) }
                    guard abs(x) >= 1 else { return .double(x.sign == .minus ? -0.0 : 0.0) }
                    let exact = String(format: "%.60f", abs(x)).split(separator: ".")
                    let digits = Self.roundedDigits(String(exact[0]), fraction: exact.count > 1 ? String(exact[1]) : "", places: -precision)
                    let magnitude = Double(digits) ?? abs(x)
                    return .double(x < 0 ? -magnitude : magnitude)
                }
            }
            if case .int(let integer) = number { return .int(integer) }
            let x = number.asDouble
            guard x.isFinite, precision <= 340 else { return .double(x) }
            // glibc's printf rounds the exact binary value half to even, as Python's round does.
            return .double(Double(String(format: "%.\(precision)f", x)) ?? x)
        case "floor", "ceil":
            // Jinja: math.floor/ceil(value * 10**precision) / 10**precision; the middle value is an int.
            guard abs(precision) <= 308 else { throw TemplateError(.runtime, "round precision out of range", at: location) }
            let factor = precision >= 0 ? (Double("1e\(precision)") ?? 1) : pow(10.0, Double(precision))
            let scaled = number.asDouble * factor
            guard scaled.isFinite else {
                throw TemplateError(.runtime, "cannot convert float \(PythonFormatting.floatRepr(scaled)) to integer", at: location)
            }
            var whole = method == "floor" ? scaled.rounded(.down) : scaled.rounded(.up)
            if whole == 0 { whole = 0 }  // a Python int zero has no sign
            return .double(whole / factor)
        default:
            throw TemplateError(.runtime, "method must be common, ceil or floor", at: location)
        }
    }

    /// The decimal digits of `integer.fraction` rounded half to even at the
    /// `places`-th digit left of the point, with those places zeroed.
    static func roundedDigits(_ integer: String, fraction: String, places: Int) -> String {
        var digits = Array(String(repeating: "0", count: max(0, places + 1 - integer.count)) + integer)
        let keep = digits.count - places
        let dropped = Array(digits[keep...]) + Array(fraction)
        var roundUp = false
        if let first = dropped.first, first != "0" || dropped.contains(where: { $0 != "0" }) {
            if first > "5" {
                roundUp = true
            } else if first == "5" {
                let exactHalf = dropped.dropFirst().allSatisfy { $0 == "0" }
                let lastKept = digits[keep - 1].wholeNumberValue ?? 0
                roundUp = !exactHalf || lastKept % 2 == 1
            }
        }
        for index in keep..<digits.count { digits[index] = "0" }
        if roundUp {
            var index = keep - 1
            while index >= 0 {
                if digits[index] == "9" {
                    digits[index] = "0"
                    index -= 1
                } else {
                    digits[index] = Character(String((digits[index].wholeNumberValue ?? 0) + 1))
                    break
                }
            }
            if index < 0 { digits.insert("1", at: 0) }
        }
        return String(digits)
    }

    /// Jinja's `truncate(length=255, killwords=False, end='...', leeway=5)`.
    func truncate(_ text: String, _ bound: [Value?], at location: SourceLocation) throws(TemplateError) -> String {
        let length = try integerArgument(bound[0], default: 255, "truncate", at: location)
        let killWords = bound[1]?.isTruthy ?? false
        let end = bound[2].map(PythonFormatting.str) ?? "..."
        let leeway = try integerArgument(bound[3], default: 5, "truncate", at: location)
        let scalars = StringOps.scalars(text)
        let endLength = StringOps.length(end)
        guard length >= endLength else {
            throw TemplateError(.runtime, "expected length >= \(endLength), got \(length)", at: location)
        }
        guard leeway >= 0 else { throw TemplateError(.runtime, "expected leeway >= 0, got \(leeway)", at: location) }
        if scalars.count <= length + leeway { return text }
        let kept = StringOps.string(scalars.prefix(length - endLength))
        if killWords { return kept + end }
        return (StringOps.rsplit(kept, separator: " ", maxSplit: 1).first ?? kept) + end
    }

    /// Python's `\w+` matches: runs of letters, digits and underscores.
    func wordCount(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let isWord = scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            if isWord && !inWord { count += 1 }
            inWord = isWord
        }
        return count
    }
}
