/// Builds a complete GGUF file in memory: header, metadata, tensor infos, and tensor data.
///
/// The layout matches what ggml's own writers produce: the data section starts at the next
/// multiple of `alignment` after the tensor infos, tensors follow in the order they were
/// added, and each one is zero-padded to a multiple of `alignment`. When `alignment` is not
/// the default 32, `general.alignment` is recorded as the first metadata key.
///
/// Misuse (an unsupported version, a bad alignment, a heterogeneous array, a duplicate tensor
/// name, data of the wrong size) is a programming error and traps with a message.
public struct GGUFWriter: Sendable {
    private struct PendingTensor: Sendable {
        var name: String
        var dimensions: [Int]
        var type: GGMLType
        var data: [UInt8]
    }

    /// The format version written to the header (2 or 3; they share one layout).
    public let version: UInt32
    /// The data-section alignment used for the layout.
    public let alignment: Int

    private var keys: [String] = []
    private var values: [String: GGUFValue] = [:]
    private var tensors: [PendingTensor] = []
    private var tensorNames: Set<String> = []

    /// Creates an empty file description. `version` must be 2 or 3; `alignment` a non-zero
    /// power of two that fits in `general.alignment`, a `uint32`.
    public init(version: UInt32 = 3, alignment: Int = 32) {
        precondition(GGUFFormat.supportedVersions.contains(version), "GGUF version \(version) cannot be written")
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment \(alignment) is not a power of two")
        precondition(alignment <= UInt32.max, "alignment \(alignment) does not fit in a uint32")
        self.version = version
        self.alignment = alignment
        if alignment != GGUFFormat.defaultAlignment {
            set(GGUFFormat.alignmentKey, .uint32(UInt32(alignment)))
        }
    }

    /// Sets metadata `key` to `value`. New keys are appended in order; replacing an existing
    /// key keeps its original position. Arrays must be homogeneous (nested arrays may each
    /// have their own element type). `general.alignment` may only be set to `alignment`,
    /// since the layout is computed from that.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        precondition(Self.isHomogeneous(value), "metadata '\(key)' holds an array whose elements differ in type")
        precondition(
            key != GGUFFormat.alignmentKey || value.intValue == alignment,
            "'\(key)' must equal the writer's alignment \(alignment); pass the alignment to init instead")
        if values.updateValue(value, forKey: key) == nil {
            keys.append(key)
        }
    }

    /// Appends a tensor. `dimensions` are in GGUF order (innermost first, at most four, the
    /// innermost a whole number of `type.blockSize` blocks); `data.count` must equal
    /// `type.byteCount(elements:)` of their product.
    public mutating func addTensor(name: String, dimensions: [Int], type: GGMLType, data: [UInt8]) {
        precondition(dimensions.count <= GGUFFormat.maxDimensions, "tensor '\(name)' has more than four dimensions")
        precondition(dimensions.allSatisfy { $0 >= 0 }, "tensor '\(name)' has a negative dimension")
        precondition(
            (dimensions.first ?? 1) % type.blockSize == 0,
            "tensor '\(name)' rows of \(dimensions.first ?? 1) are not whole \(type.name) blocks of \(type.blockSize)")
        precondition(tensorNames.insert(name).inserted, "tensor '\(name)' was added twice")
        var elements = 1
        for extent in dimensions {
            let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
            precondition(!overflow, "tensor '\(name)' has more elements than Int can count")
            elements = product
        }
        let expected = type.byteCount(elements: elements)
        precondition(
            expected == data.count,
            "tensor '\(name)' needs \(expected.map(String.init) ?? "a whole number of blocks of") bytes "
                + "for \(elements) \(type.name) elements, got \(data.count)")
        tensors.append(PendingTensor(name: name, dimensions: dimensions, type: type, data: data))
    }

    /// The complete file.
    public func serialize() -> [UInt8] {
        var out = ByteWriter(reservingCapacity: estimatedSize())
        out.append(bytes: Self.header(version: version, alignment: alignment, keys: keys, metadata: values,
                                      tensors: tensors.map { TensorLayout(name: $0.name, dimensions: $0.dimensions, type: $0.type, byteCount: $0.data.count) }))
        for tensor in tensors {
            out.append(bytes: tensor.data)
            out.pad(toMultipleOf: alignment)
        }
        return out.bytes
    }

    /// Where one tensor's data will go, for `header`.
    public struct TensorLayout: Sendable {
        public var name: String
        public var dimensions: [Int]
        public var type: GGMLType
        public var byteCount: Int

        public init(name: String, dimensions: [Int], type: GGMLType, byteCount: Int) {
            self.name = name
            self.dimensions = dimensions
            self.type = type
            self.byteCount = byteCount
        }
    }

    /// The header of a file (magic, counts, metadata in `keys` order, tensor infos, padding) whose
    /// tensor data follows in the order given, each tensor padded to `alignment`: lets a caller
    /// stream tensor data too large to hold in memory at once.
    public static func header(version: UInt32 = 3, alignment: Int = 32, keys: [String], metadata: [String: GGUFValue],
                              tensors: [TensorLayout]) -> [UInt8] {
        var out = ByteWriter(reservingCapacity: 4096 + keys.count * 64 + tensors.count * 96)
        let present = keys.filter { metadata[$0] != nil }
        out.append(bytes: GGUFFormat.magic)
        out.append(version)
        out.append(UInt64(tensors.count))
        out.append(UInt64(present.count))
        for key in present {
            out.append(string: key)
            out.append(typed: metadata[key]!)
        }
        var offset = 0
        for tensor in tensors {
            out.append(string: tensor.name)
            out.append(UInt32(tensor.dimensions.count))
            for extent in tensor.dimensions {
                out.append(UInt64(extent))
            }
            out.append(tensor.type.rawValue)
            out.append(UInt64(offset))
            offset += tensor.byteCount + padding(after: tensor.byteCount, alignment: alignment)
        }
        out.pad(toMultipleOf: alignment)
        return out.bytes
    }

    /// Zero bytes after `count` bytes of data up to the next multiple of `alignment`.
    public static func padding(after count: Int, alignment: Int) -> Int {
        (alignment - count % alignment) % alignment
    }

    /// Serializes and writes the file to `path`, replacing any existing file.
    public func write(to path: String) throws(GGUFError) {
        try SystemIO.writeFile(serialize(), to: path)
    }

    private func padded(_ count: Int) -> Int {
        (count + alignment - 1) & ~(alignment - 1)
    }

    private func estimatedSize() -> Int {
        let data = tensors.reduce(0) { $0 + padded($1.data.count) }
        return 4096 + keys.count * 64 + tensors.count * 96 + data
    }

    private static func isHomogeneous(_ value: GGUFValue) -> Bool {
        guard case .array(let elements) = value else { return true }
        guard let first = elements.first else { return true }
        let type = GGUFValueType(of: first)
        return elements.allSatisfy { GGUFValueType(of: $0) == type && isHomogeneous($0) }
    }
}
