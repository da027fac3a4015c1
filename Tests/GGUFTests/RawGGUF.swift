import Foundation
import GGUF

/// Assembles GGUF bytes field by field, written independently of the library's writer, so
/// tests can state expected encodings by hand and build any malformed file they need.
struct RawGGUF {
    private(set) var bytes: [UInt8] = []

    /// Current length, i.e. the offset the next field will start at.
    var count: Int { bytes.count }

    /// Starts a file with the magic, `version`, and the two counts.
    static func header(version: UInt32 = 3, tensors: UInt64, kvs: UInt64) -> RawGGUF {
        var raw = RawGGUF()
        raw.raw(Array("GGUF".utf8))
        raw.u32(version)
        raw.u64(tensors)
        raw.u64(kvs)
        return raw
    }

    mutating func raw(_ more: [UInt8]) { bytes += more }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { littleEndian(UInt64(v), width: 2) }
    mutating func u32(_ v: UInt32) { littleEndian(UInt64(v), width: 4) }
    mutating func u64(_ v: UInt64) { littleEndian(v, width: 8) }
    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }

    /// A GGUF string: 8-byte little-endian length, then the bytes.
    mutating func string(_ s: String) { stringBytes(Array(s.utf8)) }
    mutating func stringBytes(_ b: [UInt8]) {
        u64(UInt64(b.count))
        raw(b)
    }

    /// A metadata record: key, value type id, then the caller appends the value.
    mutating func key(_ name: String, type: UInt32) {
        string(name)
        u32(type)
    }

    /// A tensor info record.
    mutating func tensorInfo(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) {
        string(name)
        u32(UInt32(dims.count))
        dims.forEach { u64($0) }
        u32(type)
        u64(offset)
    }

    /// Zero bytes up to the next multiple of `alignment`.
    mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    private mutating func littleEndian(_ v: UInt64, width: Int) {
        for i in 0..<width { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
}

/// Value type ids from the GGUF spec.
enum WireType {
    static let uint8: UInt32 = 0, int8: UInt32 = 1, uint16: UInt32 = 2, int16: UInt32 = 3
    static let uint32: UInt32 = 4, int32: UInt32 = 5, float32: UInt32 = 6, bool: UInt32 = 7
    static let string: UInt32 = 8, array: UInt32 = 9, uint64: UInt32 = 10, int64: UInt32 = 11
    static let float64: UInt32 = 12
}

/// Decodes a hex string (whitespace ignored) into bytes.
func bytes(hex: String) -> [UInt8] {
    let digits = hex.filter { !$0.isWhitespace }.utf8.map { c -> UInt8 in
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return 0
        }
    }
    return stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// A fresh, empty temporary directory, removed by `cleanup`.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("gguf-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The error that parsing `bytes` raises, or `nil` if they parse.
func parseError(_ bytes: [UInt8]) -> GGUFError? {
    do {
        _ = try GGUFFile(bytes: bytes)
        return nil
    } catch {
        return error
    }
}
