/// A frame of variables. Lookups walk outward through parents; assignments
/// always land in the frame they are made in, which gives Jinja's rule that
/// a `set` inside a loop body is not seen after the loop (or by the next
/// iteration), while a `set` inside an `if` is.
final class Scope {
    private var variables: [String: Value] = [:]
    let parent: Scope?

    init(parent: Scope?) {
        self.parent = parent
    }

    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let current = scope {
            if let value = current.variables[name] { return value }
            scope = current.parent
        }
        return nil
    }

    func assign(_ name: String, _ value: Value) {
        variables[name] = value
    }
}
