import GGUF
import Testing

/// A file written by the reference Python `gguf` package (`GGUFWriter`, little-endian,
/// `add_custom_alignment(64)` with its key moved to the front) from exactly the values that
/// `referenceWriter()` below sets. 960 bytes: the data section starts at 704; tensors sit
/// at data offsets 0, 64 and 128, each zero-padded to 64 bytes.
let pythonReferenceFile = bytes(hex: """
    474755460300000003000000000000001100000000000000110000000000000067656e6572616c2e616c69676e6d656e
    740400000040000000140000000000000067656e6572616c2e6172636869746563747572650800000005000000000000
    006c6c616d610400000000000000742e753800000000c80400000000000000742e6938010000009c0500000000000000
    742e7531360200000060ea0500000000000000742e69313603000000d08a0500000000000000742e7533320400000000
    286bee0500000000000000742e69333205000000006cca880500000000000000742e663332060000000000c03f050000
    0000000000742e7536340a000000000008c5a1d8ccf90500000000000000742e6936340b00000000007c1daf93198305
    00000000000000742e6636340c000000000000000000d0bf0600000000000000742e626f6f6c07000000010500000000
    000000742e737472080000000a0000000000000068c3a96c6c6f20e29c930600000000000000742e7374727309000000
    08000000030000000000000001000000000000006100000000000000000300000000000000c4a0740600000000000000
    742e696e74730900000005000000030000000000000001000000feffffff030000000800000000000000742e6e657374
    656409000000090000000200000000000000050000000200000000000000010000000200000005000000010000000000
    0000030000000500000000000000772e6633320200000003000000000000000200000000000000000000000000000000
    0000000500000000000000772e6631360100000004000000000000000100000040000000000000000400000000000000
    772e71380200000020000000000000000200000000000000080000008000000000000000000000000000000000000000
    00000000000000000000000000000000000000000000000000000000000000000000803f000000400000404000008040
    0000a0400000c04000000000000000000000000000000000000000000000000000000000000000000000000000000000
    003800bc0040ff7b00000000000000000000000000000000000000000000000000000000000000000000000000000000
    00000000000000000000000000000000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
    202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40414243000000000000000000000000
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
    """)

/// The values the reference file was generated from, fed to our writer.
private func referenceWriter() -> GGUFWriter {
    var writer = GGUFWriter(version: 3, alignment: 64)
    writer.set("general.architecture", .string("llama"))
    writer.set("t.u8", .uint8(200))
    writer.set("t.i8", .int8(-100))
    writer.set("t.u16", .uint16(60000))
    writer.set("t.i16", .int16(-30000))
    writer.set("t.u32", .uint32(4_000_000_000))
    writer.set("t.i32", .int32(-2_000_000_000))
    writer.set("t.f32", .float32(1.5))
    writer.set("t.u64", .uint64(18_000_000_000_000_000_000))
    writer.set("t.i64", .int64(-9_000_000_000_000_000_000))
    writer.set("t.f64", .float64(-0.25))
    writer.set("t.bool", .bool(true))
    writer.set("t.str", .string("héllo ✓"))
    writer.set("t.strs", .array([.string("a"), .string(""), .string("Ġt")]))
    writer.set("t.ints", .array([.int32(1), .int32(-2), .int32(3)]))
    writer.set("t.nested", .array([.array([.int32(1), .int32(2)]), .array([.int32(3)])]))
    let f32: [Float] = [1, 2, 3, 4, 5, 6]
    writer.addTensor(name: "w.f32", dimensions: [3, 2], type: .f32, data: f32.flatMap(littleEndianBytes))
    // IEEE half bit patterns of 0.5, -1, 2, 65504.
    writer.addTensor(name: "w.f16", dimensions: [4], type: .f16, data: [0x00, 0x38, 0x00, 0xbc, 0x00, 0x40, 0xff, 0x7b])
    writer.addTensor(name: "w.q8", dimensions: [32, 2], type: .q8_0, data: (0..<68).map { UInt8($0) })
    return writer
}

func littleEndianBytes(_ value: Float) -> [UInt8] {
    let bits = value.bitPattern
    return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
}

@Suite struct ReferenceFileTests {
    @Test func writerOutputIsByteIdenticalToReferenceWriter() {
        let ours = referenceWriter().serialize()
        #expect(ours.count == 960)
        #expect(ours == pythonReferenceFile)
    }

    @Test func readerDecodesReferenceFile() throws {
        let file = try GGUFFile(bytes: pythonReferenceFile)
        #expect(file.version == 3)
        #expect(file.alignment == 64)
        #expect(file.dataOffset == 704)
        #expect(file.metadataKeys == [
            "general.alignment", "general.architecture", "t.u8", "t.i8", "t.u16", "t.i16", "t.u32", "t.i32",
            "t.f32", "t.u64", "t.i64", "t.f64", "t.bool", "t.str", "t.strs", "t.ints", "t.nested",
        ])
        #expect(file.metadata["general.alignment"] == .uint32(64))
        #expect(file.metadata["general.architecture"] == .string("llama"))
        #expect(file.metadata["t.u8"] == .uint8(200))
        #expect(file.metadata["t.i8"] == .int8(-100))
        #expect(file.metadata["t.u16"] == .uint16(60000))
        #expect(file.metadata["t.i16"] == .int16(-30000))
        #expect(file.metadata["t.u32"] == .uint32(4_000_000_000))
        #expect(file.metadata["t.i32"] == .int32(-2_000_000_000))
        #expect(file.metadata["t.f32"] == .float32(1.5))
        #expect(file.metadata["t.u64"] == .uint64(18_000_000_000_000_000_000))
        #expect(file.metadata["t.i64"] == .int64(-9_000_000_000_000_000_000))
        #expect(file.metadata["t.f64"] == .float64(-0.25))
        #expect(file.metadata["t.bool"] == .bool(true))
        #expect(file.metadata["t.str"] == .string("héllo ✓"))
        #expect(try file.requireStringArray("t.strs") == ["a", "", "Ġt"])
        #expect(file.metadata["t.ints"]?.intArray == [1, -2, 3])
        #expect(file.metadata["t.nested"] == .array([.array([.int32(1), .int32(2)]), .array([.int32(3)])]))

        #expect(file.tensors.map(\.name) == ["w.f32", "w.f16", "w.q8"])
        #expect(file.tensors.map(\.dimensions) == [[3, 2], [4], [32, 2]])
        #expect(file.tensors.map(\.type) == [.f32, .f16, .q8_0])
        #expect(file.tensors.map(\.offset) == [0, 64, 128])
        #expect(file.tensors.map(\.elementCount) == [6, 4, 64])
        #expect(file.tensors.map(\.byteCount) == [24, 8, 68])

        let f16 = try #require(file.tensor(named: "w.f16"))
        #expect(Array(file.tensorData(f16)) == [0x00, 0x38, 0x00, 0xbc, 0x00, 0x40, 0xff, 0x7b])
        let q8 = try #require(file.tensor(named: "w.q8"))
        #expect(Array(file.tensorData(q8)) == (0..<68).map { UInt8($0) })
        let f32 = try #require(file.tensor(named: "w.f32"))
        let floats = file.tensorData(f32).withMemoryRebound(to: Float.self) { Array($0) }
        #expect(floats == [1, 2, 3, 4, 5, 6])
    }
}
