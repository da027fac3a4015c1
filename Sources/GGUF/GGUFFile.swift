/// A parsed, validated GGUF file (versions 2 and 3, little-endian).
///
/// Opening a file maps it read-only and parses only the header: metadata and tensor infos.
/// Tensor bytes are never copied; `tensorData(_:)` returns views into the mapping, which
/// stays alive as long as this object does.
///
/// Every structural property is checked up front, so once an instance exists all tensors lie
/// within the file, are aligned, have whole-block rows, and have unique names.
public final class GGUFFile: Sendable {
    /// The format version, 2 or 3.
    public let version: UInt32
    /// Data-section alignment in bytes: `general.alignment`, or 32 when absent.
    public let alignment: Int
    /// Absolute file offset where the data section (the first tensor's base) starts.
    public let dataOffset: Int
    /// Total size of the file in bytes.
    public let fileSize: Int
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// All metadata values by key.
    public let metadata: [String: GGUFValue]
    /// Tensor descriptions in file order.
    public let tensors: [GGUFTensorInfo]

    private let storage: FileBytes
    private let tensorIndex: [String: Int]
    let metadataOffsets: [String: Int]

    /// Maps the file at `path` (`PROT_READ`, `MAP_PRIVATE`) and parses its header.
    ///
    /// Throws `.io` when the file cannot be opened or mapped, and any parse error otherwise.
    public convenience init(path: String) throws(GGUFError) {
        try self.init(storage: FileBytes(mapping: path))
    }

    /// Parses a GGUF file held in memory. The bytes are copied once into a page-aligned
    /// buffer owned by the new instance.
    public convenience init(bytes: [UInt8]) throws(GGUFError) {
        try self.init(storage: FileBytes(copying: bytes))
    }

    private init(storage: FileBytes) throws(GGUFError) {
        var parser = GGUFParser(storage.bytes)
        let layout = try parser.parse()
        self.storage = storage
        version = layout.version
        alignment = layout.alignment
        dataOffset = layout.dataOffset
        fileSize = storage.bytes.count
        metadataKeys = layout.metadataKeys
        metadata = layout.metadata
        metadataOffsets = layout.metadataOffsets
        tensors = layout.tensors
        var index: [String: Int] = [:]
        index.reserveCapacity(layout.tensors.count)
        for (position, tensor) in layout.tensors.enumerated() {
            index[tensor.name] = position
        }
        tensorIndex = index
        // The header has been copied into `metadata` and `tensors`; its pages (megabytes for a
        // large vocabulary) need not stay resident beside the weights.
        storage.releasePages(upTo: dataOffset)
    }

    /// The tensor called `name`, or `nil` if the file has none.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The bytes of `tensor`, `tensor.byteCount` long, viewed in place (no copy).
    ///
    /// The view is valid only while this `GGUFFile` is alive. `tensor` must come from this
    /// file's `tensors`; passing another file's tensor info is a programming error.
    public func tensorData(_ tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        let (start, overflow) = dataOffset.addingReportingOverflow(tensor.offset)
        precondition(
            !overflow && tensor.offset >= 0 && tensor.byteCount >= 0 && start <= fileSize
                && tensor.byteCount <= fileSize - start,
            "tensor '\(tensor.name)' does not belong to this GGUF file")
        return UnsafeRawBufferPointer(rebasing: storage.bytes[start..<(start + tensor.byteCount)])
    }

    /// The complete file contents, valid while this `GGUFFile` is alive.
    public var rawBytes: UnsafeRawBufferPointer { storage.bytes }
}
