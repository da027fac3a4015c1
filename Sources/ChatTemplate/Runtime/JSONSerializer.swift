/// `json.dumps` as transformers' `tojson` filter calls it:
/// `json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`
/// unless the template overrides those arguments.
struct JSONSerializer {
    /// Indentation per level; nil means everything on one line.
    var indent: String?
    var itemSeparator: String
    var keySeparator: String
    var sortKeys = false
    var ensureASCII = false

    /// Python's defaults: `", "` between items without indent, `","` with it; `": "` after keys.
    init(indent: String?, separators: (item: String, key: String)? = nil, sortKeys: Bool = false, ensureASCII: Bool = false) {
        self.indent = indent
        self.itemSeparator = separators?.item ?? (indent == nil ? ", " : ",")
        self.keySeparator = separators?.key ?? ": "
        self.sortKeys = sortKeys
        self.ensureASCII = ensureASCII
    }

    func serialize(_ value: Value, at location: SourceLocation) throws(TemplateError) -> String {
        var out = ""
        try write(value, level: 0, to: &out, at: location)
        return out
    }

    private func newline(_ level: Int, to out: inout String) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    private func write(_ value: Value, level: Int, to out: inout String, at location: SourceLocation) throws(TemplateError) {
        guard level < 512 else { throw TemplateError(.runtime, "tojson: value nested too deeply", at: location) }
        switch value {
        case .none: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .double(let number): out += Self.floatText(number)
        case .string(let text), .markup(let text): writeString(text, to: &out)
        case .list(let items), .tuple(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "["
            for (offset, item) in items.enumerated() {
                if offset > 0 { out += itemSeparator }
                newline(level + 1, to: &out)
                try write(item, level: level + 1, to: &out, at: location)
            }
            newline(level, to: &out)
            out += "]"
        case .dict(let dict):
            try writeObject(Array(dict.pairs), level: level, to: &out, at: location)
        case .namespace(let namespace):
            try writeObject(Array(namespace.attributes.pairs), level: level, to: &out, at: location)
        case .undefined, .iterator, .loop, .function:
            throw TemplateError(.runtime, "Object of type \(value.typeName) is not JSON serializable", at: location)
        }
    }

    private func writeObject(_ pairs: [(Value, Value)], level: Int, to out: inout String, at location: SourceLocation) throws(TemplateError) {
        guard !pairs.isEmpty else { out += "{}"; return }
        var entries: [(key: String, value: Value)] = []
        for (key, item) in pairs {
            entries.append((try keyText(key, at: location), item))
        }
        if sortKeys {
            entries.sort { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
        }
        out += "{"
        for (offset, entry) in entries.enumerated() {
            if offset > 0 { out += itemSeparator }
            newline(level + 1, to: &out)
            writeString(entry.key, to: &out)
            out += keySeparator
            try write(entry.value, level: level + 1, to: &out, at: location)
        }
        newline(level, to: &out)
        out += "}"
    }

    /// JSON object keys: strings as they are, other scalars the way `json.dumps` converts them.
    private func keyText(_ key: Value, at location: SourceLocation) throws(TemplateError) -> String {
        switch key {
        case .string(let text), .markup(let text): return text
        case .none: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return Self.floatText(number)
        default:
            throw TemplateError(.runtime, "keys must be str, int, float, bool or None, not \(key.typeName)", at: location)
        }
    }

    /// `float.__repr__`, with Python's spellings of the non-finite values.
    static func floatText(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        return PythonFormatting.floatRepr(number)
    }

    private func writeString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (ensureASCII && scalar.value > 0x7E) {
                    appendUnicodeEscape(scalar, to: &out)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `\uXXXX`, with a surrogate pair above U+FFFF.
    private func appendUnicodeEscape(_ scalar: Unicode.Scalar, to out: inout String) {
        func hex4(_ unit: UInt32) -> String {
            let digits = String(unit, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
        }
        if scalar.value > 0xFFFF {
            let offset = scalar.value - 0x10000
            out += hex4(0xD800 + (offset >> 10)) + hex4(0xDC00 + (offset & 0x3FF))
        } else {
            out += hex4(scalar.value)
        }
    }
}
