/// Jinja's built-in tests (`value is name(args)`).
extension Interpreter {
    func applyTest(_ test: FilterCall, to value: Value, in scope: Scope) throws(TemplateError) -> Bool {
        let arguments = try evaluateArguments(test.arguments, in: scope)
        return try applyTest(named: test.name, to: value, arguments, at: test.location)
    }

    /// Test names this interpreter knows, for the `test` test.
    static let knownTests: Set<String> = [
        "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "==", "escaped", "even", "false", "filter",
        "float", "ge", ">=", "gt", "greaterthan", ">", "in", "integer", "iterable", "le", "<=", "lower", "lt", "lessthan",
        "<", "mapping", "ne", "!=", "none", "number", "odd", "sameas", "sequence", "string", "test", "true",
        "undefined", "upper",
    ]

    func applyTest(named name: String, to value: Value, _ arguments: Arguments, at location: SourceLocation) throws(TemplateError) -> Bool {
        func operand() throws(TemplateError) -> Value {
            let bound = try arguments.bind(["other"], callee: "test '\(name)'", at: location)
            guard let other = bound[0] else { throw TemplateError(.runtime, "test '\(name)' needs an argument", at: location) }
            return other
        }
        func noArguments() throws(TemplateError) { try arguments.expectNone(callee: "test '\(name)'", at: location) }
        func integerValue() throws(TemplateError) -> Int {
            if case .undefined(let hint) = value { throw TemplateError(.runtime, hint, at: location) }
            guard let number = value.integer else {
                throw TemplateError(.runtime, "test '\(name)' needs an integer, not \(value.typeName)", at: location)
            }
            return number
        }

        switch name {
        case "defined": try noArguments(); return !value.isUndefined
        case "undefined": try noArguments(); return value.isUndefined
        case "none": try noArguments(); return isNone(value)
        case "boolean":
            try noArguments()
            if case .bool = value { return true }
            return false
        case "true", "false":
            try noArguments()
            if case .bool(let flag) = value { return flag == (name == "true") }
            return false
        case "integer":
            try noArguments()
            if case .int = value { return true }
            return false
        case "float":
            try noArguments()
            if case .double = value { return true }
            return false
        case "number": try noArguments(); return value.numeric != nil
        case "string":
            try noArguments()
            switch value {
            case .string, .markup: return true
            default: return false
            }
        case "mapping":
            try noArguments()
            if case .dict = value { return true }
            return false
        case "iterable":
            try noArguments()
            switch value {
            case .undefined, .string, .markup, .list, .tuple, .dict, .iterator, .loop: return true
            default: return false
            }
        case "sequence":
            try noArguments()
            switch value {
            case .undefined, .string, .markup, .list, .tuple, .dict: return true
            default: return false
            }
        case "callable":
            try noArguments()
            switch value {
            case .function, .undefined: return true
            default: return false
            }
        case "escaped":
            try noArguments()
            if case .markup = value { return true }
            return false
        case "odd": try noArguments(); return try integerValue() % 2 != 0
        case "even": try noArguments(); return try integerValue() % 2 == 0
        case "divisibleby":
            let divisor = try operand()
            let result = try Operators.binary(.modulo, value, divisor, limits: limits, at: location)
            return Operators.equal(result, .int(0))
        case "lower", "upper":
            try noArguments()
            let cased = PythonFormatting.str(value).unicodeScalars.filter { $0.properties.isCased }
            guard !cased.isEmpty else { return false }
            return name == "lower" ? cased.allSatisfy { $0.properties.isLowercase } : cased.allSatisfy { $0.properties.isUppercase }
        case "eq", "equalto", "==": return Operators.equal(value, try operand())
        case "ne", "!=": return !Operators.equal(value, try operand())
        case "lt", "lessthan", "<": return try Operators.compare(.less, value, try operand(), at: location)
        case "le", "<=": return try Operators.compare(.lessOrEqual, value, try operand(), at: location)
        case "gt", "greaterthan", ">": return try Operators.compare(.greater, value, try operand(), at: location)
        case "ge", ">=": return try Operators.compare(.greaterOrEqual, value, try operand(), at: location)
        case "in": return try Operators.contains(try operand(), value, at: location)
        case "sameas": return isSameObject(value, try operand())
        case "filter", "test":
            try noArguments()
            guard case .string(let candidate) = value else { return false }
            if name == "test" { return Self.knownTests.contains(candidate) }
            return Self.filterNames.contains(candidate)
        default:
            throw TemplateError(.unsupported, "unknown test '\(name)'", at: location)
        }
    }

    /// Filters implemented by ``applyFilter(named:to:_:at:)``, for the `filter` test.
    static let filterNames: Set<String> = [
        "abs", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "first", "float",
        "forceescape", "format", "indent", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min",
        "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum",
        "title", "tojson", "trim", "truncate", "unique", "upper", "wordcount",
    ]

    /// Python's `is`: singletons and equal scalars of one type count as the same object.
    private func isSameObject(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.none, .none), (.undefined, .undefined): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.string(x), .string(y)): return x.utf8.elementsEqual(y.utf8)
        case let (.namespace(x), .namespace(y)): return x === y
        case let (.loop(x), .loop(y)): return x === y
        case let (.function(x), .function(y)): return x === y
        default: return false
        }
    }
}
