/// Builds the statement tree from lexer segments, following the grammar of
/// Jinja's parser (`jinja2/parser.py`) for the tags chat templates use.
struct Parser {
    let source: SourceText
    private let segments: [Segment]
    private var segmentIndex = 0
    /// Tokens of the tag being parsed; always ends with `.end`.
    var tokens: [Token] = []
    var tokenIndex = 0
    /// Current nesting of expressions and blocks, bounded to keep recursion off the stack limit.
    var depth = 0
    static let maxDepth = 200

    /// Tags Jinja knows that this interpreter rejects.
    private static let unsupportedTags: Set<String> = [
        "include", "import", "from", "extends", "block", "autoescape", "do", "trans", "pluralize", "debug",
    ]
    /// Closing tags; meeting one that no open block expects is an error.
    private static let closingTags: Set<String> = [
        "endfor", "endif", "elif", "else", "endset", "endmacro", "endcall", "endfilter", "endwith",
        "endraw", "endgeneration", "endblock",
    ]

    init(source: SourceText, segments: [Segment]) {
        self.source = source
        self.segments = segments
    }

    /// Parses the whole template.
    mutating func parseTemplate() throws(TemplateError) -> [Node] {
        let (body, _) = try parseBody(until: [], openedBy: nil)
        return body
    }

    // MARK: - Token stream helpers

    var current: Token { tokens[min(tokenIndex, tokens.count - 1)] }

    func peek(_ distance: Int = 1) -> Token { tokens[min(tokenIndex + distance, tokens.count - 1)] }

    mutating func advance() -> Token {
        let token = current
        if tokenIndex < tokens.count - 1 { tokenIndex += 1 }
        return token
    }

    func location(_ token: Token) -> SourceLocation { source.location(of: token.offset) }

    func syntaxError(_ message: String, at token: Token) -> TemplateError {
        TemplateError(.syntax, message, at: location(token))
    }

    mutating func expectOp(_ op: String) throws(TemplateError) {
        guard current.isOp(op) else { throw syntaxError("expected '\(op)', got \(current.describe)", at: current) }
        _ = advance()
    }

    mutating func expectName() throws(TemplateError) -> String {
        guard case .name(let name) = current.kind else {
            throw syntaxError("expected a name, got \(current.describe)", at: current)
        }
        _ = advance()
        return name
    }

    mutating func expectName(_ word: String) throws(TemplateError) {
        guard current.isName(word) else { throw syntaxError("expected '\(word)', got \(current.describe)", at: current) }
        _ = advance()
    }

    /// Requires that the current tag has no tokens left.
    mutating func expectTagEnd() throws(TemplateError) {
        guard current.kind == .end else {
            throw syntaxError("expected end of tag, got \(current.describe)", at: current)
        }
    }

    mutating func enterNesting(at token: Token) throws(TemplateError) {
        depth += 1
        if depth > Self.maxDepth {
            throw TemplateError(.limitExceeded, "template nested more than \(Self.maxDepth) levels deep", at: location(token))
        }
    }

    // MARK: - Bodies

    /// Parses nodes until a block tag named in `endTags`. Returns the body and
    /// the name of the tag that ended it, leaving that tag's tokens loaded with
    /// the name consumed. `openedBy` locates the construct for error messages.
    mutating func parseBody(until endTags: Set<String>, openedBy opener: (name: String, token: Token)?) throws(TemplateError) -> ([Node], String?) {
        var body: [Node] = []
        while segmentIndex < segments.count {
            let segment = segments[segmentIndex]
            segmentIndex += 1
            switch segment {
            case .text(let text, _):
                body.append(.text(text))
            case .variable(let tagTokens, _):
                tokens = tagTokens
                tokenIndex = 0
                let expression = try parseTuple()
                try expectTagEnd()
                body.append(.output(expression))
            case .block(let tagTokens, _):
                tokens = tagTokens
                tokenIndex = 0
                let nameToken = current
                guard case .name(let tag) = nameToken.kind else {
                    throw syntaxError("tag name expected", at: nameToken)
                }
                _ = advance()
                if endTags.contains(tag) { return (body, tag) }
                body.append(contentsOf: try parseStatement(tag, nameToken: nameToken, enclosing: endTags))
            }
        }
        if let opener {
            let expected = endTags.sorted().map { "'\($0)'" }.joined(separator: " or ")
            throw TemplateError(.syntax, "unexpected end of template: '\(opener.name)' tag is not closed (expected \(expected))",
                                at: location(opener.token))
        }
        return (body, nil)
    }

    /// Parses a body that must end with `endTag`, then checks that tag has nothing after its name.
    private mutating func parseClosedBody(_ endTag: String, opener: (name: String, token: Token)) throws(TemplateError) -> [Node] {
        try enterNesting(at: opener.token)
        defer { depth -= 1 }
        let (body, _) = try parseBody(until: [endTag], openedBy: opener)
        try expectTagEnd()
        return body
    }

    // MARK: - Statements

    private mutating func parseStatement(_ tag: String, nameToken: Token, enclosing: Set<String>) throws(TemplateError) -> [Node] {
        let opener = (name: tag, token: nameToken)
        let here = location(nameToken)
        switch tag {
        case "if": return [try parseIf(opener)]
        case "for": return [try parseFor(opener)]
        case "set": return [try parseSet(opener)]
        case "macro":
            let name = try expectName()
            let parameters = try parseSignature()
            try expectTagEnd()
            let body = try parseClosedBody("endmacro", opener: opener)
            return [.macro(MacroDefinition(name: name, parameters: parameters, body: body, location: here))]
        case "call":
            let parameters = current.isOp("(") ? try parseSignature() : []
            let call = try parseExpression()
            guard case .call = call.kind else { throw syntaxError("expected a call after 'call'", at: nameToken) }
            try expectTagEnd()
            let body = try parseClosedBody("endcall", opener: opener)
            let caller = MacroDefinition(name: "caller", parameters: parameters, body: body, location: here)
            return [.callBlock(caller: caller, call: call)]
        case "filter":
            let filters = try parseFilterChain(startInline: true)
            try expectTagEnd()
            return [.filterBlock(filters: filters, body: try parseClosedBody("endfilter", opener: opener))]
        case "with":
            var assignments: [(target: AssignTarget, value: Expr)] = []
            while current.kind != .end {
                if !assignments.isEmpty { try expectOp(",") }
                let target = try parseAssignTarget(allowNamespace: false, extraEnd: ["="])
                try expectOp("=")
                assignments.append((target, try parseExpression()))
            }
            return [.with(assignments: assignments, body: try parseClosedBody("endwith", opener: opener))]
        case "print":
            var nodes: [Node] = []
            while current.kind != .end {
                if !nodes.isEmpty { try expectOp(",") }
                nodes.append(.output(try parseExpression()))
            }
            return nodes
        case "break", "continue":
            try expectTagEnd()
            return [tag == "break" ? .breakLoop(here) : .continueLoop(here)]
        case "generation":
            // transformers' AssistantTracker tag: it only marks a span, the text renders unchanged.
            try expectTagEnd()
            return try parseClosedBody("endgeneration", opener: opener)
        default:
            if Self.unsupportedTags.contains(tag) {
                throw TemplateError(.unsupported, "unsupported tag '\(tag)'", at: here)
            }
            if Self.closingTags.contains(tag) {
                let expected = enclosing.isEmpty ? "" : " (expected \(enclosing.sorted().map { "'\($0)'" }.joined(separator: " or ")))"
                throw TemplateError(.syntax, "unexpected tag '\(tag)'\(expected)", at: here)
            }
            throw TemplateError(.syntax, "unknown tag '\(tag)'", at: here)
        }
    }

    private mutating func parseIf(_ opener: (name: String, token: Token)) throws(TemplateError) -> Node {
        try enterNesting(at: opener.token)
        defer { depth -= 1 }
        var branches: [(test: Expr, body: [Node])] = []
        var otherwise: [Node] = []
        var test = try parseTuple(withConditional: false)
        while true {
            try expectTagEnd()
            let (body, end) = try parseBody(until: ["elif", "else", "endif"], openedBy: opener)
            branches.append((test, body))
            if end == "elif" {
                test = try parseTuple(withConditional: false)
                continue
            }
            if end == "else" {
                try expectTagEnd()
                (otherwise, _) = try parseBody(until: ["endif"], openedBy: opener)
            }
            try expectTagEnd()
            return .ifChain(branches: branches, otherwise: otherwise)
        }
    }

    private mutating func parseFor(_ opener: (name: String, token: Token)) throws(TemplateError) -> Node {
        try enterNesting(at: opener.token)
        defer { depth -= 1 }
        let target = try parseAssignTarget(allowNamespace: false, extraEnd: ["in"])
        try expectName("in")
        let iterable = try parseTuple(withConditional: false, extraEnd: ["recursive"])
        var filter: Expr?
        if current.isName("if") {
            _ = advance()
            filter = try parseExpression()
        }
        if current.isName("recursive") {
            throw TemplateError(.unsupported, "unsupported recursive for loop", at: location(current))
        }
        try expectTagEnd()
        let (body, end) = try parseBody(until: ["endfor", "else"], openedBy: opener)
        var otherwise: [Node] = []
        if end == "else" {
            try expectTagEnd()
            (otherwise, _) = try parseBody(until: ["endfor"], openedBy: opener)
        }
        try expectTagEnd()
        return .forLoop(ForLoop(target: target, iterable: iterable, filter: filter, body: body,
                                otherwise: otherwise, location: location(opener.token)))
    }

    private mutating func parseSet(_ opener: (name: String, token: Token)) throws(TemplateError) -> Node {
        let target = try parseAssignTarget(allowNamespace: true, extraEnd: ["="])
        let here = location(opener.token)
        if current.isOp("=") {
            _ = advance()
            let value = try parseTuple()
            try expectTagEnd()
            return .assign(target, value, here)
        }
        let filters = current.isOp("|") ? try parseFilterChain(startInline: false) : []
        try expectTagEnd()
        let body = try parseClosedBody("endset", opener: opener)
        return .assignBlock(target, filters: filters, body: body, here)
    }

    /// `(a, b=default, ...)` of a macro or call block.
    private mutating func parseSignature() throws(TemplateError) -> [(name: String, defaultValue: Expr?)] {
        try expectOp("(")
        var parameters: [(name: String, defaultValue: Expr?)] = []
        while !current.isOp(")") {
            if !parameters.isEmpty { try expectOp(",") }
            let nameToken = current
            let name = try expectName()
            var defaultValue: Expr?
            if current.isOp("=") {
                _ = advance()
                defaultValue = try parseExpression()
            } else if parameters.contains(where: { $0.defaultValue != nil }) {
                throw syntaxError("non-default argument follows default argument", at: nameToken)
            }
            parameters.append((name, defaultValue))
        }
        try expectOp(")")
        return parameters
    }

    /// Names, parenthesized tuples of names, and (for `set`) `ns.attr`.
    private mutating func parseAssignTarget(allowNamespace: Bool, extraEnd: Set<String>) throws(TemplateError) -> AssignTarget {
        var items: [AssignTarget] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expectOp(",") }
            if isTargetEnd(extraEnd) { break }
            items.append(try parseSingleTarget(allowNamespace: allowNamespace))
            if current.isOp(",") { isTuple = true } else { break }
        }
        if !isTuple, let only = items.first { return only }
        guard !items.isEmpty else { throw syntaxError("expected an assignment target, got \(current.describe)", at: current) }
        return .tuple(items)
    }

    private func isTargetEnd(_ extraEnd: Set<String>) -> Bool {
        switch current.kind {
        case .end: return true
        case .op(let op): return op == ")" || extraEnd.contains(op)
        case .name(let name): return extraEnd.contains(name)
        default: return false
        }
    }

    private mutating func parseSingleTarget(allowNamespace: Bool) throws(TemplateError) -> AssignTarget {
        let token = current
        if token.isOp("(") {
            _ = advance()
            let inner = try parseAssignTarget(allowNamespace: false, extraEnd: [])
            try expectOp(")")
            return inner
        }
        let name = try expectName()
        if ["true", "false", "True", "False", "none", "None"].contains(name) {
            throw syntaxError("can't assign to constant '\(name)'", at: token)
        }
        if allowNamespace, current.isOp(".") {
            _ = advance()
            return .namespaceAttribute(namespace: name, attribute: try expectName())
        }
        return .name(name)
    }
}
