/// Everything the header of a GGUF file declares, fully validated against the file's bytes.
struct GGUFLayout: Sendable {
    var version: UInt32
    var alignment: Int
    var dataOffset: Int
    var metadataKeys: [String]
    var metadata: [String: GGUFValue]
    /// Absolute offset of each metadata key's record, for error messages.
    var metadataOffsets: [String: Int]
    var tensors: [GGUFTensorInfo]
}

/// Constants fixed by the GGUF specification and by ggml.
enum GGUFFormat {
    /// `"GGUF"` as the first four bytes of the file.
    static let magic: [UInt8] = [0x47, 0x47, 0x55, 0x46]
    /// Versions with 64-bit counts and lengths. Version 1 used 32-bit ones.
    static let supportedVersions: ClosedRange<UInt32> = 2...3
    /// Data-section alignment when `general.alignment` is absent.
    static let defaultAlignment = 32
    /// The metadata key that overrides `defaultAlignment`.
    static let alignmentKey = "general.alignment"
    /// `GGML_MAX_DIMS`.
    static let maxDimensions = 4
    /// Deepest array-of-array nesting accepted; bounds the parser's recursion.
    static let maxArrayNesting = 32
    /// Bytes of the fixed header: magic, version, tensor count, metadata count.
    static let headerSize = 4 + 4 + 8 + 8
}

/// Parses and validates a GGUF header (metadata and tensor infos) from raw bytes.
///
/// The parser never reads outside `bytes`, never allocates in proportion to a count it has
/// not first checked against the bytes remaining, and reports every problem as a
/// `GGUFError` carrying the absolute offset of the offending field.
struct GGUFParser {
    var reader: ByteReader

    init(_ bytes: UnsafeRawBufferPointer) {
        reader = ByteReader(bytes)
    }

    /// Parses the whole header and checks every tensor against the file size.
    mutating func parse() throws(GGUFError) -> GGUFLayout {
        let version = try readPreamble()
        let tensorCountOffset = reader.position
        let tensorCount = try reader.read(UInt64.self, "tensor count")
        let kvCountOffset = reader.position
        let kvCount = try reader.read(UInt64.self, "metadata key-value count")

        // Smallest possible key-value: empty key (8) + type (4) + one-byte value.
        try reader.checkCount(kvCount, minimumSize: 8 + 4 + 1, at: kvCountOffset, "metadata key-value")
        let (keys, metadata, offsets) = try readMetadata(count: Int(kvCount))

        let alignment = try Self.alignment(in: metadata, at: offsets[GGUFFormat.alignmentKey])

        // Smallest possible tensor info: empty name (8) + n_dims (4) + type (4) + offset (8).
        try reader.checkCount(tensorCount, minimumSize: 8 + 4 + 4 + 8, at: tensorCountOffset, "tensor")
        let infos = try readTensorInfos(count: Int(tensorCount))
        let dataOffset = try dataSectionOffset(alignment: alignment)
        try validateTensorPlacement(infos, alignment: alignment, dataOffset: dataOffset)

        return GGUFLayout(
            version: version, alignment: alignment, dataOffset: dataOffset,
            metadataKeys: keys, metadata: metadata, metadataOffsets: offsets,
            tensors: infos.map(\.info))
    }

    /// Reads `count` key-value records, rejecting duplicate keys.
    private mutating func readMetadata(
        count: Int
    ) throws(GGUFError) -> (keys: [String], values: [String: GGUFValue], offsets: [String: Int]) {
        var keys: [String] = []
        keys.reserveCapacity(count)
        var values: [String: GGUFValue] = [:]
        values.reserveCapacity(count)
        var offsets: [String: Int] = [:]
        offsets.reserveCapacity(count)
        for index in 0..<count {
            let recordOffset = reader.position
            let key = try reader.readString("key of metadata entry \(index)")
            guard offsets[key] == nil else {
                throw GGUFError(.duplicateKey, at: recordOffset, "metadata key '\(key)' appears more than once")
            }
            let type = try readValueType("type of metadata '\(key)'")
            values[key] = try readValue(of: type, for: key, depth: 0)
            keys.append(key)
            offsets[key] = recordOffset
        }
        return (keys, values, offsets)
    }

    /// Checks the magic and returns the (supported) version.
    private mutating func readPreamble() throws(GGUFError) -> UInt32 {
        guard reader.remaining >= GGUFFormat.magic.count else {
            throw GGUFError(
                .truncated, at: 0,
                "file is \(reader.remaining) bytes, too short for the 4-byte GGUF magic")
        }
        let magic = Array(reader.bytes.prefix(GGUFFormat.magic.count))
        guard magic == GGUFFormat.magic else {
            let shown = magic.map { String($0, radix: 16) }.joined(separator: " ")
            throw GGUFError(.badMagic, at: 0, "expected magic 'GGUF' (47 47 55 46), found bytes \(shown)")
        }
        try reader.skip(GGUFFormat.magic.count, "magic")
        let version = try reader.read(UInt32.self, "version")
        guard GGUFFormat.supportedVersions.contains(version) else {
            throw GGUFError(.unsupportedVersion, at: 4, Self.describeUnsupported(version))
        }
        return version
    }

    private static func describeUnsupported(_ version: UInt32) -> String {
        if version == 1 {
            return "GGUF version 1 (32-bit counts) is not supported; only versions 2 and 3 are"
        }
        if GGUFFormat.supportedVersions.contains(version.byteSwapped) {
            return "GGUF version field reads \(version); the file appears to be big-endian, "
                + "which is not supported"
        }
        return "GGUF version \(version) is not supported; only versions 2 and 3 are"
    }

    private mutating func readValueType(_ field: @autoclosure () -> String) throws(GGUFError) -> GGUFValueType {
        let offset = reader.position
        let raw = try reader.read(UInt32.self, field())
        guard let type = GGUFValueType(rawValue: raw) else {
            throw GGUFError(.unknownValueType, at: offset, "\(field()) is \(raw), not a known value type (0...12)")
        }
        return type
    }

    /// Reads one value of `type` belonging to metadata `key`; `depth` counts enclosing arrays.
    private mutating func readValue(
        of type: GGUFValueType, for key: String, depth: Int
    ) throws(GGUFError) -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try reader.read(UInt8.self, "value of '\(key)'"))
        case .int8: return .int8(try reader.read(Int8.self, "value of '\(key)'"))
        case .uint16: return .uint16(try reader.read(UInt16.self, "value of '\(key)'"))
        case .int16: return .int16(try reader.read(Int16.self, "value of '\(key)'"))
        case .uint32: return .uint32(try reader.read(UInt32.self, "value of '\(key)'"))
        case .int32: return .int32(try reader.read(Int32.self, "value of '\(key)'"))
        case .uint64: return .uint64(try reader.read(UInt64.self, "value of '\(key)'"))
        case .int64: return .int64(try reader.read(Int64.self, "value of '\(key)'"))
        case .float32:
            return .float32(Float(bitPattern: try reader.read(UInt32.self, "value of '\(key)'")))
        case .float64:
            return .float64(Double(bitPattern: try reader.read(UInt64.self, "value of '\(key)'")))
        case .bool:
            let byteOffset = reader.position
            let byte = try reader.read(UInt8.self, "value of '\(key)'")
            // The spec allows only 0 and 1; anything else means a corrupt file.
            guard byte <= 1 else {
                throw GGUFError(.invalidValue, at: byteOffset, "bool value of '\(key)' is \(byte), not 0 or 1")
            }
            return .bool(byte == 1)
        case .string:
            return .string(try reader.readString("string value of '\(key)'"))
        case .array:
            return .array(try readArray(for: key, depth: depth))
        }
    }

    private mutating func readArray(for key: String, depth: Int) throws(GGUFError) -> [GGUFValue] {
        let arrayOffset = reader.position
        guard depth < GGUFFormat.maxArrayNesting else {
            throw GGUFError(
                .invalidValue, at: arrayOffset,
                "arrays in '\(key)' are nested more than \(GGUFFormat.maxArrayNesting) levels deep")
        }
        let elementType = try readValueType("element type of array '\(key)'")
        let countOffset = reader.position
        let count = try reader.read(UInt64.self, "element count of array '\(key)'")
        try reader.checkCount(
            count, minimumSize: elementType.minimumEncodedSize, at: countOffset, "array '\(key)' element")
        var elements: [GGUFValue] = []
        elements.reserveCapacity(Int(count))
        for _ in 0..<Int(count) {
            elements.append(try readValue(of: elementType, for: key, depth: depth + 1))
        }
        return elements
    }

    /// Resolves `general.alignment`: absent means the default; present it must be a
    /// non-zero power of two of integer type.
    private static func alignment(
        in metadata: [String: GGUFValue], at offset: Int?
    ) throws(GGUFError) -> Int {
        guard let value = metadata[GGUFFormat.alignmentKey] else { return GGUFFormat.defaultAlignment }
        guard let alignment = value.intValue else {
            throw GGUFError(
                .wrongMetadataType, at: offset,
                "'\(GGUFFormat.alignmentKey)' must be an integer, found \(value.typeName)")
        }
        guard alignment > 0, alignment & (alignment - 1) == 0 else {
            throw GGUFError(
                .invalidAlignment, at: offset,
                "'\(GGUFFormat.alignmentKey)' is \(alignment); it must be a non-zero power of two")
        }
        return alignment
    }
}
