/// The on-disk metadata value type ids (`enum gguf_type` in the GGUF spec).
enum GGUFValueType: UInt32, Sendable {
    case uint8 = 0
    case int8 = 1
    case uint16 = 2
    case int16 = 3
    case uint32 = 4
    case int32 = 5
    case float32 = 6
    case bool = 7
    case string = 8
    case array = 9
    case uint64 = 10
    case int64 = 11
    case float64 = 12

    /// Encoded size of a fixed-size value, or `nil` for strings and arrays.
    var fixedSize: Int? {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string, .array: return nil
        }
    }

    /// The fewest bytes one value of this type can occupy: a string needs its 8-byte length,
    /// an array its 4-byte element type and 8-byte count. Used to reject absurd counts
    /// before allocating anything.
    var minimumEncodedSize: Int {
        switch self {
        case .string: return 8
        case .array: return 12
        default: return fixedSize ?? 1
        }
    }

    /// The wire type that encodes `value`.
    init(of value: GGUFValue) {
        switch value {
        case .uint8: self = .uint8
        case .int8: self = .int8
        case .uint16: self = .uint16
        case .int16: self = .int16
        case .uint32: self = .uint32
        case .int32: self = .int32
        case .uint64: self = .uint64
        case .int64: self = .int64
        case .float32: self = .float32
        case .float64: self = .float64
        case .bool: self = .bool
        case .string: self = .string
        case .array: self = .array
        }
    }
}
