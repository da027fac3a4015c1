/// A forward-only cursor over raw little-endian bytes. Every read is bounds-checked and
/// reports `.truncated` at the offset where the missing field starts, so a malformed file can
/// never cause an out-of-range access.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    /// Absolute offset of the next byte to read.
    private(set) var position: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Bytes left after `position`.
    var remaining: Int { bytes.count - position }

    /// Reads a little-endian integer of type `T`; `field` names what was being read and is
    /// only evaluated when the read fails.
    @inline(__always)
    mutating func read<T: FixedWidthInteger>(
        _ type: T.Type, _ field: @autoclosure () -> String
    ) throws(GGUFError) -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else {
            throw truncated(field(), needing: size)
        }
        let value = bytes.loadUnaligned(fromByteOffset: position, as: T.self)
        position += size
        return T(littleEndian: value)
    }

    /// Reads a GGUF string: a `uint64` byte length followed by that many UTF-8 bytes (no
    /// terminator). Rejects lengths past the end of the input and invalid UTF-8.
    mutating func readString(_ field: @autoclosure () -> String) throws(GGUFError) -> String {
        let start = position
        let length = try read(UInt64.self, "length of \(field())")
        guard length <= UInt64(remaining) else {
            throw GGUFError(
                .truncated, at: start,
                "\(field()) claims \(length) bytes but only \(remaining) remain in the file")
        }
        let count = Int(length)
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw GGUFError(.invalidString, at: position, "\(field()) is not valid UTF-8")
        }
        position += count
        return string
    }

    /// Checks that `count` items of at least `minimumSize` bytes each could fit in the
    /// remaining input, so callers may then allocate for `count` items. Fails with
    /// `.overflow` when the total size does not fit in 64 bits and with `.truncated` when it
    /// exceeds the bytes left.
    func checkCount(
        _ count: UInt64, minimumSize: Int, at offset: Int, _ what: @autoclosure () -> String
    ) throws(GGUFError) {
        let (total, overflow) = count.multipliedReportingOverflow(by: UInt64(minimumSize))
        guard !overflow else {
            throw GGUFError(
                .overflow, at: offset,
                "\(what()) count \(count) times \(minimumSize) bytes overflows 64 bits")
        }
        guard total <= UInt64(remaining) else {
            throw GGUFError(
                .truncated, at: offset,
                "\(what()) count \(count) needs at least \(total) bytes but only \(remaining) remain")
        }
    }

    /// Moves the cursor forward by `count` bytes, which must be available.
    mutating func skip(_ count: Int, _ field: @autoclosure () -> String) throws(GGUFError) {
        guard count >= 0, count <= remaining else {
            throw truncated(field(), needing: count)
        }
        position += count
    }

    private func truncated(_ field: String, needing size: Int) -> GGUFError {
        GGUFError(
            .truncated, at: position,
            "file ends while reading \(field) (need \(size) bytes, \(remaining) left)")
    }
}
