/// Expression evaluation.
extension Interpreter {
    func evaluate(_ expr: Expr, in scope: Scope) throws(TemplateError) -> Value {
        let location = expr.location
        switch expr.kind {
        case .constant(let constant):
            switch constant {
            case .none: return .none
            case .bool(let flag): return .bool(flag)
            case .int(let number): return .int(number)
            case .double(let number): return .double(number)
            case .string(let text): return .string(text)
            }
        case .name(let name):
            return scope.lookup(name) ?? .undefined(hint: "'\(name)' is undefined")
        case .list(let items):
            return .list(try evaluateAll(items, in: scope))
        case .tuple(let items):
            return .tuple(try evaluateAll(items, in: scope))
        case .dict(let pairs):
            var dict = Dict()
            for (keyExpr, valueExpr) in pairs {
                let key = try evaluate(keyExpr, in: scope)
                guard dict.set(key, try evaluate(valueExpr, in: scope)) else {
                    throw TemplateError(.runtime, "unhashable type: '\(key.typeName)'", at: keyExpr.location)
                }
            }
            return .dict(dict)
        case .attribute(let base, let name):
            return try attribute(of: try evaluate(base, in: scope), name, at: location)
        case .item(let base, let key):
            return try item(of: try evaluate(base, in: scope), try evaluate(key, in: scope), at: location)
        case .slice(let base, let start, let stop, let step):
            let value = try evaluate(base, in: scope)
            return try slice(value,
                             start: try start.map { (e: Expr) throws(TemplateError) in try evaluate(e, in: scope) },
                             stop: try stop.map { (e: Expr) throws(TemplateError) in try evaluate(e, in: scope) },
                             step: try step.map { (e: Expr) throws(TemplateError) in try evaluate(e, in: scope) },
                             at: location)
        case .call(let callee, let arguments):
            let function = try evaluate(callee, in: scope)
            return try call(function, try evaluateArguments(arguments, in: scope), at: location)
        case .filter(let input, let filter):
            return try applyFilter(filter, to: try evaluate(input, in: scope), in: scope)
        case .test(let input, let test):
            return .bool(try applyTest(test, to: try evaluate(input, in: scope), in: scope))
        case .not(let operand):
            return .bool(!(try evaluate(operand, in: scope).isTruthy))
        case .negate(let operand):
            return try Operators.negate(try evaluate(operand, in: scope), plus: false, at: location)
        case .plus(let operand):
            return try Operators.negate(try evaluate(operand, in: scope), plus: true, at: location)
        case .binary(let op, let lhs, let rhs):
            let left = try evaluate(lhs, in: scope)
            let right = try evaluate(rhs, in: scope)
            return try Operators.binary(op, left, right, limits: limits, at: location)
        case .and(let lhs, let rhs):
            let left = try evaluate(lhs, in: scope)
            return left.isTruthy ? try evaluate(rhs, in: scope) : left
        case .or(let lhs, let rhs):
            let left = try evaluate(lhs, in: scope)
            return left.isTruthy ? left : try evaluate(rhs, in: scope)
        case .compare(let first, let operations):
            var left = try evaluate(first, in: scope)
            for (op, operandExpr) in operations {
                let right = try evaluate(operandExpr, in: scope)
                guard try compare(op, left, right, at: location) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .concat(let parts):
            var text = ""
            for part in parts { text += PythonFormatting.str(try evaluate(part, in: scope)) }
            return .string(try limits.checked(text, at: location))
        case .conditional(let test, let then, let otherwise):
            if try evaluate(test, in: scope).isTruthy { return try evaluate(then, in: scope) }
            guard let otherwise else {
                return .undefined(hint: "the inline if-expression on line \(location.line) evaluated to false and no else section was defined")
            }
            return try evaluate(otherwise, in: scope)
        }
    }

    private func evaluateAll(_ items: [Expr], in scope: Scope) throws(TemplateError) -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(items.count)
        for item in items { values.append(try evaluate(item, in: scope)) }
        return values
    }

    private func compare(_ op: CompareOperator, _ lhs: Value, _ rhs: Value, at location: SourceLocation) throws(TemplateError) -> Bool {
        switch op {
        case .equal: return Operators.equal(lhs, rhs)
        case .notEqual: return !Operators.equal(lhs, rhs)
        case .contains: return try Operators.contains(rhs, lhs, at: location)
        case .notContains: return !(try Operators.contains(rhs, lhs, at: location))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            return try Operators.compare(op, lhs, rhs, at: location)
        }
    }

    /// Evaluates call arguments, expanding `*args` and `**kwargs`.
    func evaluateArguments(_ arguments: CallArguments, in scope: Scope) throws(TemplateError) -> Arguments {
        var result = Arguments()
        for expr in arguments.positional { result.positional.append(try evaluate(expr, in: scope)) }
        for (name, expr) in arguments.keyword { result.keyword.append((name, try evaluate(expr, in: scope))) }
        if let spread = arguments.spread {
            result.positional += try iterate(try evaluate(spread, in: scope), at: spread.location)
        }
        if let spread = arguments.keywordSpread {
            guard case .dict(let dict) = try evaluate(spread, in: scope) else {
                throw TemplateError(.runtime, "argument after ** must be a mapping", at: spread.location)
            }
            for (key, value) in dict.pairs {
                guard case .string(let name) = key else {
                    throw TemplateError(.runtime, "keywords must be strings", at: spread.location)
                }
                result.keyword.append((name, value))
            }
        }
        return result
    }
}
