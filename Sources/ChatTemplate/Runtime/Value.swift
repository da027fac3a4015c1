/// A value while a template renders: Python's data model as Jinja exposes
/// it, plus Jinja's Undefined and the objects templates create (namespaces,
/// loop contexts, callables).
///
/// Lists and dicts are values: Jinja's ImmutableSandboxedEnvironment, which
/// transformers uses, forbids mutating them, so copying is never observable.
/// Namespaces (and generators) are the mutable objects, shared by reference.
enum Value {
    /// Jinja's default `Undefined`: falsy, renders as "", iterates as empty,
    /// and raises (with `hint` as the message) when used in arithmetic,
    /// comparisons, attribute access or calls.
    case undefined(hint: String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    /// markupsafe's `Markup`, made by `safe` and `escape`: a string that
    /// HTML-escapes plain strings joined to it with `+` or formatted into it with `%`.
    case markup(String)
    /// A Python list.
    case list([Value])
    /// A Python tuple: like a list, but printed with parentheses, hashable,
    /// never equal to a list, and spread over the conversions of `%`.
    case tuple([Value])
    case dict(Dict)
    /// A Python generator or iterator, as `map`, `select`, `unique`,
    /// `batch`, `items` and `reverse` return: always truthy, without a
    /// length, and exhausted once iterated.
    case iterator(Iterator)
    case namespace(Namespace)
    case loop(LoopContext)
    case function(Function)

    /// Python's name for the value's type, as used in error messages.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .markup: return "Markup"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .iterator(let iterator): return iterator.typeName
        case .namespace: return "Namespace"
        case .loop: return "LoopContext"
        case .function: return "function"
        }
    }

    /// Python truthiness (`bool(value)`); Undefined is false.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let value): return value
        case .int(let value): return value != 0
        case .double(let value): return value != 0
        case .string(let value), .markup(let value): return !value.isEmpty
        case .list(let items), .tuple(let items): return !items.isEmpty
        case .dict(let dict): return !dict.isEmpty
        case .iterator, .namespace, .loop, .function: return true
        }
    }

    /// The value with `Markup` turned into a plain string, for every use
    /// where the two behave the same.
    var unmarked: Value {
        if case .markup(let text) = self { return .string(text) }
        return self
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// The value as a number, treating `bool` as the `int` it is in Python.
    var numeric: Numeric? {
        switch self {
        case .bool(let value): return .int(value ? 1 : 0)
        case .int(let value): return .int(value)
        case .double(let value): return .double(value)
        default: return nil
        }
    }

    /// The items of a list or tuple.
    var sequenceItems: [Value]? {
        switch self {
        case .list(let items), .tuple(let items): return items
        default: return nil
        }
    }

    /// The value as an integer index, if it is an `int` or `bool`.
    var integer: Int? {
        if case .int(let value)? = numeric { return value }
        return nil
    }
}

/// An `int` or `float` operand.
enum Numeric {
    case int(Int)
    case double(Double)

    var asDouble: Double {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        }
    }
}
