/// An expression of the template language, with where it starts in the source.
struct Expr: Sendable {
    var kind: ExprKind
    var location: SourceLocation
}

/// The kinds of expression Jinja's parser produces that this interpreter evaluates.
indirect enum ExprKind: Sendable {
    case constant(Constant)
    case name(String)
    case list([Expr])
    case tuple([Expr])
    case dict([(key: Expr, value: Expr)])
    /// `object.name`: Jinja tries an attribute (a method) first, then an item.
    case attribute(Expr, String)
    /// `object[key]`: Jinja tries an item first, then an attribute.
    case item(Expr, Expr)
    /// `object[start:stop:step]`.
    case slice(Expr, start: Expr?, stop: Expr?, step: Expr?)
    case call(Expr, CallArguments)
    case filter(Expr, FilterCall)
    /// `value is name(args)`; `is not` wraps this in `.not`.
    case test(Expr, FilterCall)
    case not(Expr)
    case negate(Expr)
    case plus(Expr)
    case binary(BinaryOperator, Expr, Expr)
    case and(Expr, Expr)
    case or(Expr, Expr)
    /// A chain such as `a < b <= c`, evaluated pairwise as in Python.
    case compare(Expr, [(op: CompareOperator, operand: Expr)])
    /// `a ~ b ~ c`: string conversion and concatenation.
    case concat([Expr])
    /// `then if test else otherwise`; a missing `else` yields Undefined.
    case conditional(test: Expr, then: Expr, otherwise: Expr?)
}

/// A literal value.
enum Constant: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
}

enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%", power = "**"
}

enum CompareOperator: String, Sendable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case contains = "in", notContains = "not in"
}

/// The arguments of a call, filter or test.
struct CallArguments: Sendable {
    var positional: [Expr] = []
    var keyword: [(name: String, value: Expr)] = []
    /// `*args`.
    var spread: Expr?
    /// `**kwargs`.
    var keywordSpread: Expr?
}

/// A filter or test application: its (possibly dotted) name and arguments.
struct FilterCall: Sendable {
    var name: String
    var arguments: CallArguments
    var location: SourceLocation
}

/// Where a `set`, `for` or `with` stores values.
indirect enum AssignTarget: Sendable {
    case name(String)
    case tuple([AssignTarget])
    /// `namespace.attribute`, which mutates a `namespace()` object.
    case namespaceAttribute(namespace: String, attribute: String)
}

/// A statement of the template.
indirect enum Node: Sendable {
    case text(String)
    case output(Expr)
    case ifChain(branches: [(test: Expr, body: [Node])], otherwise: [Node])
    case forLoop(ForLoop)
    case assign(AssignTarget, Expr, SourceLocation)
    /// `{% set x %}...{% endset %}`, with optional filters applied to the captured text.
    case assignBlock(AssignTarget, filters: [FilterCall], body: [Node], SourceLocation)
    case macro(MacroDefinition)
    /// `{% call(params) macro(args) %}body{% endcall %}`.
    case callBlock(caller: MacroDefinition, call: Expr)
    case filterBlock(filters: [FilterCall], body: [Node])
    case with(assignments: [(target: AssignTarget, value: Expr)], body: [Node])
    case breakLoop(SourceLocation)
    case continueLoop(SourceLocation)
}

struct ForLoop: Sendable {
    var target: AssignTarget
    var iterable: Expr
    /// `for x in xs if cond`: items failing the test are skipped before `loop` counts them.
    var filter: Expr?
    var body: [Node]
    var otherwise: [Node]
    var location: SourceLocation
}

struct MacroDefinition: Sendable {
    var name: String
    var parameters: [(name: String, defaultValue: Expr?)]
    var body: [Node]
    var location: SourceLocation
}
