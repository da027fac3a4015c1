/// Python's `str.format` for replacement fields without a format spec:
/// `{}`, `{0}`, `{name}`, attribute and index lookups (`{0.x}`, `{0[1]}`),
/// `!s`/`!r` conversions, and `{{`/`}}` escapes.
enum BraceFormat {
    static func format(_ template: String, _ arguments: Arguments, at location: SourceLocation) throws(TemplateError) -> String {
        let scalars = Array(template.unicodeScalars)
        var out = ""
        var automatic = 0
        var i = 0
        func fail(_ message: String) -> TemplateError { TemplateError(.runtime, message, at: location) }
        while i < scalars.count {
            let scalar = scalars[i]
            if scalar == "}" {
                guard i + 1 < scalars.count, scalars[i + 1] == "}" else { throw fail("Single '}' encountered in format string") }
                out += "}"
                i += 2
                continue
            }
            guard scalar == "{" else {
                out.unicodeScalars.append(scalar)
                i += 1
                continue
            }
            if i + 1 < scalars.count, scalars[i + 1] == "{" {
                out += "{"
                i += 2
                continue
            }
            guard let close = scalars[(i + 1)...].firstIndex(of: "}") else { throw fail("Single '{' encountered in format string") }
            var field = StringOps.string(scalars[(i + 1)..<close])
            i = close + 1
            if field.contains(":") {
                throw TemplateError(.unsupported, "unsupported format spec in str.format field '{\(field)}'", at: location)
            }
            var conversion: Character = "s"
            if let bang = field.firstIndex(of: "!") {
                let suffix = field[field.index(after: bang)...]
                guard suffix == "s" || suffix == "r" || suffix == "a" else { throw fail("Unknown conversion specifier \(suffix)") }
                conversion = suffix.first ?? "s"
                field = String(field[..<bang])
            }
            var value = try lookup(field, arguments, automatic: &automatic, at: location)
            if case .undefined(let hint) = value { throw fail(hint) }
            value = .string(conversion == "s" ? PythonFormatting.str(value) : PythonFormatting.repr(value))
            out += PythonFormatting.str(value)
        }
        return out
    }

    /// Resolves `name.attr[index]...` against the call's arguments.
    private static func lookup(_ field: String, _ arguments: Arguments, automatic: inout Int,
                               at location: SourceLocation) throws(TemplateError) -> Value {
        let head = field.prefix { $0 != "." && $0 != "[" }
        var rest = field.dropFirst(head.count)
        var value: Value
        if head.isEmpty {
            guard automatic < arguments.positional.count else {
                throw TemplateError(.runtime, "Replacement index \(automatic) out of range for positional args tuple", at: location)
            }
            value = arguments.positional[automatic]
            automatic += 1
        } else if let index = Int(head) {
            guard index >= 0, index < arguments.positional.count else {
                throw TemplateError(.runtime, "Replacement index \(index) out of range for positional args tuple", at: location)
            }
            value = arguments.positional[index]
        } else {
            guard let keyword = arguments.keyword.last(where: { $0.name == head }) else {
                throw TemplateError(.runtime, "KeyError: '\(head)'", at: location)
            }
            value = keyword.value
        }
        while let first = rest.first {
            rest = rest.dropFirst()
            if first == "." {
                let name = rest.prefix { $0 != "." && $0 != "[" }
                rest = rest.dropFirst(name.count)
                value = attribute(of: value, String(name))
            } else {
                guard let end = rest.firstIndex(of: "]") else {
                    throw TemplateError(.runtime, "Missing ']' in format string", at: location)
                }
                let key = rest[..<end]
                rest = rest[rest.index(after: end)...]
                value = item(of: value, Int(key).map(Value.int) ?? .string(String(key)))
            }
        }
        return value
    }

    private static func attribute(of value: Value, _ name: String) -> Value {
        switch value {
        case .dict(let dict): return dict.get(name) ?? .undefined(hint: "'dict' object has no attribute '\(name)'")
        case .namespace(let namespace): return namespace.attributes.get(name) ?? .undefined(hint: "no attribute '\(name)'")
        default: return .undefined(hint: "'\(value.typeName)' object has no attribute '\(name)'")
        }
    }

    private static func item(of value: Value, _ key: Value) -> Value {
        switch value {
        case .dict(let dict): return dict.get(key) ?? .undefined(hint: "KeyError: \(PythonFormatting.repr(key))")
        case .list(let items), .tuple(let items):
            if let index = key.integer, index >= 0, index < items.count { return items[index] }
            return .undefined(hint: "list index out of range")
        default: return .undefined(hint: "'\(value.typeName)' object is not subscriptable")
        }
    }
}
