/// Attribute, item and slice access with the rules of Jinja's sandboxed
/// environment: `a.b` tries a method/attribute and then an item, `a[b]` tries
/// an item and then an attribute, and a miss yields Undefined rather than an
/// error (except on an Undefined base, which raises).
extension Interpreter {
    /// Jinja's wording for a value's type in "has no attribute" hints.
    static func objectDescription(_ value: Value) -> String {
        if case .none = value { return "None" }
        return "\(value.typeName) object"
    }

    func attribute(of value: Value, _ name: String, at location: SourceLocation) throws(TemplateError) -> Value {
        let value = value.unmarked
        let missing = Value.undefined(hint: "'\(Self.objectDescription(value))' has no attribute '\(name)'")
        switch value {
        case .undefined(let hint):
            throw TemplateError(.runtime, hint, at: location)
        case .dict(let dict):
            if let method = Methods.dictMethod(dict, name) { return method }
            return dict.get(name) ?? missing
        case .string(let text):
            return Methods.stringMethod(text, name) ?? missing
        case .list(let items):
            return Methods.listMethod(items, name) ?? missing
        case .tuple(let items):
            return Methods.listMethod(items, name, type: "tuple") ?? missing
        case .namespace(let namespace):
            return namespace.attributes.get(name) ?? missing
        case .loop(let loop):
            return loop.attribute(name) ?? missing
        default:
            return missing
        }
    }

    func item(of value: Value, _ key: Value, at location: SourceLocation) throws(TemplateError) -> Value {
        let value = value.unmarked
        let key = key.unmarked
        switch value {
        case .undefined(let hint):
            throw TemplateError(.runtime, hint, at: location)
        case .list(let items), .tuple(let items):
            if let index = key.integer {
                let position = index < 0 ? index + items.count : index
                if position >= 0 && position < items.count { return items[position] }
            }
        case .string(let text):
            if let index = key.integer {
                let scalars = text.unicodeScalars
                let count = scalars.count
                let position = index < 0 ? index + count : index
                if position >= 0 && position < count {
                    return .string(String(scalars[scalars.index(scalars.startIndex, offsetBy: position)]))
                }
            }
        case .dict(let dict):
            if let found = dict.get(key) { return found }
        default:
            break
        }
        if case .string(let name) = key { return try attribute(of: value, name, at: location) }
        return .undefined(hint: "\(Self.objectDescription(value)) has no element \(PythonFormatting.repr(key))")
    }

    /// `value[start:stop:step]` on lists and strings, with Python's index clamping.
    func slice(_ value: Value, start: Value?, stop: Value?, step: Value?, at location: SourceLocation) throws(TemplateError) -> Value {
        let value = value.unmarked
        if case .undefined(let hint) = value { throw TemplateError(.runtime, hint, at: location) }
        func bound(_ bound: Value?) throws(TemplateError) -> Int? {
            guard let bound else { return nil }
            if case .none = bound { return nil }
            guard let index = bound.integer else {
                throw TemplateError(.runtime, "slice indices must be integers or None", at: location)
            }
            return index
        }
        let stepValue = try bound(step) ?? 1
        guard stepValue != 0 else { throw TemplateError(.runtime, "slice step cannot be zero", at: location) }
        let startValue = try bound(start)
        let stopValue = try bound(stop)
        switch value {
        case .list(let items), .tuple(let items):
            let indices = Self.sliceIndices(count: items.count, start: startValue, stop: stopValue, step: stepValue)
            let selected = indices.map { items[$0] }
            if case .tuple = value { return .tuple(selected) }
            return .list(selected)
        case .string(let text):
            let scalars = Array(text.unicodeScalars)
            let indices = Self.sliceIndices(count: scalars.count, start: startValue, stop: stopValue, step: stepValue)
            return .string(StringOps.string(indices.map { scalars[$0] }))
        default:
            return .undefined(hint: "'\(Self.objectDescription(value))' cannot be sliced")
        }
    }

    /// The positions `sequence[start:stop:step]` selects (CPython's `PySlice_AdjustIndices`).
    static func sliceIndices(count: Int, start: Int?, stop: Int?, step: Int) -> [Int] {
        let lower = step > 0 ? 0 : -1
        let upper = step > 0 ? count : count - 1
        func clamp(_ value: Int?, default fallback: Int) -> Int {
            guard var index = value else { return fallback }
            if index < 0 {
                index = index < -count ? lower : index + count
                return max(index, lower)
            }
            return min(index, upper)
        }
        let first = clamp(start, default: step > 0 ? lower : upper)
        let end = clamp(stop, default: step > 0 ? upper : lower)
        var indices: [Int] = []
        var index = first
        while step > 0 ? index < end : index > end {
            indices.append(index)
            let next = index.addingReportingOverflow(step)
            if next.overflow { break }
            index = next.partialValue
        }
        return indices
    }
}
