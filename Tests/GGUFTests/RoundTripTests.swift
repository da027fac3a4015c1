import Foundation
import GGUF
import Testing

/// One value of every type, including nested and string arrays.
private let everyValue: [(String, GGUFValue)] = [
    ("v.uint8", .uint8(255)),
    ("v.int8", .int8(-128)),
    ("v.uint16", .uint16(65535)),
    ("v.int16", .int16(-32768)),
    ("v.uint32", .uint32(.max)),
    ("v.int32", .int32(.min)),
    ("v.uint64", .uint64(.max)),
    ("v.int64", .int64(.min)),
    ("v.float32", .float32(-3.25e-7)),
    ("v.float64", .float64(.pi)),
    ("v.bool.true", .bool(true)),
    ("v.bool.false", .bool(false)),
    ("v.string", .string("Grüße, 世界 🌍")),
    ("v.empty_string", .string("")),
    ("v.strings", .array([.string("<|im_start|>"), .string("Ġ t"), .string("")])),
    ("v.floats", .array([.float32(0.5), .float32(-1), .float32(.infinity)])),
    ("v.bools", .array([.bool(false), .bool(true)])),
    ("v.empty_array", .array([])),
    ("v.nested", .array([
        .array([.uint8(1), .uint8(2)]),
        .array([.string("x")]),
        .array([.array([.int64(-1)]), .array([])]),
    ])),
]

/// Deterministic pseudo-random bytes (SplitMix64), so each tensor gets distinct contents.
private func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt8(truncatingIfNeeded: z ^ (z >> 31))
    }
}

/// Tensors of several types and shapes; byte sizes computed by hand from the block layouts.
private let sampleTensors: [(name: String, dimensions: [Int], type: GGMLType, bytes: Int)] = [
    ("token_embd.weight", [64, 3], .q8_0, 2 * 34 * 3),
    ("blk.0.attn_norm.weight", [64], .f32, 256),
    ("blk.0.ffn_up.weight", [32, 5], .q4_1, 5 * 20),
    ("blk.0.ffn_down.weight", [256, 2], .q4_K, 2 * 144),
    ("blk.0.attn_q.weight", [256], .q6_K, 210),
    ("output.weight", [3, 2, 2, 1], .bf16, 24),
    ("empty", [0, 7], .f16, 0),
]

private func makeWriter(version: UInt32, alignment: Int) -> GGUFWriter {
    var writer = GGUFWriter(version: version, alignment: alignment)
    for (key, value) in everyValue {
        writer.set(key, value)
    }
    for (index, tensor) in sampleTensors.enumerated() {
        writer.addTensor(
            name: tensor.name, dimensions: tensor.dimensions, type: tensor.type,
            data: randomBytes(tensor.bytes, seed: UInt64(index)))
    }
    return writer
}

private func checkRoundTrip(_ file: GGUFFile, version: UInt32, alignment: Int) {
    #expect(file.version == version)
    #expect(file.alignment == alignment)
    #expect(file.dataOffset % alignment == 0)
    let expectedKeys = (alignment == 32 ? [] : ["general.alignment"]) + everyValue.map(\.0)
    #expect(file.metadataKeys == expectedKeys)
    for (key, value) in everyValue {
        #expect(file.metadata[key] == value, "\(key)")
    }
    #expect(file.tensors.count == sampleTensors.count)
    for (index, (info, expected)) in zip(file.tensors, sampleTensors).enumerated() {
        #expect(info.name == expected.name)
        #expect(info.dimensions == expected.dimensions)
        #expect(info.type == expected.type)
        #expect(info.byteCount == expected.bytes)
        #expect(info.elementCount == expected.dimensions.reduce(1, *))
        #expect(info.offset % alignment == 0)
        let data = file.tensorData(info)
        #expect(Array(data) == randomBytes(expected.bytes, seed: UInt64(index)), "\(info.name)")
        if let base = data.baseAddress {
            #expect(Int(bitPattern: base) % alignment == 0, "\(info.name) is not aligned in memory")
        }
    }
}

@Suite struct RoundTripTests {
    @Test(arguments: [(UInt32(2), 32), (3, 32), (2, 64), (3, 64), (3, 1)])
    func inMemory(version: UInt32, alignment: Int) throws {
        let bytes = makeWriter(version: version, alignment: alignment).serialize()
        let file = try GGUFFile(bytes: bytes)
        checkRoundTrip(file, version: version, alignment: alignment)
        #expect(file.fileSize == bytes.count)
    }

    @Test func throughAMappedFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.gguf").path
        try makeWriter(version: 3, alignment: 64).write(to: path)
        let file = try GGUFFile(path: path)
        checkRoundTrip(file, version: 3, alignment: 64)
    }

    @Test func tensorDataIsAViewIntoTheFileNotACopy() throws {
        let file = try GGUFFile(bytes: makeWriter(version: 3, alignment: 32).serialize())
        for tensor in file.tensors {
            let view = file.tensorData(tensor)
            let expectedStart = try #require(file.rawBytes.baseAddress) + file.dataOffset + tensor.offset
            #expect(view.baseAddress == UnsafeRawPointer(expectedStart))
            #expect(view.count == tensor.byteCount)
        }
    }

    @Test func writerKeepsInsertionOrderAndReplacesInPlace() throws {
        var writer = GGUFWriter()
        writer.set("b", .uint8(1))
        writer.set("a", .string("first"))
        writer.set("c", .bool(true))
        writer.set("a", .string("second"))
        let file = try GGUFFile(bytes: writer.serialize())
        #expect(file.metadataKeys == ["b", "a", "c"])
        #expect(file.metadata["a"] == .string("second"))
    }

    @Test func alignmentKeyComesFirstAndMayBeRetyped() throws {
        var writer = GGUFWriter(alignment: 64)
        writer.set("general.architecture", .string("llama"))
        writer.set("general.alignment", .uint64(64))
        let file = try GGUFFile(bytes: writer.serialize())
        #expect(file.metadataKeys == ["general.alignment", "general.architecture"])
        #expect(file.metadata["general.alignment"] == .uint64(64))
        #expect(file.alignment == 64)
    }

    @Test func emptyFileHasOnlyHeaderAndPadding() throws {
        let bytes = GGUFWriter().serialize()
        // 24-byte header padded to the 32-byte alignment.
        #expect(bytes == Array("GGUF".utf8) + [3, 0, 0, 0] + [UInt8](repeating: 0, count: 24))
        let file = try GGUFFile(bytes: bytes)
        #expect(file.tensors.isEmpty && file.metadata.isEmpty)
        #expect(file.dataOffset == 32)
    }

    @Test func writerLayoutMatchesHandEncoding() {
        var writer = GGUFWriter()
        writer.set("a", .uint32(7))
        writer.addTensor(name: "t", dimensions: [2], type: .f32, data: [1, 2, 3, 4, 5, 6, 7, 8])
        let expected = bytes(hex: """
            47475546 03000000 0100000000000000 0100000000000000
            0100000000000000 61 04000000 07000000
            0100000000000000 74 01000000 0200000000000000 00000000 0000000000000000
            """) + [UInt8](repeating: 0, count: 96 - 74)
            + [1, 2, 3, 4, 5, 6, 7, 8] + [UInt8](repeating: 0, count: 24)
        #expect(writer.serialize() == expected)
    }

    @Test func lookupByName() throws {
        let file = try GGUFFile(bytes: makeWriter(version: 3, alignment: 32).serialize())
        #expect(file.tensor(named: "blk.0.ffn_up.weight")?.type == .q4_1)
        #expect(file.tensor(named: "missing") == nil)
    }
}
