/// Appends GGUF primitives, little-endian, to a growing byte array.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A GGUF string: `uint64` byte length, then the UTF-8 bytes.
    mutating func append(string: String) {
        append(UInt64(string.utf8.count))
        bytes.append(contentsOf: string.utf8)
    }

    mutating func append(bytes more: [UInt8]) {
        bytes.append(contentsOf: more)
    }

    /// Zero bytes up to the next multiple of `alignment` (a power of two).
    mutating func pad(toMultipleOf alignment: Int) {
        let padding = (alignment - bytes.count % alignment) % alignment
        bytes.append(contentsOf: repeatElement(0, count: padding))
    }

    /// The value's type id followed by its payload.
    mutating func append(typed value: GGUFValue) {
        append(GGUFValueType(of: value).rawValue)
        append(payloadOf: value)
    }

    /// The value's payload only; arrays carry their element type and count.
    mutating func append(payloadOf value: GGUFValue) {
        switch value {
        case .uint8(let v): append(v)
        case .int8(let v): append(v)
        case .uint16(let v): append(v)
        case .int16(let v): append(v)
        case .uint32(let v): append(v)
        case .int32(let v): append(v)
        case .uint64(let v): append(v)
        case .int64(let v): append(v)
        case .float32(let v): append(v.bitPattern)
        case .float64(let v): append(v.bitPattern)
        case .bool(let v): append(UInt8(v ? 1 : 0))
        case .string(let v): append(string: v)
        case .array(let elements):
            // An empty array has no element to take a type from; uint8 is as good as any.
            let elementType = elements.first.map(GGUFValueType.init(of:)) ?? .uint8
            append(elementType.rawValue)
            append(UInt64(elements.count))
            for element in elements {
                append(payloadOf: element)
            }
        }
    }
}
