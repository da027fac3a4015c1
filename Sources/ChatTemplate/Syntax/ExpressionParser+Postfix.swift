/// The tightest-binding parts of an expression: `.attr`, `[item]`,
/// `[start:stop:step]`, call arguments, `| filter` chains and `is test`.
extension Parser {
    mutating func parsePostfix(_ base: Expr) throws(TemplateError) -> Expr {
        var expr = base
        while true {
            let token = current
            if token.isOp(".") {
                _ = advance()
                let attributeToken = advance()
                switch attributeToken.kind {
                case .name(let name):
                    expr = Expr(kind: .attribute(expr, name), location: expr.location)
                case .integer(let index):
                    let key = Expr(kind: .constant(.int(index)), location: location(attributeToken))
                    expr = Expr(kind: .item(expr, key), location: expr.location)
                default:
                    throw syntaxError("expected name or number after '.'", at: attributeToken)
                }
            } else if token.isOp("[") {
                expr = try parseSubscript(expr)
            } else if token.isOp("(") {
                expr = Expr(kind: .call(expr, try parseCallArguments()), location: expr.location)
            } else {
                return expr
            }
        }
    }

    private enum Subscript {
        case key(Expr)
        case slice(start: Expr?, stop: Expr?, step: Expr?, location: SourceLocation)
    }

    private mutating func parseSubscript(_ base: Expr) throws(TemplateError) -> Expr {
        let open = advance()
        var subscripts: [Subscript] = []
        while !current.isOp("]") {
            if !subscripts.isEmpty { try expectOp(",") }
            subscripts.append(try parseSubscribed())
        }
        try expectOp("]")
        let here = base.location
        switch subscripts.count {
        case 0:
            throw syntaxError("expected a subscript expression", at: open)
        case 1:
            switch subscripts[0] {
            case .key(let key): return Expr(kind: .item(base, key), location: here)
            case let .slice(start, stop, step, _): return Expr(kind: .slice(base, start: start, stop: stop, step: step), location: here)
            }
        default:
            var keys: [Expr] = []
            for entry in subscripts {
                guard case .key(let key) = entry else {
                    throw TemplateError(.unsupported, "unsupported multi-dimensional slice", at: here)
                }
                keys.append(key)
            }
            return Expr(kind: .item(base, Expr(kind: .tuple(keys), location: here)), location: here)
        }
    }

    /// One subscript: an expression, or a `start:stop:step` slice with any part omitted.
    private mutating func parseSubscribed() throws(TemplateError) -> Subscript {
        let here = location(current)
        var start: Expr?
        if !current.isOp(":") {
            let expr = try parseExpression()
            guard current.isOp(":") else { return .key(expr) }
            start = expr
        }
        _ = advance()
        var stop: Expr?
        if !current.isOp(":"), !current.isOp("]"), !current.isOp(",") { stop = try parseExpression() }
        var step: Expr?
        if current.isOp(":") {
            _ = advance()
            if !current.isOp("]"), !current.isOp(",") { step = try parseExpression() }
        }
        return .slice(start: start, stop: stop, step: step, location: here)
    }

    /// `(positional, name=value, *spread, **keywordSpread)`.
    mutating func parseCallArguments() throws(TemplateError) -> CallArguments {
        let open = current
        try expectOp("(")
        var arguments = CallArguments()
        var needsComma = false
        while !current.isOp(")") {
            if needsComma {
                try expectOp(",")
                if current.isOp(")") { break }
            }
            if current.isOp("*") {
                _ = advance()
                guard arguments.spread == nil, arguments.keywordSpread == nil else {
                    throw syntaxError("invalid syntax for function call expression", at: open)
                }
                arguments.spread = try parseExpression()
            } else if current.isOp("**") {
                _ = advance()
                guard arguments.keywordSpread == nil else {
                    throw syntaxError("invalid syntax for function call expression", at: open)
                }
                arguments.keywordSpread = try parseExpression()
            } else if case .name(let name) = current.kind, peek().isOp("=") {
                _ = advance()
                _ = advance()
                guard arguments.keywordSpread == nil else {
                    throw syntaxError("invalid syntax for function call expression", at: open)
                }
                arguments.keyword.append((name, try parseExpression()))
            } else {
                guard arguments.spread == nil, arguments.keywordSpread == nil, arguments.keyword.isEmpty else {
                    throw syntaxError("positional argument follows keyword argument", at: current)
                }
                arguments.positional.append(try parseExpression())
            }
            needsComma = true
        }
        try expectOp(")")
        return arguments
    }

    mutating func parseFilterExpression(_ base: Expr) throws(TemplateError) -> Expr {
        var expr = base
        while true {
            let token = current
            if token.isOp("|") {
                for filter in try parseFilterChain(startInline: false) {
                    expr = Expr(kind: .filter(expr, filter), location: filter.location)
                }
            } else if token.isName("is") {
                expr = try parseTest(expr)
            } else if token.isOp("(") {
                expr = Expr(kind: .call(expr, try parseCallArguments()), location: expr.location)
            } else {
                return expr
            }
        }
    }

    /// `| name(args) | name ...`; with `startInline` the first `|` is absent (`{% filter upper %}`).
    mutating func parseFilterChain(startInline: Bool) throws(TemplateError) -> [FilterCall] {
        var filters: [FilterCall] = []
        var inline = startInline
        while current.isOp("|") || inline {
            if !inline { _ = advance() }
            inline = false
            let nameToken = current
            let name = try parseDottedName()
            let arguments = current.isOp("(") ? try parseCallArguments() : CallArguments()
            filters.append(FilterCall(name: name, arguments: arguments, location: location(nameToken)))
        }
        return filters
    }

    private mutating func parseDottedName() throws(TemplateError) -> String {
        var name = try expectName()
        while current.isOp(".") {
            _ = advance()
            name += "." + (try expectName())
        }
        return name
    }

    private mutating func parseTest(_ subject: Expr) throws(TemplateError) -> Expr {
        let isToken = advance()
        var negated = false
        if current.isName("not") {
            _ = advance()
            negated = true
        }
        let nameToken = current
        let name = try parseDottedName()
        var arguments = CallArguments()
        if current.isOp("(") {
            arguments = try parseCallArguments()
        } else if startsTestArgument(current) {
            if current.isName("is") { throw syntaxError("you cannot chain multiple tests with 'is'", at: current) }
            arguments.positional = [try parsePostfix(try parsePrimary())]
        }
        let test = Expr(kind: .test(subject, FilterCall(name: name, arguments: arguments, location: location(nameToken))),
                        location: location(isToken))
        return negated ? Expr(kind: .not(test), location: location(isToken)) : test
    }

    /// Jinja lets a test take one argument without parentheses: `x is divisibleby 3`.
    private func startsTestArgument(_ token: Token) -> Bool {
        switch token.kind {
        case .name(let name): return !["else", "or", "and"].contains(name)
        case .string, .integer, .float: return true
        case .op(let op): return op == "[" || op == "{"
        case .end: return false
        }
    }
}
