/// A metadata value from a GGUF file.
///
/// Each case corresponds to one on-disk value type (`gguf_type`). Arrays may nest; the writer
/// requires every element of one array to have the same case (GGUF arrays are homogeneous).
public enum GGUFValue: Sendable, Equatable, Hashable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case uint64(UInt64)
    case int64(Int64)
    case float32(Float)
    case float64(Double)
    case bool(Bool)
    case string(String)
    case array([GGUFValue])
}

extension GGUFValue {
    /// The value of any integer case as `Int`; `nil` for other cases and for a `uint64`
    /// above `Int.max`.
    public var intValue: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return Int(exactly: v)
        case .int64(let v): return Int(v)
        case .float32, .float64, .bool, .string, .array: return nil
        }
    }

    /// The value of any numeric case (integer or floating point) as `Double`; `nil` for
    /// bools, strings and arrays. Large 64-bit integers round to the nearest `Double`.
    public var floatValue: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        case .uint64(let v): return Double(v)
        case .int64(let v): return Double(v)
        default: return intValue.map(Double.init)
        }
    }

    /// The payload of `.string`, else `nil`.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The payload of `.bool`, else `nil`.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements of `.array`, else `nil`.
    public var arrayValue: [GGUFValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The elements of an array whose elements are all strings; `nil` otherwise.
    public var stringArray: [String]? { mapArray(\.stringValue) }

    /// The elements of an array whose elements are all numeric, converted to `Float`;
    /// `nil` otherwise.
    public var floatArray: [Float]? { mapArray { $0.floatValue.map(Float.init) } }

    /// The elements of an array whose elements are all integers that fit in `Int`;
    /// `nil` otherwise.
    public var intArray: [Int]? { mapArray(\.intValue) }

    /// The GGUF spelling of this value's type, e.g. `"uint32"`, `"array<string>"`; used in
    /// error messages.
    public var typeName: String {
        switch self {
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .uint16: return "uint16"
        case .int16: return "int16"
        case .uint32: return "uint32"
        case .int32: return "int32"
        case .uint64: return "uint64"
        case .int64: return "int64"
        case .float32: return "float32"
        case .float64: return "float64"
        case .bool: return "bool"
        case .string: return "string"
        case .array(let elements):
            return "array<\(elements.first?.typeName ?? "empty")>"
        }
    }

    private func mapArray<T>(_ transform: (GGUFValue) -> T?) -> [T]? {
        guard case .array(let elements) = self else { return nil }
        var result: [T] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let converted = transform(element) else { return nil }
            result.append(converted)
        }
        return result
    }
}
