import Foundation

/// Python's operators on template values, with Jinja's Undefined raising
/// where Python would raise.
enum Operators {
    // MARK: - Equality and ordering

    /// Python `==`. Numbers compare by value across `bool`, `int` and `float`;
    /// strings compare code point by code point; two Undefined are equal.
    static func equal(_ lhs: Value, _ rhs: Value) -> Bool {
        switch (lhs.unmarked, rhs.unmarked) {
        case (.undefined, .undefined), (.none, .none): return true
        case let (.string(a), .string(b)): return a.utf8.elementsEqual(b.utf8)
        case let (.list(a), .list(b)), let (.tuple(a), .tuple(b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case let (.dict(a), .dict(b)):
            guard a.count == b.count else { return false }
            for (key, value) in a.pairs {
                guard let other = b.get(key), equal(value, other) else { return false }
            }
            return true
        case let (.namespace(a), .namespace(b)): return a === b
        case let (.iterator(a), .iterator(b)): return a === b
        case let (.loop(a), .loop(b)): return a === b
        case let (.function(a), .function(b)): return a === b
        default:
            guard let a = lhs.numeric, let b = rhs.numeric else { return false }
            return numericCompare(a, b) == 0
        }
    }

    /// -1, 0 or 1, or nil when either side is NaN. An `int` and a `float` compare exactly, as in Python.
    static func numericCompare(_ a: Numeric, _ b: Numeric) -> Int? {
        switch (a, b) {
        case let (.int(x), .int(y)): return x < y ? -1 : (x == y ? 0 : 1)
        case let (.double(x), .double(y)):
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        case let (.int(x), .double(y)):
            return numericCompare(.double(y), .int(x)).map { -$0 }
        case let (.double(x), .int(y)):
            if x.isNaN { return nil }
            if x < -9.3e18 { return -1 }
            if x > 9.3e18 { return 1 }
            // Both are now comparable through their integral and fractional parts.
            let whole = x.rounded(.down)
            let wholeInt = Int(whole)
            if wholeInt != y { return wholeInt < y ? -1 : 1 }
            return x == whole ? 0 : 1
        }
    }

    /// Python `<`, `<=`, `>`, `>=` for numbers, strings and lists.
    static func compare(_ op: CompareOperator, _ lhs: Value, _ rhs: Value, at location: SourceLocation) throws(TemplateError) -> Bool {
        try failIfUndefined(lhs, at: location)
        try failIfUndefined(rhs, at: location)
        guard let order = try ordering(lhs, rhs, op: op, at: location) else { return false }
        switch op {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        default: return false
        }
    }

    /// Three-way comparison for sorting and ordering operators; nil for NaN.
    static func ordering(_ lhs: Value, _ rhs: Value, op: CompareOperator = .less, at location: SourceLocation) throws(TemplateError) -> Int? {
        let lhs = lhs.unmarked
        let rhs = rhs.unmarked
        switch (lhs, rhs) {
        case let (.string(a), .string(b)):
            // UTF-8 byte order is code point order.
            return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : (a.utf8.elementsEqual(b.utf8) ? 0 : 1)
        case let (.list(a), .list(b)), let (.tuple(a), .tuple(b)):
            for (x, y) in zip(a, b) where !equal(x, y) {
                return try ordering(x, y, op: op, at: location)
            }
            return a.count < b.count ? -1 : (a.count == b.count ? 0 : 1)
        default:
            guard let a = lhs.numeric, let b = rhs.numeric else {
                throw TemplateError(.runtime, "'\(op.rawValue)' not supported between instances of '\(lhs.typeName)' and '\(rhs.typeName)'", at: location)
            }
            return numericCompare(a, b)
        }
    }

    /// Python `needle in haystack`: substring, list member, or dict key.
    static func contains(_ haystack: Value, _ needle: Value, at location: SourceLocation) throws(TemplateError) -> Bool {
        let needle = needle.unmarked
        switch haystack.unmarked {
        case .undefined: return false
        case .string(let text):
            guard case .string(let part) = needle else {
                throw TemplateError(.runtime, "'in <string>' requires string as left operand, not \(needle.typeName)", at: location)
            }
            return StringOps.contains(part, in: text)
        case .list(let items), .tuple(let items): return items.contains { equal($0, needle) }
        case .iterator(let iterator): return iterator.drain().contains { equal($0, needle) }
        case .dict(let dict): return dict.get(needle) != nil
        case .namespace(let namespace): return namespace.attributes.get(needle) != nil
        default:
            throw TemplateError(.runtime, "argument of type '\(haystack.typeName)' is not iterable", at: location)
        }
    }

    // MARK: - Arithmetic

    /// Throws Jinja's UndefinedError for an Undefined operand.
    static func failIfUndefined(_ value: Value, at location: SourceLocation) throws(TemplateError) {
        if case .undefined(let hint) = value { throw TemplateError(.runtime, hint, at: location) }
    }

    static func binary(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value, limits: RenderLimits, at location: SourceLocation) throws(TemplateError) -> Value {
        try failIfUndefined(lhs, at: location)
        try failIfUndefined(rhs, at: location)
        if let marked = try markupOperation(op, lhs, rhs, limits: limits, at: location) { return marked }
        let lhs = lhs.unmarked
        let rhs = rhs.unmarked
        switch (op, lhs, rhs) {
        case let (.add, .string(a), .string(b)):
            return .string(try limits.checked(a + b, at: location))
        case let (.add, .list(a), .list(b)):
            return .list(try limits.checked(a + b, at: location))
        case let (.add, .tuple(a), .tuple(b)):
            return .tuple(try limits.checked(a + b, at: location))
        case let (.multiply, .string(text), _), let (.multiply, _, .string(text)):
            guard let count = (lhs.integer ?? rhs.integer) else { break }
            return .string(try repeatString(text, count, limits: limits, at: location))
        case let (.multiply, .list(items), _), let (.multiply, _, .list(items)),
             let (.multiply, .tuple(items), _), let (.multiply, _, .tuple(items)):
            guard let count = (lhs.integer ?? rhs.integer) else { break }
            let total = items.count.multipliedReportingOverflow(by: max(count, 0))
            guard !total.overflow, total.partialValue <= limits.maxOutputBytes else { throw limits.sizeError(at: location) }
            let repeated = Array([[Value]](repeating: items, count: max(count, 0)).joined())
            if case .tuple = lhs { return .tuple(repeated) }
            if case .tuple = rhs { return .tuple(repeated) }
            return .list(repeated)
        case (.modulo, .string, _):
            return .string(try PercentFormat.format(lhs, rhs, at: location))
        default:
            break
        }
        guard let a = lhs.numeric, let b = rhs.numeric else {
            throw TemplateError(.runtime, "unsupported operand type(s) for \(op.rawValue): '\(lhs.typeName)' and '\(rhs.typeName)'", at: location)
        }
        return try arithmetic(op, a, b, at: location)
    }

    /// markupsafe's rules: `Markup + str` and `str + Markup` escape the plain
    /// string, `Markup % args` escapes the arguments, `Markup * n` stays Markup.
    private static func markupOperation(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value, limits: RenderLimits,
                                        at location: SourceLocation) throws(TemplateError) -> Value? {
        func escapedText(_ value: Value) -> String? {
            switch value {
            case .markup(let text): return text
            case .string(let text): return HTML.escape(text)
            default: return nil
            }
        }
        switch (op, lhs, rhs) {
        case (.add, .markup, _), (.add, _, .markup):
            guard let left = escapedText(lhs), let right = escapedText(rhs) else { return nil }
            return .markup(try limits.checked(left + right, at: location))
        case (.modulo, .markup(let template), _):
            let escape: (Value) -> Value = { item in
                switch item {
                case .markup, .int, .double, .bool, .none: return item
                default: return .markup(HTML.escape(PythonFormatting.str(item)))
                }
            }
            let arguments: Value
            switch rhs {
            case .tuple(let items): arguments = .tuple(items.map(escape))
            case .dict(let dict):
                var escaped = Dict()
                for (key, item) in dict.pairs { escaped.set(key, escape(item)) }
                arguments = .dict(escaped)
            default: arguments = escape(rhs)
            }
            return .markup(try PercentFormat.format(.string(template), arguments, at: location))
        case (.multiply, .markup, _), (.multiply, _, .markup):
            guard case .string(let text)? = try? binary(op, lhs.unmarked, rhs.unmarked, limits: limits, at: location) else { return nil }
            return .markup(text)
        default:
            return nil
        }
    }

    private static func repeatString(_ text: String, _ count: Int, limits: RenderLimits, at location: SourceLocation) throws(TemplateError) -> String {
        guard count > 0 else { return "" }
        let total = text.utf8.count.multipliedReportingOverflow(by: count)
        guard !total.overflow, total.partialValue <= limits.maxOutputBytes else { throw limits.sizeError(at: location) }
        return String(repeating: text, count: count)
    }

    private static func overflow(_ op: BinaryOperator, at location: SourceLocation) -> TemplateError {
        TemplateError(.runtime, "integer overflow in '\(op.rawValue)'", at: location)
    }

    private static func arithmetic(_ op: BinaryOperator, _ a: Numeric, _ b: Numeric, at location: SourceLocation) throws(TemplateError) -> Value {
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .add:
                let r = x.addingReportingOverflow(y)
                if r.overflow { throw overflow(op, at: location) }
                return .int(r.partialValue)
            case .subtract:
                let r = x.subtractingReportingOverflow(y)
                if r.overflow { throw overflow(op, at: location) }
                return .int(r.partialValue)
            case .multiply:
                let r = x.multipliedReportingOverflow(by: y)
                if r.overflow { throw overflow(op, at: location) }
                return .int(r.partialValue)
            case .divide:
                guard y != 0 else { throw TemplateError(.runtime, "division by zero", at: location) }
                return .double(Double(x) / Double(y))
            case .floorDivide:
                guard y != 0 else { throw TemplateError(.runtime, "integer division or modulo by zero", at: location) }
                if x == Int.min && y == -1 { throw overflow(op, at: location) }
                let quotient = x / y
                return .int((x % y != 0 && (x < 0) != (y < 0)) ? quotient - 1 : quotient)
            case .modulo:
                guard y != 0 else { throw TemplateError(.runtime, "integer division or modulo by zero", at: location) }
                if y == -1 { return .int(0) }
                let remainder = x % y
                return .int(remainder != 0 && (remainder < 0) != (y < 0) ? remainder + y : remainder)
            case .power:
                if y < 0 { return .double(pow(Double(x), Double(y))) }
                return .int(try integerPower(x, y, at: location))
            }
        }
        let x = a.asDouble
        let y = b.asDouble
        switch op {
        case .add: return .double(x + y)
        case .subtract: return .double(x - y)
        case .multiply: return .double(x * y)
        case .divide:
            guard y != 0 else { throw TemplateError(.runtime, "float division by zero", at: location) }
            return .double(x / y)
        case .floorDivide:
            guard y != 0 else { throw TemplateError(.runtime, "float floor division by zero", at: location) }
            return .double(pythonFloatModulo(x, y).quotient)
        case .modulo:
            guard y != 0 else { throw TemplateError(.runtime, "float modulo", at: location) }
            return .double(pythonFloatModulo(x, y).remainder)
        case .power:
            if x == 0 && y < 0 { throw TemplateError(.runtime, "0.0 cannot be raised to a negative power", at: location) }
            return .double(pow(x, y))
        }
    }

    /// Python's float `divmod` (`float_divmod` in CPython): the remainder
    /// takes the divisor's sign and the quotient is floored.
    private static func pythonFloatModulo(_ x: Double, _ y: Double) -> (quotient: Double, remainder: Double) {
        var remainder = fmod(x, y)
        var division = (x - remainder) / y
        if remainder != 0 {
            if (y < 0) != (remainder < 0) {
                remainder += y
                division -= 1
            }
        } else {
            remainder = copysign(0.0, y)
        }
        var quotient: Double
        if division != 0 {
            quotient = division.rounded(.down)
            if division - quotient > 0.5 { quotient += 1 }
        } else {
            quotient = copysign(0.0, x / y)
        }
        return (quotient, remainder)
    }

    private static func integerPower(_ base: Int, _ exponent: Int, at location: SourceLocation) throws(TemplateError) -> Int {
        var result = 1
        var factor = base
        var remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 {
                let r = result.multipliedReportingOverflow(by: factor)
                if r.overflow { throw overflow(.power, at: location) }
                result = r.partialValue
            }
            remaining >>= 1
            if remaining > 0 {
                let f = factor.multipliedReportingOverflow(by: factor)
                if f.overflow { throw overflow(.power, at: location) }
                factor = f.partialValue
            }
        }
        return result
    }

    /// Unary minus and plus.
    static func negate(_ value: Value, plus: Bool, at location: SourceLocation) throws(TemplateError) -> Value {
        try failIfUndefined(value, at: location)
        switch value.numeric {
        case .int(let x)?:
            if plus { return .int(x) }
            guard x != Int.min else { throw overflow(.subtract, at: location) }
            return .int(-x)
        case .double(let x)?: return .double(plus ? x : -x)
        case nil:
            throw TemplateError(.runtime, "bad operand type for unary \(plus ? "+" : "-"): '\(value.typeName)'", at: location)
        }
    }
}
