/// A string key compared and hashed by its exact code points, as Python
/// does (Swift's `String` equality uses canonical equivalence instead).
struct ExactString: Hashable {
    let value: String

    static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        lhs.value.utf8.elementsEqual(rhs.value.utf8)
    }

    func hash(into hasher: inout Hasher) {
        for byte in value.utf8 { hasher.combine(byte) }
        hasher.combine(0xFF as UInt8)
    }
}

/// A hashable form of a Python dict key; `True`, `1` and `1.0` are the same key, as in Python.
enum HashKey: Hashable {
    case none
    case int(Int)
    case double(UInt64)
    case string(ExactString)
    case tuple([HashKey])

    init?(_ value: Value) {
        switch value.unmarked {
        case .none: self = .none
        case .bool(let flag): self = .int(flag ? 1 : 0)
        case .int(let number): self = .int(number)
        case .double(let number):
            if number.rounded() == number, let exact = Int(exactly: number) {
                self = .int(exact)
            } else {
                self = .double(number.isNaN ? Double.nan.bitPattern : number.bitPattern)
            }
        case .string(let text): self = .string(ExactString(value: text))
        case .tuple(let items):
            var keys: [HashKey] = []
            for item in items {
                guard let key = HashKey(item) else { return nil }
                keys.append(key)
            }
            self = .tuple(keys)
        default: return nil
        }
    }
}

/// A Python dict: insertion-ordered, keyed by hashable values.
struct Dict {
    private(set) var keys: [Value] = []
    private(set) var values: [Value] = []
    private var index: [HashKey: Int] = [:]

    init() {}

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    /// Key/value pairs in insertion order.
    var pairs: Zip2Sequence<[Value], [Value]> { zip(keys, values) }

    /// Stores `value` under `key`; an existing key keeps its position. Fails for unhashable keys.
    @discardableResult
    mutating func set(_ key: Value, _ value: Value) -> Bool {
        guard let hashKey = HashKey(key) else { return false }
        if let position = index[hashKey] {
            values[position] = value
        } else {
            index[hashKey] = keys.count
            keys.append(key)
            values.append(value)
        }
        return true
    }

    mutating func set(_ key: String, _ value: Value) {
        set(.string(key), value)
    }

    func get(_ key: Value) -> Value? {
        guard let hashKey = HashKey(key), let position = index[hashKey] else { return nil }
        return values[position]
    }

    func get(_ key: String) -> Value? {
        guard let position = index[.string(ExactString(value: key))] else { return nil }
        return values[position]
    }
}
