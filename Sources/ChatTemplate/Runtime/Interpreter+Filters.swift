/// Jinja's built-in filters, with transformers' `tojson` in place of Jinja's.
extension Interpreter {
    /// Filters Jinja has that this interpreter does not implement.
    static let unsupportedFilters: Set<String> = [
        "attr", "filesizeformat", "groupby", "pprint", "random", "slice", "striptags",
        "urlencode", "urlize", "wordwrap", "xmlattr",
    ]

    func applyFilter(_ filter: FilterCall, to value: Value, in scope: Scope) throws(TemplateError) -> Value {
        let arguments = try evaluateArguments(filter.arguments, in: scope)
        return try applyFilter(named: filter.name, to: value, arguments, at: filter.location)
    }

    /// Applies the filter `name` to `input`. Unknown and unimplemented
    /// filters fail here, when used, as Jinja 3 does for filters inside
    /// conditionals, so unused branches never stop a template.
    // The switch is the filter registry: one case per Jinja filter.
    func applyFilter(named name: String, to input: Value, _ arguments: Arguments, at location: SourceLocation) throws(TemplateError) -> Value {
        let callee = "filter '\(name)'"
        switch name {
        case "e", "escape":
            try arguments.expectNone(callee: callee, at: location)
            if case .markup = input { return input }
            return .markup(HTML.escape(PythonFormatting.str(input)))
        case "forceescape":
            try arguments.expectNone(callee: callee, at: location)
            return .markup(HTML.escape(PythonFormatting.str(input)))
        case "safe":
            try arguments.expectNone(callee: callee, at: location)
            return .markup(PythonFormatting.str(input))
        default:
            break
        }
        let value = input.unmarked
        func bind(_ parameters: [String]) throws(TemplateError) -> [Value?] {
            try arguments.bind(parameters, callee: callee, at: location)
        }
        func noArguments() throws(TemplateError) { try arguments.expectNone(callee: callee, at: location) }
        func text() -> String { PythonFormatting.str(value) }

        switch name {
        case "abs":
            try noArguments()
            switch value.numeric {
            case .int(let number)?:
                guard number != Int.min else { throw TemplateError(.runtime, "integer overflow in abs", at: location) }
                return .int(abs(number))
            case .double(let number)?: return .double(abs(number))
            case nil: throw TemplateError(.runtime, "bad operand type for abs(): '\(value.typeName)'", at: location)
            }
        case "batch":
            let bound = try bind(["linecount", "fill_with"])
            guard let size = bound[0]?.integer, size > 0 else {
                throw TemplateError(.runtime, "batch needs a positive line count", at: location)
            }
            var batches: [Value] = []
            var current: [Value] = []
            for item in try iterate(value, at: location) {
                current.append(item)
                if current.count == size { batches.append(.list(current)); current = [] }
            }
            if !current.isEmpty {
                if let fill = bound[1], !isNone(fill) {
                    current += Array(repeating: fill, count: size - current.count)
                }
                batches.append(.list(current))
            }
            return .iterator(Iterator(batches))
        case "capitalize":
            try noArguments()
            return .string(StringOps.capitalize(text()))
        case "center":
            let width = try integerArgument(try bind(["width"])[0], default: 80, name, at: location)
            let scalars = StringOps.scalars(text())
            guard width > scalars.count else { return .string(text()) }
            guard width <= limits.maxOutputBytes else { throw limits.sizeError(at: location) }
            let padding = width - scalars.count
            let left = padding / 2 + (padding & width & 1)
            return .string(String(repeating: " ", count: left) + text() + String(repeating: " ", count: padding - left))
        case "count", "length":
            try noArguments()
            return .int(try length(of: value, at: location))
        case "d", "default":
            let bound = try bind(["default_value", "boolean"])
            let useDefault = value.isUndefined || ((bound[1]?.isTruthy ?? false) && !value.isTruthy)
            return useDefault ? (bound[0] ?? .string("")) : value
        case "dictsort":
            return try dictSort(value, try bind(["case_sensitive", "by", "reverse"]), at: location)
        case "first":
            try noArguments()
            let empty = Value.undefined(hint: "No first item, sequence was empty.")
            // Python's next(iter(value)) takes one item from a generator and leaves the rest.
            if case .iterator(let iterator) = value { return iterator.next() ?? empty }
            return try iterate(value, at: location).first ?? empty
        case "last":
            try noArguments()
            if case .iterator = value {
                throw TemplateError(.runtime, "'\(value.typeName)' object is not reversible", at: location)
            }
            return try iterate(value, at: location).last ?? .undefined(hint: "No last item, sequence was empty.")
        case "float":
            let fallback = try bind(["default"])[0] ?? .double(0)
            return try toFloat(value, at: location).map { .double($0) } ?? fallback
        case "format":
            if !arguments.positional.isEmpty && !arguments.keyword.isEmpty {
                throw TemplateError(.runtime, "can't handle positional and keyword arguments at the same time", at: location)
            }
            var mapping = Dict()
            for (key, item) in arguments.keyword { mapping.set(key, item) }
            let values: PercentFormat.Values = arguments.keyword.isEmpty ? .sequence(arguments.positional) : .mapping(mapping)
            return .string(try limits.checked(try PercentFormat.format(text(), values, at: location), at: location))
        case "indent":
            // Jinja appends "\n" to the value, which raises for Undefined.
            try Operators.failIfUndefined(value, at: location)
            return .string(try indent(text(), try bind(["width", "first", "blank"]), at: location))
        case "int":
            let bound = try bind(["default", "base"])
            let base = try integerArgument(bound[1], default: 10, name, at: location)
            return try toInt(value, base: base, at: location).map { .int($0) } ?? bound[0] ?? .int(0)
        case "items":
            try noArguments()
            switch value {
            case .undefined: return .list([])
            case .dict(let dict): return .iterator(Iterator(dict.pairs.map { .tuple([$0, $1]) }))
            default: throw TemplateError(.runtime, "Can only get item pairs from a mapping.", at: location)
            }
        case "join":
            let bound = try bind(["d", "attribute"])
            var items = try iterate(value, at: location)
            if let attribute = bound[1], !isNone(attribute) {
                let getter = try attributeGetter(attribute, at: location)
                items = try items.map { (item: Value) throws(TemplateError) in try getter(item) }
            }
            let separator = bound[0].map(PythonFormatting.str) ?? ""
            return .string(try limits.checked(items.map(PythonFormatting.str).joined(separator: separator), at: location))
        case "list":
            try noArguments()
            return .list(try iterate(value, at: location))
        case "lower":
            try noArguments()
            return .string(StringOps.lower(text()))
        case "upper":
            try noArguments()
            return .string(StringOps.upper(text()))
        case "map":
            return .iterator(Iterator(try mapFilter(value, arguments, at: location)))
        case "max", "min":
            return try extreme(value, wantMax: name == "max", try bind(["case_sensitive", "attribute"]), at: location)
        case "reject", "select", "rejectattr", "selectattr":
            return .iterator(Iterator(try selectFilter(value, name: name, arguments, at: location)))
        case "replace":
            let bound = try bind(["old", "new", "count"])
            guard let old = bound[0], let new = bound[1] else {
                throw TemplateError(.runtime, "\(callee) needs the old and new strings", at: location)
            }
            let count = bound[2].flatMap { isNone($0) ? nil : $0.integer } ?? -1
            let result = StringOps.replace(text(), PythonFormatting.str(old), PythonFormatting.str(new), count: count)
            return .string(try limits.checked(result, at: location))
        case "reverse":
            try noArguments()
            if case .string(let string) = value { return .string(StringOps.string(string.unicodeScalars.reversed())) }
            if case .iterator = value {
                throw TemplateError(.runtime, "'\(value.typeName)' object is not reversible", at: location)
            }
            let type = value.sequenceItems != nil ? "list_reverseiterator" : "dict_reversekeyiterator"
            return .iterator(Iterator(try iterate(value, at: location).reversed(), typeName: type))
        case "round":
            return try round(value, try bind(["precision", "method"]), at: location)
        case "string":
            try noArguments()
            return .string(text())
        case "sort":
            return .list(try sortFilter(value, try bind(["reverse", "case_sensitive", "attribute"]), at: location))
        case "sum":
            return try sum(value, try bind(["attribute", "start"]), at: location)
        case "title":
            try noArguments()
            return .string(StringOps.jinjaTitle(text()))
        case "tojson":
            return .string(try toJSON(value, try bind(["ensure_ascii", "indent", "separators", "sort_keys"]), at: location))
        case "trim":
            let chars = try bind(["chars"])[0].flatMap { isNone($0) ? nil : PythonFormatting.str($0) }
            return .string(StringOps.strip(text(), characters: chars, leading: true, trailing: true))
        case "truncate":
            return .string(try truncate(text(), try bind(["length", "killwords", "end", "leeway"]), at: location))
        case "unique":
            return .iterator(Iterator(try unique(value, try bind(["case_sensitive", "attribute"]), at: location)))
        case "wordcount":
            try noArguments()
            return .int(wordCount(text()))
        default:
            if Self.unsupportedFilters.contains(name) {
                throw TemplateError(.unsupported, "unsupported filter '\(name)'", at: location)
            }
            throw TemplateError(.unsupported, "unknown filter '\(name)'", at: location)
        }
    }

    // MARK: - Helpers shared by filters

    func isNone(_ value: Value) -> Bool {
        if case .none = value { return true }
        return false
    }

    func integerArgument(_ value: Value?, default fallback: Int, _ filter: String, at location: SourceLocation) throws(TemplateError) -> Int {
        guard let value, !isNone(value) else { return fallback }
        guard let number = value.integer else {
            throw TemplateError(.runtime, "filter '\(filter)' expects an integer, got \(value.typeName)", at: location)
        }
        return number
    }

    /// Python's `len()`; Undefined has length 0.
    func length(of value: Value, at location: SourceLocation) throws(TemplateError) -> Int {
        switch value {
        case .undefined: return 0
        case .string(let text): return StringOps.length(text)
        case .list(let items), .tuple(let items): return items.count
        case .dict(let dict): return dict.count
        case .loop(let loop): return loop.length
        default: throw TemplateError(.runtime, "object of type '\(value.typeName)' has no len()", at: location)
        }
    }
}
