/// Evaluated arguments of a call, filter or test (not counting the filtered value).
struct Arguments {
    var positional: [Value] = []
    var keyword: [(name: String, value: Value)] = []

    init(positional: [Value] = [], keyword: [(name: String, value: Value)] = []) {
        self.positional = positional
        self.keyword = keyword
    }

    var isEmpty: Bool { positional.isEmpty && keyword.isEmpty }

    /// Matches the arguments to `parameters` the way Python binds a call:
    /// positionals fill parameters in order, keywords by name. Missing ones
    /// are nil. `callee` names the function in error messages.
    func bind(_ parameters: [String], callee: String, at location: SourceLocation) throws(TemplateError) -> [Value?] {
        guard positional.count <= parameters.count else {
            throw TemplateError(.runtime, "\(callee) takes at most \(parameters.count) argument(s) (\(positional.count) given)", at: location)
        }
        var bound: [Value?] = positional.map { $0 } + Array(repeating: nil, count: parameters.count - positional.count)
        for (name, value) in keyword {
            guard let position = parameters.firstIndex(of: name) else {
                throw TemplateError(.runtime, "\(callee) got an unexpected keyword argument '\(name)'", at: location)
            }
            guard bound[position] == nil else {
                throw TemplateError(.runtime, "\(callee) got multiple values for argument '\(name)'", at: location)
            }
            bound[position] = value
        }
        return bound
    }

    /// Requires that no arguments were passed.
    func expectNone(callee: String, at location: SourceLocation) throws(TemplateError) {
        guard isEmpty else { throw TemplateError(.runtime, "\(callee) takes no arguments", at: location) }
    }
}
