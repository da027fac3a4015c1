/// The description of one tensor in a GGUF file, as validated by the reader.
public struct GGUFTensorInfo: Sendable, Equatable, Hashable {
    /// The tensor's name, e.g. `"blk.0.attn_q.weight"`.
    public let name: String
    /// Extent of each dimension in GGUF (ggml `ne`) order: `dimensions[0]` is the innermost,
    /// contiguous one. For a weight matrix with `rows` rows of `columns` values this is
    /// `[columns, rows]`. At most four entries.
    public let dimensions: [Int]
    /// The element encoding.
    public let type: GGMLType
    /// Byte offset of the tensor's data relative to the start of the data section; a
    /// multiple of the file's alignment.
    public let offset: Int
    /// Product of `dimensions` (1 for a tensor with no dimensions).
    public let elementCount: Int
    /// Bytes occupied by the tensor's data: `type.byteCount(elements: elementCount)`.
    public let byteCount: Int

    /// Creates a tensor description. The reader validates all of these against each other
    /// and the file before handing them out.
    init(name: String, dimensions: [Int], type: GGMLType, offset: Int, elementCount: Int, byteCount: Int) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.offset = offset
        self.elementCount = elementCount
        self.byteCount = byteCount
    }
}
