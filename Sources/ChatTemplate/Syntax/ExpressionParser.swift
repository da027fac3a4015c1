/// Expression grammar, lowest precedence first, as in Jinja's parser:
/// conditional, `or`, `and`, `not`, comparisons (`in`, `not in`, `==`, ...),
/// `+ -`, `~`, `* / // %`, `**`, unary `- +`, then primaries with postfix
/// `.attr`, `[item]`, `(call)`, and finally `| filter` and `is test`.
extension Parser {
    /// A full expression; commas make a tuple.
    mutating func parseTuple(withConditional: Bool = true, extraEnd: Set<String> = []) throws(TemplateError) -> Expr {
        let start = current
        var items: [Expr] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expectOp(",") }
            if isTupleEnd(extraEnd) { break }
            items.append(withConditional ? try parseExpression() : try parseOr())
            if current.isOp(",") { isTuple = true } else { break }
        }
        if !isTuple {
            guard let only = items.first else {
                throw syntaxError("expected an expression, got \(current.describe)", at: current)
            }
            return only
        }
        return Expr(kind: .tuple(items), location: location(start))
    }

    private func isTupleEnd(_ extraEnd: Set<String>) -> Bool {
        switch current.kind {
        case .end: return true
        case .op(let op): return op == ")"
        case .name(let name): return extraEnd.contains(name)
        default: return false
        }
    }

    /// An expression including `a if b else c`.
    mutating func parseExpression() throws(TemplateError) -> Expr {
        try enterNesting(at: current)
        defer { depth -= 1 }
        var expr = try parseOr()
        while current.isName("if") {
            _ = advance()
            let test = try parseOr()
            var otherwise: Expr?
            if current.isName("else") {
                _ = advance()
                otherwise = try parseExpression()
            }
            expr = Expr(kind: .conditional(test: test, then: expr, otherwise: otherwise), location: expr.location)
        }
        return expr
    }

    mutating func parseOr() throws(TemplateError) -> Expr {
        var left = try parseAnd()
        while current.isName("or") {
            _ = advance()
            left = Expr(kind: .or(left, try parseAnd()), location: left.location)
        }
        return left
    }

    private mutating func parseAnd() throws(TemplateError) -> Expr {
        var left = try parseNot()
        while current.isName("and") {
            _ = advance()
            left = Expr(kind: .and(left, try parseNot()), location: left.location)
        }
        return left
    }

    private mutating func parseNot() throws(TemplateError) -> Expr {
        guard current.isName("not") else { return try parseCompare() }
        let token = advance()
        try enterNesting(at: token)
        defer { depth -= 1 }
        return Expr(kind: .not(try parseNot()), location: location(token))
    }

    private mutating func parseCompare() throws(TemplateError) -> Expr {
        let left = try parseAdditive()
        var operations: [(op: CompareOperator, operand: Expr)] = []
        while true {
            if case .op(let symbol) = current.kind, let op = CompareOperator(rawValue: symbol),
               op != .contains, op != .notContains {
                _ = advance()
                operations.append((op, try parseAdditive()))
            } else if current.isName("in") {
                _ = advance()
                operations.append((.contains, try parseAdditive()))
            } else if current.isName("not"), peek().isName("in") {
                _ = advance()
                _ = advance()
                operations.append((.notContains, try parseAdditive()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : Expr(kind: .compare(left, operations), location: left.location)
    }

    private mutating func parseAdditive() throws(TemplateError) -> Expr {
        var left = try parseConcat()
        while current.isOp("+") || current.isOp("-") {
            let op: BinaryOperator = current.isOp("+") ? .add : .subtract
            _ = advance()
            left = Expr(kind: .binary(op, left, try parseConcat()), location: left.location)
        }
        return left
    }

    private mutating func parseConcat() throws(TemplateError) -> Expr {
        let first = try parseMultiplicative()
        var parts = [first]
        while current.isOp("~") {
            _ = advance()
            parts.append(try parseMultiplicative())
        }
        return parts.count == 1 ? first : Expr(kind: .concat(parts), location: first.location)
    }

    private mutating func parseMultiplicative() throws(TemplateError) -> Expr {
        var left = try parsePower()
        while case .op(let symbol) = current.kind, ["*", "/", "//", "%"].contains(symbol),
              let op = BinaryOperator(rawValue: symbol) {
            _ = advance()
            left = Expr(kind: .binary(op, left, try parsePower()), location: left.location)
        }
        return left
    }

    /// Jinja's `**` is left-associative and binds looser than unary minus: `-2 ** 2` is 4.
    private mutating func parsePower() throws(TemplateError) -> Expr {
        var left = try parseUnary(withFilters: true)
        while current.isOp("**") {
            _ = advance()
            left = Expr(kind: .binary(.power, left, try parseUnary(withFilters: true)), location: left.location)
        }
        return left
    }

    private mutating func parseUnary(withFilters: Bool) throws(TemplateError) -> Expr {
        let token = current
        try enterNesting(at: token)
        defer { depth -= 1 }
        var expr: Expr
        if token.isOp("-") {
            _ = advance()
            expr = Expr(kind: .negate(try parseUnary(withFilters: false)), location: location(token))
        } else if token.isOp("+") {
            _ = advance()
            expr = Expr(kind: .plus(try parseUnary(withFilters: false)), location: location(token))
        } else {
            expr = try parsePrimary()
        }
        expr = try parsePostfix(expr)
        return withFilters ? try parseFilterExpression(expr) : expr
    }

    mutating func parsePrimary() throws(TemplateError) -> Expr {
        let token = current
        let here = location(token)
        switch token.kind {
        case .name(let name):
            _ = advance()
            switch name {
            case "true", "True": return Expr(kind: .constant(.bool(true)), location: here)
            case "false", "False": return Expr(kind: .constant(.bool(false)), location: here)
            case "none", "None": return Expr(kind: .constant(.none), location: here)
            default: return Expr(kind: .name(name), location: here)
            }
        case .string(var text):
            _ = advance()
            // Adjacent string literals concatenate, as in Python.
            while case .string(let more) = current.kind {
                text += more
                _ = advance()
            }
            return Expr(kind: .constant(.string(text)), location: here)
        case .integer(let value):
            _ = advance()
            return Expr(kind: .constant(.int(value)), location: here)
        case .float(let value):
            _ = advance()
            return Expr(kind: .constant(.double(value)), location: here)
        case .op("("):
            _ = advance()
            if current.isOp(")") {
                _ = advance()
                return Expr(kind: .tuple([]), location: here)
            }
            var inner = try parseTuple()
            try expectOp(")")
            inner.location = here
            return inner
        case .op("["):
            _ = advance()
            var items: [Expr] = []
            while !current.isOp("]") {
                if !items.isEmpty { try expectOp(",") }
                if current.isOp("]") { break }
                items.append(try parseExpression())
            }
            try expectOp("]")
            return Expr(kind: .list(items), location: here)
        case .op("{"):
            _ = advance()
            var pairs: [(key: Expr, value: Expr)] = []
            while !current.isOp("}") {
                if !pairs.isEmpty { try expectOp(",") }
                if current.isOp("}") { break }
                let key = try parseExpression()
                try expectOp(":")
                pairs.append((key, try parseExpression()))
            }
            try expectOp("}")
            return Expr(kind: .dict(pairs), location: here)
        default:
            throw syntaxError("unexpected \(token.describe)", at: token)
        }
    }
}
