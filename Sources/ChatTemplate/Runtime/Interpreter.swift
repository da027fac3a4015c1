import Foundation

/// Executes a parsed template. One interpreter renders one template once;
/// it holds the output buffer and the counters that enforce ``RenderLimits``.
final class Interpreter {
    let limits: RenderLimits
    /// The moment `strftime_now` reports.
    let now: Date
    private var output = ""
    private var loopIterations = 0
    private var callDepth = 0

    /// How a statement list finished: normally, or by `break`/`continue` that an enclosing loop must handle.
    enum Flow {
        case normal
        case breakLoop(SourceLocation)
        case continueLoop(SourceLocation)
    }

    init(limits: RenderLimits, now: Date) {
        self.limits = limits
        self.now = now
    }

    /// Renders `nodes` with `scope` as the template's top-level frame.
    func render(_ nodes: [Node], scope: Scope) throws(TemplateError) -> String {
        switch try execute(nodes, in: scope) {
        case .normal: return output
        case .breakLoop(let location): throw TemplateError(.syntax, "'break' outside of a loop", at: location)
        case .continueLoop(let location): throw TemplateError(.syntax, "'continue' outside of a loop", at: location)
        }
    }

    // MARK: - Output

    private func write(_ text: String) throws(TemplateError) {
        output += text
        if output.utf8.count > limits.maxOutputBytes { throw limits.sizeError(at: nil) }
    }

    /// Runs `body` with a fresh output buffer and returns what it wrote.
    func capture(_ body: () throws(TemplateError) -> Void) throws(TemplateError) -> String {
        let saved = output
        output = ""
        defer { output = saved }
        try body()
        return output
    }

    // MARK: - Statements

    func execute(_ nodes: [Node], in scope: Scope) throws(TemplateError) -> Flow {
        for node in nodes {
            let flow = try execute(node, in: scope)
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    private func execute(_ node: Node, in scope: Scope) throws(TemplateError) -> Flow {
        switch node {
        case .text(let text):
            try write(text)
        case .output(let expression):
            try write(PythonFormatting.str(try evaluate(expression, in: scope)))
        case .ifChain(let branches, let otherwise):
            for branch in branches {
                if try evaluate(branch.test, in: scope).isTruthy { return try execute(branch.body, in: scope) }
            }
            return try execute(otherwise, in: scope)
        case .forLoop(let loop):
            return try executeFor(loop, in: scope)
        case .assign(let target, let expression, let location):
            try assign(target, try evaluate(expression, in: scope), in: scope, at: location)
        case .assignBlock(let target, let filters, let body, let location):
            let frame = Scope(parent: scope)
            var value = Value.string(try capture { () throws(TemplateError) in _ = try execute(body, in: frame) })
            for filter in filters { value = try applyFilter(filter, to: value, in: scope) }
            try assign(target, value, in: scope, at: location)
        case .macro(let definition):
            scope.assign(definition.name, .function(makeMacro(definition, closure: scope)))
        case .callBlock(let callerDefinition, let call):
            guard case .call(let callee, let argumentExprs) = call.kind else { return .normal }
            let function = try evaluate(callee, in: scope)
            var arguments = try evaluateArguments(argumentExprs, in: scope)
            arguments.keyword.append(("caller", .function(makeMacro(callerDefinition, closure: scope))))
            try write(PythonFormatting.str(try self.call(function, arguments, at: call.location)))
        case .filterBlock(let filters, let body):
            let frame = Scope(parent: scope)
            var value = Value.string(try capture { () throws(TemplateError) in _ = try execute(body, in: frame) })
            for filter in filters { value = try applyFilter(filter, to: value, in: scope) }
            try write(PythonFormatting.str(value))
        case .with(let assignments, let body):
            let frame = Scope(parent: scope)
            for (target, expression) in assignments {
                try assign(target, try evaluate(expression, in: scope), in: frame, at: expression.location)
            }
            return try execute(body, in: frame)
        case .breakLoop(let location):
            return .breakLoop(location)
        case .continueLoop(let location):
            return .continueLoop(location)
        }
        return .normal
    }

    private func executeFor(_ loop: ForLoop, in scope: Scope) throws(TemplateError) -> Flow {
        var items = try iterate(try evaluate(loop.iterable, in: scope), at: loop.iterable.location)
        if let filter = loop.filter {
            var kept: [Value] = []
            for item in items {
                try countIteration(at: loop.location)
                let frame = Scope(parent: scope)
                try assign(loop.target, item, in: frame, at: loop.location)
                if try evaluate(filter, in: frame).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            return try execute(loop.otherwise, in: Scope(parent: scope))
        }
        let context = LoopContext(items: items)
        for (index, item) in items.enumerated() {
            try countIteration(at: loop.location)
            context.index0 = index
            let frame = Scope(parent: scope)
            frame.assign("loop", .loop(context))
            try assign(loop.target, item, in: frame, at: loop.location)
            if case .breakLoop = try execute(loop.body, in: frame) { break }
        }
        return .normal
    }

    private func countIteration(at location: SourceLocation) throws(TemplateError) {
        loopIterations += 1
        if loopIterations > limits.maxLoopIterations {
            throw TemplateError(.limitExceeded, "more than \(limits.maxLoopIterations) loop iterations", at: location)
        }
    }

    /// The items a `for` loop visits: list items, dict keys, string characters; Undefined is empty.
    func iterate(_ value: Value, at location: SourceLocation) throws(TemplateError) -> [Value] {
        switch value.unmarked {
        case .undefined: return []
        case .list(let items), .tuple(let items): return items
        case .iterator(let iterator): return iterator.drain()
        case .dict(let dict): return dict.keys
        case .namespace(let namespace): return namespace.attributes.keys
        case .string(let text): return text.unicodeScalars.map { .string(String($0)) }
        default: throw TemplateError(.runtime, "'\(value.typeName)' object is not iterable", at: location)
        }
    }

    func assign(_ target: AssignTarget, _ value: Value, in scope: Scope, at location: SourceLocation) throws(TemplateError) {
        switch target {
        case .name(let name):
            scope.assign(name, value)
        case .tuple(let targets):
            let items = try iterate(value, at: location)
            guard items.count == targets.count else {
                let problem = items.count < targets.count ? "not enough" : "too many"
                throw TemplateError(.runtime, "\(problem) values to unpack (expected \(targets.count), got \(items.count))", at: location)
            }
            for (inner, item) in zip(targets, items) { try assign(inner, item, in: scope, at: location) }
        case .namespaceAttribute(let name, let attribute):
            guard case .namespace(let namespace)? = scope.lookup(name) else {
                throw TemplateError(.runtime, "cannot assign attribute on non-namespace object '\(name)'", at: location)
            }
            namespace.attributes.set(attribute, value)
        }
    }

    // MARK: - Macros

    private func makeMacro(_ definition: MacroDefinition, closure: Scope) -> Function {
        Function(name: definition.name) { interpreter, arguments, location throws(TemplateError) in
            try interpreter.callMacro(definition, closure: closure, arguments: arguments, at: location)
        }
    }

    /// Binds arguments as Jinja does (missing ones are Undefined, extras go to
    /// `varargs` and `kwargs`) and renders the body to a string.
    private func callMacro(_ definition: MacroDefinition, closure: Scope, arguments: Arguments, at location: SourceLocation) throws(TemplateError) -> Value {
        callDepth += 1
        defer { callDepth -= 1 }
        guard callDepth <= limits.maxCallDepth else {
            throw TemplateError(.limitExceeded, "macro calls nested deeper than \(limits.maxCallDepth)", at: location)
        }
        let frame = Scope(parent: closure)
        var keywords = Dict()
        for (name, value) in arguments.keyword where !definition.parameters.contains(where: { $0.name == name }) {
            if name == "caller" { frame.assign("caller", value) } else { keywords.set(name, value) }
        }
        for (index, parameter) in definition.parameters.enumerated() {
            let value: Value
            if index < arguments.positional.count {
                value = arguments.positional[index]
            } else if let keyword = arguments.keyword.last(where: { $0.name == parameter.name }) {
                value = keyword.value
            } else if let defaultValue = parameter.defaultValue {
                value = try evaluate(defaultValue, in: frame)
            } else {
                value = .undefined(hint: "parameter '\(parameter.name)' was not provided")
            }
            frame.assign(parameter.name, value)
        }
        frame.assign("varargs", .tuple(Array(arguments.positional.dropFirst(definition.parameters.count))))
        frame.assign("kwargs", .dict(keywords))
        var flow = Flow.normal
        let text = try capture { () throws(TemplateError) in flow = try execute(definition.body, in: frame) }
        switch flow {
        case .normal: return .string(text)
        case .breakLoop(let at), .continueLoop(let at):
            throw TemplateError(.syntax, "loop control outside of a loop in macro '\(definition.name)'", at: at)
        }
    }

    /// Calls a callable value.
    func call(_ callee: Value, _ arguments: Arguments, at location: SourceLocation) throws(TemplateError) -> Value {
        switch callee {
        case .function(let function):
            return try function.call(self, arguments, at: location)
        case .undefined(let hint):
            throw TemplateError(.runtime, hint, at: location)
        default:
            throw TemplateError(.runtime, "'\(callee.typeName)' object is not callable", at: location)
        }
    }
}
