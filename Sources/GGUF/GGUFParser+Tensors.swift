extension GGUFParser {
    /// A parsed tensor info plus where its fields sit in the file, for error messages.
    struct LocatedTensorInfo {
        var info: GGUFTensorInfo
        /// Absolute offset of the tensor's `offset` field.
        var offsetFieldPosition: Int
    }

    /// Reads `count` tensor infos (name, n_dims, dims, type, offset), validating each shape.
    mutating func readTensorInfos(count: Int) throws(GGUFError) -> [LocatedTensorInfo] {
        var infos: [LocatedTensorInfo] = []
        infos.reserveCapacity(count)
        var seenNames = Set<String>(minimumCapacity: count)
        for index in 0..<count {
            let recordOffset = reader.position
            let name = try reader.readString("name of tensor \(index)")
            guard seenNames.insert(name).inserted else {
                throw GGUFError(.duplicateTensor, at: recordOffset, "tensor name '\(name)' appears more than once")
            }
            let shapeOffset = reader.position
            let dimensions = try readDimensions(of: name)
            let elementCount = try Self.elementCount(of: dimensions, tensor: name, at: shapeOffset)

            let typeOffset = reader.position
            let rawType = try reader.read(UInt32.self, "type of tensor '\(name)'")
            guard let type = GGMLType(rawValue: rawType) else {
                throw GGUFError(.unknownTensorType, at: typeOffset, "tensor '\(name)' has unknown ggml type id \(rawType)")
            }
            // ggml stores each row as whole blocks, so the innermost extent must be a
            // multiple of the block size (which also makes the element count one).
            let rowLength = dimensions.first ?? 1
            guard rowLength % type.blockSize == 0 else {
                throw GGUFError(
                    .invalidTensorShape, at: shapeOffset,
                    "tensor '\(name)' of type \(type.name) has innermost dimension \(rowLength), "
                        + "not a multiple of the block size \(type.blockSize)")
            }
            guard let byteCount = type.byteCount(elements: elementCount) else {
                throw GGUFError(
                    .overflow, at: shapeOffset,
                    "tensor '\(name)': \(elementCount) elements of type \(type.name) exceed the addressable size")
            }

            let offsetFieldPosition = reader.position
            let rawOffset = try reader.read(UInt64.self, "data offset of tensor '\(name)'")
            guard let offset = Int(exactly: rawOffset) else {
                throw GGUFError(.overflow, at: offsetFieldPosition, "tensor '\(name)' has data offset \(rawOffset), out of range")
            }
            let info = GGUFTensorInfo(
                name: name, dimensions: dimensions, type: type, offset: offset,
                elementCount: elementCount, byteCount: byteCount)
            infos.append(LocatedTensorInfo(info: info, offsetFieldPosition: offsetFieldPosition))
        }
        return infos
    }

    private mutating func readDimensions(of name: String) throws(GGUFError) -> [Int] {
        let countOffset = reader.position
        let count = try reader.read(UInt32.self, "dimension count of tensor '\(name)'")
        guard count <= GGUFFormat.maxDimensions else {
            throw GGUFError(
                .invalidTensorShape, at: countOffset,
                "tensor '\(name)' has \(count) dimensions; at most \(GGUFFormat.maxDimensions) are supported")
        }
        var dimensions: [Int] = []
        dimensions.reserveCapacity(Int(count))
        for axis in 0..<Int(count) {
            let position = reader.position
            let raw = try reader.read(UInt64.self, "dimension \(axis) of tensor '\(name)'")
            // ggml keeps extents in int64_t, so anything above Int64.max is corrupt.
            guard let extent = Int(exactly: raw) else {
                throw GGUFError(.overflow, at: position, "tensor '\(name)' dimension \(axis) is \(raw), out of range")
            }
            dimensions.append(extent)
        }
        return dimensions
    }

    private static func elementCount(of dimensions: [Int], tensor name: String, at offset: Int) throws(GGUFError) -> Int {
        var product = 1
        for extent in dimensions {
            let (next, overflow) = product.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw GGUFError(
                    .overflow, at: offset,
                    "tensor '\(name)' dimensions \(dimensions) multiply to more than \(Int.max) elements")
            }
            product = next
        }
        return product
    }

    /// The data section starts at the first multiple of `alignment` after the tensor infos.
    func dataSectionOffset(alignment: Int) throws(GGUFError) -> Int {
        let end = reader.position
        let (padded, overflow) = end.addingReportingOverflow(alignment - 1)
        guard !overflow else {
            throw GGUFError(.overflow, at: end, "data section offset overflows with alignment \(alignment)")
        }
        return padded & ~(alignment - 1)
    }

    /// Checks every tensor's offset against the alignment and its bytes against the file size.
    func validateTensorPlacement(
        _ tensors: [LocatedTensorInfo], alignment: Int, dataOffset: Int
    ) throws(GGUFError) {
        let fileSize = reader.bytes.count
        for located in tensors {
            let info = located.info
            guard info.offset % alignment == 0 else {
                throw GGUFError(
                    .misalignedTensor, at: located.offsetFieldPosition,
                    "tensor '\(info.name)' data offset \(info.offset) is not a multiple of the alignment \(alignment)")
            }
            let (start, startOverflow) = dataOffset.addingReportingOverflow(info.offset)
            let (end, endOverflow) = start.addingReportingOverflow(info.byteCount)
            guard !startOverflow, !endOverflow else {
                throw GGUFError(
                    .overflow, at: located.offsetFieldPosition,
                    "tensor '\(info.name)' data range (offset \(info.offset), \(info.byteCount) bytes) overflows")
            }
            guard end <= fileSize else {
                throw GGUFError(
                    .tensorOutOfBounds, at: located.offsetFieldPosition,
                    "tensor '\(info.name)' data [\(start), \(end)) extends past end of file (size \(fileSize))")
            }
        }
    }
}
