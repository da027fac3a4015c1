import GGUF
import Testing

// Offsets below are worked out by hand from the layout: the fixed header is 24 bytes
// (magic 0, version 4, tensor count 8, metadata count 16); a key "a" takes 8 + 1 bytes and
// its type id 4 more, so the value of the first key "a" starts at 37.

@Suite struct HeaderValidationTests {
    @Test func wrongMagic() throws {
        var raw = RawGGUF()
        raw.raw(Array("GGML".utf8))
        raw.u32(3)
        raw.u64(0)
        raw.u64(0)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .badMagic)
        #expect(error.offset == 0)
    }

    @Test func fileTooShortForMagic() throws {
        let error = try #require(parseError([0x47, 0x47]))
        #expect(error.kind == .truncated)
        #expect(error.offset == 0)
        #expect(parseError([])?.kind == .truncated)
    }

    @Test(arguments: [UInt32(0), 1, 4, 0xFFFF_FFFF])
    func unsupportedVersions(version: UInt32) throws {
        let error = try #require(parseError(RawGGUF.header(version: version, tensors: 0, kvs: 0).bytes))
        #expect(error.kind == .unsupportedVersion)
        #expect(error.offset == 4)
        #expect(error.message.contains("\(version)"))
    }

    @Test func bigEndianFileIsNamedAsSuch() throws {
        let error = try #require(parseError(RawGGUF.header(version: 0x0300_0000, tensors: 0, kvs: 0).bytes))
        #expect(error.kind == .unsupportedVersion)
        #expect(error.message.contains("big-endian"))
    }

    @Test func versionsTwoAndThreeAreAccepted() throws {
        for version: UInt32 in [2, 3] {
            let file = try GGUFFile(bytes: RawGGUF.header(version: version, tensors: 0, kvs: 0).bytes)
            #expect(file.version == version)
        }
    }

    @Test func truncatedHeader() throws {
        var raw = RawGGUF()
        raw.raw(Array("GGUF".utf8))
        raw.u32(3)
        raw.u32(0)  // half of the tensor count
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .truncated)
        #expect(error.offset == 8)

        let missingKVCount = Array(RawGGUF.header(tensors: 0, kvs: 0).bytes.prefix(19))
        #expect(parseError(missingKVCount)?.offset == 16)
    }

    @Test func truncatedKey() throws {
        var raw = RawGGUF.header(tensors: 0, kvs: 1)
        raw.u64(100)  // the key claims 100 bytes, the file holds 13 more
        raw.raw(Array("abc".utf8) + [UInt8](repeating: 0, count: 10))
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .truncated)
        #expect(error.offset == 24)
    }

    @Test func truncatedValue() throws {
        var raw = RawGGUF.header(tensors: 0, kvs: 1)
        raw.key("a", type: WireType.uint32)
        raw.u16(7)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .truncated)
        #expect(error.offset == 37)
    }

    @Test func truncatedArrayOfNumbers() throws {
        var raw = RawGGUF.header(tensors: 0, kvs: 1)
        raw.key("a", type: WireType.array)
        raw.u32(WireType.uint32)
        raw.u64(3)  // at offset 41
        raw.u32(1)
        raw.u32(2)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .truncated)
        #expect(error.offset == 41)
    }

    @Test func truncatedStringInsideArray() throws {
        var raw = RawGGUF.header(tensors: 0, kvs: 1)
        raw.key("a", type: WireType.array)
        raw.u32(WireType.string)
        raw.u64(2)
        raw.string("ab")  // offsets 49..<59
        raw.u64(5)        // second string claims 5 bytes at offset 59
        raw.raw(Array("xy".utf8))
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .truncated)
        #expect(error.offset == 59)
    }

    @Test func absurdMetadataCountFailsFastWithoutAllocating() throws {
        // 2^62 records of at least 13 bytes overflow 64 bits.
        let huge = try #require(parseError(RawGGUF.header(tensors: 0, kvs: 1 << 62).bytes))
        #expect(huge.kind == .overflow)
        #expect(huge.offset == 16)
        // 2^40 records fit in 64 bits but not in a 24-byte file.
        let large = try #require(parseError(RawGGUF.header(tensors: 0, kvs: 1 << 40).bytes))
        #expect(large.kind == .truncated)
        #expect(large.offset == 16)
    }

    @Test func absurdTensorCountFailsFast() throws {
        let error = try #require(parseError(RawGGUF.header(tensors: 1 << 60, kvs: 0).bytes))
        #expect(error.kind == .overflow)
        #expect(error.offset == 8)
    }

    @Test func arrayByteSizeOverflow() throws {
        var raw = RawGGUF.header(tensors: 0, kvs: 1)
        raw.key("a", type: WireType.array)
        raw.u32(WireType.uint32)
        raw.u64(1 << 62)  // 2^62 * 4 bytes overflows 64 bits
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .overflow)
        #expect(error.offset == 41)
    }

    @Test func unknownValueType() throws {
        var raw = RawGGUF.header(tensors: 0, kvs: 1)
        raw.key("a", type: 13)
        raw.u32(0)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .unknownValueType)
        #expect(error.offset == 33)
    }

    @Test func unknownArrayElementType() throws {
        var raw = RawGGUF.header(tensors: 0, kvs: 1)
        raw.key("a", type: WireType.array)
        raw.u32(99)
        raw.u64(0)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .unknownValueType)
        #expect(error.offset == 37)
    }

    @Test func duplicateKey() throws {
        var raw = RawGGUF.header(tensors: 0, kvs: 2)
        raw.key("a", type: WireType.uint8)
        raw.u8(1)
        raw.key("a", type: WireType.uint8)  // second record starts at 38
        raw.u8(2)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .duplicateKey)
        #expect(error.offset == 38)
        #expect(error.message.contains("'a'"))
    }

    @Test func invalidUTF8InKeyAndValue() throws {
        var key = RawGGUF.header(tensors: 0, kvs: 1)
        key.stringBytes([0x61, 0xFF])
        key.u32(WireType.uint8)
        key.u8(0)
        let keyError = try #require(parseError(key.bytes))
        #expect(keyError.kind == .invalidString)
        #expect(keyError.offset == 32)

        var value = RawGGUF.header(tensors: 0, kvs: 1)
        value.key("a", type: WireType.string)
        value.stringBytes([0x68, 0xC3])  // a lead byte with no continuation
        let valueError = try #require(parseError(value.bytes))
        #expect(valueError.kind == .invalidString)
        #expect(valueError.offset == 45)
    }

    @Test func boolMustBeZeroOrOne() throws {
        var raw = RawGGUF.header(tensors: 0, kvs: 1)
        raw.key("a", type: WireType.bool)
        raw.u8(2)
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .invalidValue)
        #expect(error.offset == 37)
    }

    /// A metadata value "a" made of `levels` arrays, each holding the next, the innermost empty.
    private func nestedArrays(levels: Int) -> [UInt8] {
        var raw = RawGGUF.header(tensors: 0, kvs: 1)
        raw.key("a", type: WireType.array)
        for _ in 1..<levels {
            raw.u32(WireType.array)
            raw.u64(1)
        }
        raw.u32(WireType.uint8)
        raw.u64(0)
        return raw.bytes
    }

    @Test func arrayNestingIsBounded() throws {
        let deepest = try GGUFFile(bytes: nestedArrays(levels: 32))
        #expect(deepest.metadata["a"] != nil)
        let error = try #require(parseError(nestedArrays(levels: 33)))
        #expect(error.kind == .invalidValue)
        // The 33rd array's header, after 32 headers of 12 bytes starting at 37.
        #expect(error.offset == 37 + 12 * 32)
        // Far deeper nesting must fail the same way rather than exhaust the stack.
        #expect(parseError(nestedArrays(levels: 100_000))?.kind == .invalidValue)
    }

    @Test func alignmentMustBeAPowerOfTwo() throws {
        for bad: UInt32 in [0, 48, 3] {
            var raw = RawGGUF.header(tensors: 0, kvs: 1)
            raw.key("general.alignment", type: WireType.uint32)
            raw.u32(bad)
            let error = try #require(parseError(raw.bytes))
            #expect(error.kind == .invalidAlignment, "alignment \(bad)")
            #expect(error.offset == 24)
        }
    }

    @Test func alignmentMustBeAnInteger() throws {
        var raw = RawGGUF.header(tensors: 0, kvs: 1)
        raw.key("general.alignment", type: WireType.string)
        raw.string("32")
        let error = try #require(parseError(raw.bytes))
        #expect(error.kind == .wrongMetadataType)
        #expect(error.offset == 24)
    }

    @Test func descriptionIncludesKindOffsetAndMessage() {
        let error = GGUFError(.truncated, at: 41, "file ends early")
        #expect(error.description == "GGUF truncated at offset 41: file ends early")
        #expect(GGUFError(.missingMetadata, "key 'x' is missing").description == "GGUF missingMetadata: key 'x' is missing")
    }
}
