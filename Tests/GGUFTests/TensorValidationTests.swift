import Foundation
import GGUF
import Testing

// Offsets below are worked out by hand: with no metadata, the first tensor info starts at 24;
// a name "w" takes 8 + 1 bytes, so n_dims sits at 33 and the first dimension at 37. With one
// dimension, the type id is at 45 and the data offset field at 49.

private let f32: UInt32 = 0
private let q8_0: UInt32 = 8

@Suite struct TensorValidationTests {
    @Test func truncatedTensorInfo() throws {
        var raw = RawGGUF.header(tensors: 1, kvs: 0)
        raw.string("w")
        raw.u32(2)
        raw.u64(4)
        raw.u32(0)  // half of the second dimension, at offset 45
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .truncated)
        #expect(error.offset == 45)
    }

    @Test func tensorDataPastEndOfFile() throws {
        var raw = RawGGUF.header(tensors: 1, kvs: 0)
        raw.tensorInfo("w", dims: [4], type: f32, offset: 0)  // ends at 57
        raw.pad(to: 32)                                       // data section at 64
        raw.raw([UInt8](repeating: 1, count: 8))              // 8 of the 16 bytes needed
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .tensorOutOfBounds)
        #expect(error.offset == 49)
        #expect(error.message == "tensor 'w' data [64, 80) extends past end of file (size 72)")
    }

    @Test func dataSectionMissingEntirely() throws {
        var raw = RawGGUF.header(tensors: 1, kvs: 0)
        raw.tensorInfo("w", dims: [1], type: f32, offset: 0)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .tensorOutOfBounds)
    }

    @Test func misalignedTensorOffset() throws {
        var raw = RawGGUF.header(tensors: 1, kvs: 0)
        raw.tensorInfo("w", dims: [1], type: f32, offset: 16)
        raw.pad(to: 32)
        raw.raw([UInt8](repeating: 0, count: 32))
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .misalignedTensor)
        #expect(error.offset == 49)
    }

    @Test func offsetsFollowGeneralAlignment() throws {
        // With general.alignment = 16 the same offset 16 is fine.
        var raw = RawGGUF.header(tensors: 1, kvs: 1)
        raw.key("general.alignment", type: WireType.uint32)
        raw.u32(16)
        raw.tensorInfo("w", dims: [1], type: f32, offset: 16)
        raw.pad(to: 16)
        let dataStart = raw.count
        raw.raw([UInt8](repeating: 0, count: 16) + [0, 0, 0x80, 0x3F])  // 1.0 at data offset 16
        let file = try GGUFFile(bytes: raw.bytes)
        #expect(file.alignment == 16)
        #expect(file.dataOffset == dataStart)
        #expect(Array(file.tensorData(file.tensors[0])) == [0, 0, 0x80, 0x3F])
    }

    @Test func duplicateTensorName() throws {
        var raw = RawGGUF.header(tensors: 2, kvs: 0)
        raw.tensorInfo("w", dims: [1], type: f32, offset: 0)   // 24..<57
        raw.tensorInfo("w", dims: [1], type: f32, offset: 32)
        raw.pad(to: 32)
        raw.raw([UInt8](repeating: 0, count: 64))
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .duplicateTensor)
        #expect(error.offset == 57)
        #expect(error.message.contains("'w'"))
    }

    @Test func unknownTensorType() throws {
        var raw = RawGGUF.header(tensors: 1, kvs: 0)
        raw.tensorInfo("w", dims: [32], type: 4, offset: 0)  // id 4 (Q4_2) was removed from ggml
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .unknownTensorType)
        #expect(error.offset == 45)
    }

    @Test func tooManyDimensions() throws {
        var raw = RawGGUF.header(tensors: 1, kvs: 0)
        raw.tensorInfo("w", dims: [1, 1, 1, 1, 1], type: f32, offset: 0)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .invalidTensorShape)
        #expect(error.offset == 33)
    }

    @Test func rowsMustBeWholeBlocks() throws {
        var raw = RawGGUF.header(tensors: 1, kvs: 0)
        raw.tensorInfo("w", dims: [16, 2], type: q8_0, offset: 0)  // 32 elements, but rows of 16
        raw.pad(to: 32)
        raw.raw([UInt8](repeating: 0, count: 64))
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .invalidTensorShape)
        #expect(error.offset == 33)
        #expect(error.message.contains("Q8_0"))
    }

    @Test func dimensionProductOverflow() throws {
        var raw = RawGGUF.header(tensors: 1, kvs: 0)
        raw.tensorInfo("w", dims: [1 << 32, 1 << 32], type: f32, offset: 0)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .overflow)
        #expect(error.offset == 33)
    }

    @Test func dimensionAboveInt64Max() throws {
        var raw = RawGGUF.header(tensors: 1, kvs: 0)
        raw.tensorInfo("w", dims: [1 << 63], type: f32, offset: 0)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .overflow)
        #expect(error.offset == 37)
    }

    @Test func byteCountOverflow() throws {
        var raw = RawGGUF.header(tensors: 1, kvs: 0)
        raw.tensorInfo("w", dims: [1 << 62], type: f32, offset: 0)  // 2^62 floats = 2^64 bytes
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .overflow)
        #expect(error.offset == 33)
    }

    @Test func hugeOffsetDoesNotWrapAround() throws {
        var raw = RawGGUF.header(tensors: 1, kvs: 0)
        // Aligned, representable, but data start 64 + (2^63 - 32) exceeds Int.max.
        raw.tensorInfo("w", dims: [1], type: f32, offset: UInt64(Int.max) - 31)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .overflow)
        #expect(error.offset == 49)
        var above = RawGGUF.header(tensors: 1, kvs: 0)
        above.tensorInfo("w", dims: [1], type: f32, offset: 1 << 63)
        let aboveError = try #require(parseError(above.bytes))
        #expect(aboveError.kind == .overflow)
        #expect(aboveError.offset == 49)
    }

    @Test func invalidUTF8TensorName() throws {
        var raw = RawGGUF.header(tensors: 1, kvs: 0)
        raw.stringBytes([0xC0, 0x80])  // overlong encoding of NUL
        raw.u32(1)
        raw.u64(1)
        raw.u32(f32)
        raw.u64(0)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .invalidString)
        #expect(error.offset == 32)
    }

    @Test func scalarAndEmptyTensorsAreAccepted() throws {
        var raw = RawGGUF.header(tensors: 2, kvs: 0)
        raw.tensorInfo("scalar", dims: [], type: f32, offset: 0)
        raw.tensorInfo("empty", dims: [0, 3], type: q8_0, offset: 32)
        raw.pad(to: 32)
        raw.raw([0, 0, 0x80, 0x3F] + [UInt8](repeating: 0, count: 28))
        let file = try GGUFFile(bytes: raw.bytes)
        #expect(file.tensors.map(\.elementCount) == [1, 0])
        #expect(file.tensors.map(\.byteCount) == [4, 0])
        #expect(file.tensorData(file.tensors[1]).isEmpty)
    }
}

@Suite struct FileAccessTests {
    @Test func missingFileIsAnIOError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            _ = try GGUFFile(path: directory.appendingPathComponent("absent.gguf").path)
            Issue.record("opening a missing file succeeded")
        } catch {
            #expect(error.kind == .io)
            #expect(error.message.contains("absent.gguf"))
        }
        do {
            _ = try GGUFFile(path: directory.path)
            Issue.record("opening a directory succeeded")
        } catch {
            #expect(error.kind == .io)
        }
    }

    @Test func emptyFileIsTruncated() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("empty.gguf").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        do {
            _ = try GGUFFile(path: path)
            Issue.record("an empty file parsed")
        } catch {
            #expect(error.kind == .truncated)
            #expect(error.offset == 0)
        }
    }

    @Test func writingToAnUnwritablePathIsAnIOError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("no/such/dir/x.gguf").path
        #expect(throws: GGUFError.self) { try GGUFWriter().write(to: path) }
    }
}
