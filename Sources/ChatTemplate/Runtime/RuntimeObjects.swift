/// A callable: a built-in global, a bound method, a macro, or a `caller`.
final class Function {
    typealias Body = (Interpreter, Arguments, SourceLocation) throws(TemplateError) -> Value

    let name: String
    let body: Body

    init(name: String, body: @escaping Body) {
        self.name = name
        self.body = body
    }

    func call(_ interpreter: Interpreter, _ arguments: Arguments, at location: SourceLocation) throws(TemplateError) -> Value {
        try body(interpreter, arguments, location)
    }
}

/// The state of a generator: the items not yet produced.
final class Iterator {
    let typeName: String
    private var remaining: ArraySlice<Value>

    init(_ items: [Value], typeName: String = "generator") {
        self.typeName = typeName
        self.remaining = items[...]
    }

    /// Produces every remaining item; afterwards the iterator is empty.
    func drain() -> [Value] {
        defer { remaining = [] }
        return Array(remaining)
    }

    /// Produces the next item, if any.
    func next() -> Value? {
        remaining.popFirst()
    }
}

/// The object `namespace(...)` returns: attributes that `{% set ns.x = ... %}` can change from any scope.
final class Namespace {
    var attributes = Dict()
}
