/// Python methods of `str`, `dict` and `list` that templates call, bound to their receiver.
enum Methods {
    private static func method(_ name: String, _ body: @escaping Function.Body) -> Value {
        .function(Function(name: name, body: body))
    }

    /// A method Jinja's ImmutableSandboxedEnvironment refuses because it would mutate the receiver.
    private static func unsafe(_ name: String, _ type: String) -> Value {
        .undefined(hint: "access to attribute '\(name)' of '\(type)' object is unsafe")
    }

    /// A real Python method this interpreter does not implement.
    private static func unsupported(_ name: String, _ type: String) -> Value {
        method("\(type).\(name)") { _, _, location throws(TemplateError) in
            throw TemplateError(.unsupported, "unsupported method '\(type).\(name)'", at: location)
        }
    }

    private static func string(_ value: Value, _ what: String, at location: SourceLocation) throws(TemplateError) -> String {
        guard case .string(let text) = value else {
            throw TemplateError(.runtime, "\(what) must be str, not \(value.typeName)", at: location)
        }
        return text
    }

    private static func optionalString(_ value: Value?, _ what: String, at location: SourceLocation) throws(TemplateError) -> String? {
        guard let value else { return nil }
        if case .none = value { return nil }
        return try string(value, what, at: location)
    }

    private static func integer(_ value: Value?, default fallback: Int, _ what: String, at location: SourceLocation) throws(TemplateError) -> Int {
        guard let value else { return fallback }
        guard let number = value.integer else {
            throw TemplateError(.runtime, "\(what) must be an integer, not \(value.typeName)", at: location)
        }
        return number
    }

    // MARK: - str

    static func stringMethod(_ text: String, _ name: String) -> Value? {
        let callee = "str.\(name)"
        switch name {
        case "strip", "lstrip", "rstrip":
            return method(callee) { _, arguments, location throws(TemplateError) in
                let chars = try optionalString(try arguments.bind(["chars"], callee: callee, at: location)[0], "chars", at: location)
                return .string(StringOps.strip(text, characters: chars, leading: name != "rstrip", trailing: name != "lstrip"))
            }
        case "upper", "lower", "title", "capitalize", "casefold", "swapcase":
            return method(callee) { _, arguments, location throws(TemplateError) in
                try arguments.expectNone(callee: callee, at: location)
                switch name {
                case "upper": return .string(StringOps.upper(text))
                case "title": return .string(StringOps.pythonTitle(text))
                case "capitalize": return .string(StringOps.capitalize(text))
                case "swapcase":
                    return .string(text.unicodeScalars.map { scalar in
                        scalar.properties.isUppercase ? scalar.properties.lowercaseMapping
                            : scalar.properties.isLowercase ? scalar.properties.uppercaseMapping : String(scalar)
                    }.joined())
                default: return .string(StringOps.lower(text))
                }
            }
        case "startswith", "endswith":
            return method(callee) { _, arguments, location throws(TemplateError) in
                let bound = try arguments.bind(["prefix"], callee: callee, at: location)
                guard let affix = bound[0] else { throw TemplateError(.runtime, "\(callee) missing argument", at: location) }
                let candidates: [Value]
                candidates = affix.sequenceItems ?? [affix]
                for candidate in candidates {
                    let part = try string(candidate, "\(name) argument", at: location)
                    if name == "startswith" ? StringOps.hasPrefix(text, part) : StringOps.hasSuffix(text, part) { return .bool(true) }
                }
                return .bool(false)
            }
        case "split", "rsplit":
            return method(callee) { _, arguments, location throws(TemplateError) in
                let bound = try arguments.bind(["sep", "maxsplit"], callee: callee, at: location)
                let separator = try optionalString(bound[0], "separator", at: location)
                let maxSplit = try integer(bound[1], default: -1, "maxsplit", at: location)
                if separator == "" { throw TemplateError(.runtime, "empty separator", at: location) }
                let parts: [String]
                if name == "rsplit", let separator {
                    parts = StringOps.rsplit(text, separator: separator, maxSplit: maxSplit)
                } else if name == "rsplit", maxSplit >= 0 {
                    throw TemplateError(.unsupported, "unsupported method call 'str.rsplit' with maxsplit and no separator", at: location)
                } else {
                    parts = StringOps.split(text, separator: separator, maxSplit: maxSplit)
                }
                return .list(parts.map { .string($0) })
            }
        case "replace":
            return method(callee) { interpreter, arguments, location throws(TemplateError) in
                let bound = try arguments.bind(["old", "new", "count"], callee: callee, at: location)
                guard let old = bound[0], let new = bound[1] else {
                    throw TemplateError(.runtime, "\(callee) expected at least 2 arguments", at: location)
                }
                let result = StringOps.replace(text, try string(old, "old", at: location), try string(new, "new", at: location),
                                               count: try integer(bound[2], default: -1, "count", at: location))
                return .string(try interpreter.limits.checked(result, at: location))
            }
        case "find", "rfind", "index", "rindex", "count":
            return method(callee) { _, arguments, location throws(TemplateError) in
                let bound = try arguments.bind(["sub"], callee: callee, at: location)
                guard let sub = bound[0] else { throw TemplateError(.runtime, "\(callee) missing argument", at: location) }
                let part = try string(sub, "substring", at: location)
                if name == "count" { return .int(StringOps.count(part, in: text)) }
                let found = name.hasPrefix("r")
                    ? StringOps.findLast(part, in: text)
                    : StringOps.find(part, in: text)
                if let found { return .int(found) }
                if name.hasSuffix("index") { throw TemplateError(.runtime, "substring not found", at: location) }
                return .int(-1)
            }
        case "join":
            return method(callee) { interpreter, arguments, location throws(TemplateError) in
                let bound = try arguments.bind(["iterable"], callee: callee, at: location)
                guard let iterable = bound[0] else { throw TemplateError(.runtime, "\(callee) missing argument", at: location) }
                var parts: [String] = []
                for item in try interpreter.iterate(iterable, at: location) {
                    parts.append(try string(item, "sequence item", at: location))
                }
                return .string(try interpreter.limits.checked(parts.joined(separator: text), at: location))
            }
        case "splitlines":
            return method(callee) { _, arguments, location throws(TemplateError) in
                try arguments.expectNone(callee: callee, at: location)
                return .list(StringOps.splitLines(text).map { .string($0) })
            }
        case "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isspace", "islower", "isupper":
            return method(callee) { _, arguments, location throws(TemplateError) in
                try arguments.expectNone(callee: callee, at: location)
                return .bool(characterTest(name, text))
            }
        case "removeprefix", "removesuffix":
            return method(callee) { _, arguments, location throws(TemplateError) in
                let bound = try arguments.bind(["affix"], callee: callee, at: location)
                guard let affixValue = bound[0] else { throw TemplateError(.runtime, "\(callee) missing argument", at: location) }
                let affix = StringOps.scalars(try string(affixValue, "affix", at: location))
                let scalars = StringOps.scalars(text)
                guard !affix.isEmpty else { return .string(text) }
                if name == "removeprefix", scalars.starts(with: affix) { return .string(StringOps.string(scalars.dropFirst(affix.count))) }
                if name == "removesuffix", scalars.reversed().starts(with: affix.reversed()) {
                    return .string(StringOps.string(scalars.dropLast(affix.count)))
                }
                return .string(text)
            }
        case "format":
            return method(callee) { _, arguments, location throws(TemplateError) in
                .string(try BraceFormat.format(text, arguments, at: location))
            }
        case "center", "ljust", "rjust", "zfill", "format_map", "encode", "expandtabs", "partition",
             "rpartition", "translate", "maketrans", "istitle", "isidentifier", "isprintable", "isascii", "rsplitlines":
            return unsupported(name, "str")
        default:
            return nil
        }
    }

    /// `str.isdigit()` and friends, by Unicode properties; false for "".
    private static func characterTest(_ name: String, _ text: String) -> Bool {
        let scalars = text.unicodeScalars
        guard !scalars.isEmpty else { return false }
        func isDecimal(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.numericType == .decimal }
        func isDigit(_ scalar: Unicode.Scalar) -> Bool { isDecimal(scalar) || scalar.properties.numericType == .digit }
        func isNumeric(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.numericType != nil }
        func isAlpha(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
            default: return false
            }
        }
        switch name {
        case "isdigit": return scalars.allSatisfy(isDigit)
        case "isdecimal": return scalars.allSatisfy(isDecimal)
        case "isnumeric": return scalars.allSatisfy(isNumeric)
        case "isalpha": return scalars.allSatisfy(isAlpha)
        case "isalnum": return scalars.allSatisfy { isAlpha($0) || isNumeric($0) }
        case "isspace": return scalars.allSatisfy(PythonCharacters.isWhitespace)
        case "islower", "isupper":
            let cased = scalars.filter { $0.properties.isCased }
            guard !cased.isEmpty else { return false }
            return name == "islower" ? cased.allSatisfy { $0.properties.isLowercase } : cased.allSatisfy { $0.properties.isUppercase }
        default: return false
        }
    }

    // MARK: - dict

    static func dictMethod(_ dict: Dict, _ name: String) -> Value? {
        let callee = "dict.\(name)"
        switch name {
        case "items":
            return method(callee) { _, arguments, location throws(TemplateError) in
                try arguments.expectNone(callee: callee, at: location)
                return .list(dict.pairs.map { .tuple([$0, $1]) })
            }
        case "keys":
            return method(callee) { _, arguments, location throws(TemplateError) in
                try arguments.expectNone(callee: callee, at: location)
                return .list(dict.keys)
            }
        case "values":
            return method(callee) { _, arguments, location throws(TemplateError) in
                try arguments.expectNone(callee: callee, at: location)
                return .list(dict.values)
            }
        case "get":
            return method(callee) { _, arguments, location throws(TemplateError) in
                let bound = try arguments.bind(["key", "default"], callee: callee, at: location)
                guard let key = bound[0] else { throw TemplateError(.runtime, "\(callee) missing argument", at: location) }
                return dict.get(key) ?? bound[1] ?? .none
            }
        case "copy":
            return method(callee) { _, arguments, location throws(TemplateError) in
                try arguments.expectNone(callee: callee, at: location)
                return .dict(dict)
            }
        case "clear", "pop", "popitem", "setdefault", "update":
            return unsafe(name, "dict")
        case "fromkeys":
            return unsupported(name, "dict")
        default:
            return nil
        }
    }

    // MARK: - list

    static func listMethod(_ items: [Value], _ name: String, type: String = "list") -> Value? {
        let callee = "\(type).\(name)"
        switch name {
        case "count", "index":
            return method(callee) { _, arguments, location throws(TemplateError) in
                let bound = try arguments.bind(["value"], callee: callee, at: location)
                guard let needle = bound[0] else { throw TemplateError(.runtime, "\(callee) missing argument", at: location) }
                if name == "count" { return .int(items.filter { Operators.equal($0, needle) }.count) }
                guard let position = items.firstIndex(where: { Operators.equal($0, needle) }) else {
                    throw TemplateError(.runtime, "\(PythonFormatting.repr(needle)) is not in \(type)", at: location)
                }
                return .int(position)
            }
        case "copy":
            return method(callee) { _, arguments, location throws(TemplateError) in
                try arguments.expectNone(callee: callee, at: location)
                return .list(items)
            }
        case "append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort":
            return type == "list" ? unsafe(name, "list") : nil
        default:
            return nil
        }
    }
}
