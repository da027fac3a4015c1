/// The `loop` variable inside a `for` body.
final class LoopContext {
    let items: [Value]
    var index0 = 0
    private var lastChanged: [Value]?

    init(items: [Value]) {
        self.items = items
    }

    var length: Int { items.count }

    /// `loop.<name>`, or nil when the loop has no such attribute.
    func attribute(_ name: String) -> Value? {
        switch name {
        case "index": return .int(index0 + 1)
        case "index0": return .int(index0)
        case "revindex": return .int(length - index0)
        case "revindex0": return .int(length - index0 - 1)
        case "first": return .bool(index0 == 0)
        case "last": return .bool(index0 == length - 1)
        case "length": return .int(length)
        case "depth": return .int(1)
        case "depth0": return .int(0)
        case "previtem":
            return index0 > 0 ? items[index0 - 1] : .undefined(hint: "there is no previous item")
        case "nextitem":
            return index0 + 1 < length ? items[index0 + 1] : .undefined(hint: "there is no next item")
        case "cycle":
            return .function(Function(name: "loop.cycle") { _, arguments, location throws(TemplateError) in
                guard arguments.keyword.isEmpty, !arguments.positional.isEmpty else {
                    throw TemplateError(.runtime, "loop.cycle() needs at least one positional argument", at: location)
                }
                return arguments.positional[self.index0 % arguments.positional.count]
            })
        case "changed":
            return .function(Function(name: "loop.changed") { _, arguments, _ throws(TemplateError) in
                let current = arguments.positional
                defer { self.lastChanged = current }
                guard let previous = self.lastChanged else { return .bool(true) }
                return .bool(!Operators.equal(.list(previous), .list(current)))
            })
        default:
            return nil
        }
    }
}
