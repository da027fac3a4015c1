import Foundation

/// The global functions a chat template can call: Jinja's `range`, `dict`,
/// `namespace`, `joiner`, and transformers' `raise_exception` and `strftime_now`.
enum Globals {
    /// Jinja's sandbox refuses ranges longer than this (`MAX_RANGE`).
    static let maxRange = 100_000

    static func makeScope() -> Scope {
        let scope = Scope(parent: nil)
        func define(_ name: String, _ body: @escaping Function.Body) {
            scope.assign(name, .function(Function(name: name, body: body)))
        }
        define("range", range)
        define("namespace") { _, arguments, location throws(TemplateError) in
            let namespace = Namespace()
            namespace.attributes = try mapping(from: arguments, callee: "namespace", at: location)
            return .namespace(namespace)
        }
        define("dict") { _, arguments, location throws(TemplateError) in
            .dict(try mapping(from: arguments, callee: "dict", at: location))
        }
        define("raise_exception") { _, arguments, location throws(TemplateError) in
            let message = arguments.positional.first.map(PythonFormatting.str) ?? ""
            throw TemplateError(.raised, message, at: location)
        }
        define("strftime_now") { interpreter, arguments, location throws(TemplateError) in
            let bound = try arguments.bind(["format"], callee: "strftime_now", at: location)
            guard case .string(let format)? = bound[0] else {
                throw TemplateError(.runtime, "strftime_now() argument must be str", at: location)
            }
            return .string(Strftime.format(interpreter.now, format))
        }
        define("joiner") { _, arguments, location throws(TemplateError) in
            let bound = try arguments.bind(["sep"], callee: "joiner", at: location)
            let separator = bound[0].map(PythonFormatting.str) ?? ", "
            final class State { var used = false }
            let state = State()
            return .function(Function(name: "joiner") { _, _, _ throws(TemplateError) in
                defer { state.used = true }
                return .string(state.used ? separator : "")
            })
        }
        for name in ["cycler", "lipsum"] {
            define(name) { _, _, location throws(TemplateError) in
                throw TemplateError(.unsupported, "unsupported global function '\(name)'", at: location)
            }
        }
        return scope
    }

    /// `range(stop)` or `range(start, stop[, step])`, as a list.
    private static func range(_ interpreter: Interpreter, _ arguments: Arguments, _ location: SourceLocation) throws(TemplateError) -> Value {
        guard arguments.keyword.isEmpty, (1...3).contains(arguments.positional.count) else {
            throw TemplateError(.runtime, "range expected 1 to 3 positional arguments", at: location)
        }
        var bounds: [Int] = []
        for argument in arguments.positional {
            guard let number = argument.integer else {
                throw TemplateError(.runtime, "'\(argument.typeName)' object cannot be interpreted as an integer", at: location)
            }
            bounds.append(number)
        }
        let start = bounds.count == 1 ? 0 : bounds[0]
        let stop = bounds.count == 1 ? bounds[0] : bounds[1]
        let step = bounds.count == 3 ? bounds[2] : 1
        guard step != 0 else { throw TemplateError(.runtime, "range() arg 3 must not be zero", at: location) }
        let span = step > 0 ? Double(stop) - Double(start) : Double(start) - Double(stop)
        let count = span <= 0 ? 0 : Int((span / Double(abs(step))).rounded(.up))
        guard count <= maxRange else {
            throw TemplateError(.limitExceeded, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (\(maxRange)).", at: location)
        }
        return .list((0..<count).map { .int(start + $0 * step) })
    }

    /// Python's `dict(mapping_or_pairs, **kwargs)`.
    private static func mapping(from arguments: Arguments, callee: String, at location: SourceLocation) throws(TemplateError) -> Dict {
        var dict = Dict()
        guard arguments.positional.count <= 1 else {
            throw TemplateError(.runtime, "\(callee) expected at most 1 positional argument", at: location)
        }
        switch arguments.positional.first {
        case nil: break
        case .dict(let source)?: dict = source
        case .list(let pairs)?, .tuple(let pairs)?:
            try addPairs(pairs, to: &dict, callee: callee, at: location)
        case .iterator(let iterator)?:
            try addPairs(iterator.drain(), to: &dict, callee: callee, at: location)
        case let other?:
            throw TemplateError(.runtime, "'\(other.typeName)' object is not iterable", at: location)
        }
        for (name, value) in arguments.keyword { dict.set(name, value) }
        return dict
    }

    private static func addPairs(_ pairs: [Value], to dict: inout Dict, callee: String, at location: SourceLocation) throws(TemplateError) {
        for pair in pairs {
            guard let items = pair.sequenceItems, items.count == 2, dict.set(items[0], items[1]) else {
                throw TemplateError(.runtime, "\(callee) sequence elements must be key/value pairs", at: location)
            }
        }
    }
}
