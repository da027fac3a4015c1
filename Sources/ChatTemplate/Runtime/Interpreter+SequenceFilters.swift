/// Filters that walk sequences: `map`, `select` and friends, `sort`,
/// `unique`, `min`/`max`, `sum`, `dictsort`.
extension Interpreter {
    typealias Getter = (Value) throws(TemplateError) -> Value

    /// Jinja's `make_attrgetter`: `attribute` is a dotted path whose numeric
    /// parts index lists; nil means the item itself. Strings are lowercased
    /// when `ignoringCase`.
    func attributeGetter(_ attribute: Value?, ignoringCase: Bool = false, default fallback: Value? = nil,
                         at location: SourceLocation) throws(TemplateError) -> Getter {
        var parts: [Value] = []
        switch attribute {
        case nil, .none?: break
        case .string(let path)?:
            parts = StringOps.split(path, separator: ".").map { part in
                part.unicodeScalars.allSatisfy(PythonCharacters.isDigit) ? (Int(part).map(Value.int) ?? .string(part)) : .string(part)
            }
        case .int(let index)?: parts = [.int(index)]
        case let other?:
            throw TemplateError(.runtime, "attribute must be a string or integer, not \(other.typeName)", at: location)
        }
        return { (item: Value) throws(TemplateError) -> Value in
            var current = item
            for part in parts { current = try self.item(of: current, part, at: location) }
            if let fallback, current.isUndefined { current = fallback }
            if ignoringCase, case .string(let text) = current { return .string(StringOps.lower(text)) }
            return current
        }
    }

    /// A stable merge sort whose comparison may throw.
    func stableSorted(_ items: [Value], by precedes: (Value, Value) throws(TemplateError) -> Bool) throws(TemplateError) -> [Value] {
        guard items.count > 1 else { return items }
        let middle = items.count / 2
        let left = try stableSorted(Array(items[..<middle]), by: precedes)
        let right = try stableSorted(Array(items[middle...]), by: precedes)
        var merged: [Value] = []
        merged.reserveCapacity(items.count)
        var i = 0
        var j = 0
        while i < left.count, j < right.count {
            // Take from the right only when it strictly precedes, which keeps equal items in order.
            if try precedes(right[j], left[i]) {
                merged.append(right[j]); j += 1
            } else {
                merged.append(left[i]); i += 1
            }
        }
        merged += left[i...]
        merged += right[j...]
        return merged
    }

    private func less(_ a: Value, _ b: Value, at location: SourceLocation) throws(TemplateError) -> Bool {
        try Operators.compare(.less, a, b, at: location)
    }

    func sortFilter(_ value: Value, _ bound: [Value?], at location: SourceLocation) throws(TemplateError) -> [Value] {
        let reverse = bound[0]?.isTruthy ?? false
        let key = try attributeGetter(bound[2], ignoringCase: !(bound[1]?.isTruthy ?? false), at: location)
        let items = try iterate(value, at: location)
        let keyed: [Value] = try items.enumerated().map { (pair: (offset: Int, element: Value)) throws(TemplateError) -> Value in
            .list([try key(pair.element), .int(pair.offset)])
        }
        let sorted = try stableSorted(keyed) { (a: Value, b: Value) throws(TemplateError) -> Bool in
            guard case .list(let x) = a, case .list(let y) = b else { return false }
            return reverse ? try less(y[0], x[0], at: location) : try less(x[0], y[0], at: location)
        }
        return sorted.compactMap { entry in
            guard case .list(let pair) = entry, let offset = pair[1].integer else { return nil }
            return items[offset]
        }
    }

    func dictSort(_ value: Value, _ bound: [Value?], at location: SourceLocation) throws(TemplateError) -> Value {
        guard case .dict(let dict) = value else {
            throw TemplateError(.runtime, "dictsort: a mapping is required, not \(value.typeName)", at: location)
        }
        let caseSensitive = bound[0]?.isTruthy ?? false
        let by = bound[1].map(PythonFormatting.str) ?? "key"
        guard by == "key" || by == "value" else {
            throw TemplateError(.runtime, "You can only sort by either \"key\" or \"value\"", at: location)
        }
        let position = by == "key" ? 0 : 1
        let reverse = bound[2]?.isTruthy ?? false
        func sortKey(_ pair: Value) -> Value {
            guard case .tuple(let items) = pair else { return pair }
            if !caseSensitive, case .string(let text) = items[position] { return .string(StringOps.lower(text)) }
            return items[position]
        }
        let pairs: [Value] = dict.pairs.map { .tuple([$0, $1]) }
        return .list(try stableSorted(pairs) { (a: Value, b: Value) throws(TemplateError) -> Bool in
            reverse ? try less(sortKey(b), sortKey(a), at: location) : try less(sortKey(a), sortKey(b), at: location)
        })
    }

    /// Jinja's `map`: an attribute of each item, or a filter applied to each. A falsy input (even `none`) maps to nothing.
    func mapFilter(_ value: Value, _ arguments: Arguments, at location: SourceLocation) throws(TemplateError) -> [Value] {
        guard value.isTruthy else { return [] }
        let items = try iterate(value, at: location)
        if arguments.positional.isEmpty, let attribute = arguments.keyword.first(where: { $0.name == "attribute" })?.value {
            if let extra = arguments.keyword.first(where: { $0.name != "attribute" && $0.name != "default" }) {
                throw TemplateError(.runtime, "Unexpected keyword argument '\(extra.name)'", at: location)
            }
            let fallback = arguments.keyword.first(where: { $0.name == "default" })?.value
            let getter = try attributeGetter(attribute, default: fallback, at: location)
            return try items.map { (item: Value) throws(TemplateError) in try getter(item) }
        }
        guard let filterName = arguments.positional.first else {
            throw TemplateError(.runtime, "map requires a filter argument", at: location)
        }
        let name = PythonFormatting.str(filterName)
        let rest = Arguments(positional: Array(arguments.positional.dropFirst()), keyword: arguments.keyword)
        return try items.map { (item: Value) throws(TemplateError) in try applyFilter(named: name, to: item, rest, at: location) }
    }

    /// `select`, `reject`, `selectattr`, `rejectattr`: keep items whose
    /// (attribute's) test result is true (select) or false (reject). Without a
    /// test name the test is truthiness. A falsy input (even `none`) selects nothing.
    func selectFilter(_ value: Value, name: String, _ arguments: Arguments, at location: SourceLocation) throws(TemplateError) -> [Value] {
        guard value.isTruthy else { return [] }
        let byAttribute = name.hasSuffix("attr")
        let keep = name.hasPrefix("select")
        var positional = arguments.positional
        var getter: Getter = { (item: Value) throws(TemplateError) -> Value in item }
        if byAttribute {
            guard !positional.isEmpty else { throw TemplateError(.runtime, "\(name) requires an attribute name", at: location) }
            getter = try attributeGetter(positional.removeFirst(), at: location)
        }
        let testName = positional.isEmpty ? nil : PythonFormatting.str(positional.removeFirst())
        let testArguments = Arguments(positional: positional, keyword: arguments.keyword)
        var kept: [Value] = []
        for item in try iterate(value, at: location) {
            let subject = try getter(item)
            let passes = try testName.map { (test: String) throws(TemplateError) -> Bool in
                try applyTest(named: test, to: subject, testArguments, at: location)
            } ?? subject.isTruthy
            if passes == keep { kept.append(item) }
        }
        return kept
    }

    func extreme(_ value: Value, wantMax: Bool, _ bound: [Value?], at location: SourceLocation) throws(TemplateError) -> Value {
        let items = try iterate(value, at: location)
        guard var best = items.first else { return .undefined(hint: "No aggregated item, sequence was empty.") }
        let key = try attributeGetter(bound[1], ignoringCase: !(bound[0]?.isTruthy ?? false), at: location)
        var bestKey = try key(best)
        for item in items.dropFirst() {
            let itemKey = try key(item)
            if wantMax ? try less(bestKey, itemKey, at: location) : try less(itemKey, bestKey, at: location) {
                best = item
                bestKey = itemKey
            }
        }
        return best
    }

    func sum(_ value: Value, _ bound: [Value?], at location: SourceLocation) throws(TemplateError) -> Value {
        let getter = try attributeGetter(bound[0], at: location)
        var total = bound[1] ?? .int(0)
        for item in try iterate(value, at: location) {
            total = try Operators.binary(.add, total, try getter(item), limits: limits, at: location)
        }
        return total
    }

    func unique(_ value: Value, _ bound: [Value?], at location: SourceLocation) throws(TemplateError) -> [Value] {
        let key = try attributeGetter(bound[1], ignoringCase: !(bound[0]?.isTruthy ?? false), at: location)
        var seen = Set<HashKey>()
        var kept: [Value] = []
        for item in try iterate(value, at: location) {
            let itemKey = try key(item)
            guard let hashKey = HashKey(itemKey) else {
                throw TemplateError(.runtime, "unhashable type: '\(itemKey.typeName)'", at: location)
            }
            if seen.insert(hashKey).inserted { kept.append(item) }
        }
        return kept
    }
}
