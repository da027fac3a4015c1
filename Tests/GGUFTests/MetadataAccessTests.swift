import GGUF
import Testing

@Suite struct ValueAccessorTests {
    @Test func intValueAcceptsEveryIntegerType() {
        #expect(GGUFValue.uint8(200).intValue == 200)
        #expect(GGUFValue.int8(-5).intValue == -5)
        #expect(GGUFValue.uint16(60000).intValue == 60000)
        #expect(GGUFValue.int16(-300).intValue == -300)
        #expect(GGUFValue.uint32(4_000_000_000).intValue == 4_000_000_000)
        #expect(GGUFValue.int32(-7).intValue == -7)
        #expect(GGUFValue.uint64(1 << 40).intValue == 1 << 40)
        #expect(GGUFValue.int64(.min).intValue == Int.min)
    }

    @Test func intValueRejectsNonIntegersAndUnrepresentable() {
        #expect(GGUFValue.uint64(.max).intValue == nil)
        #expect(GGUFValue.float32(1).intValue == nil)
        #expect(GGUFValue.bool(true).intValue == nil)
        #expect(GGUFValue.string("1").intValue == nil)
    }

    @Test func floatValueAcceptsEveryNumber() {
        #expect(GGUFValue.float32(1e-5).floatValue == Double(Float(1e-5)))
        #expect(GGUFValue.float64(0.1).floatValue == 0.1)
        #expect(GGUFValue.uint32(10_000).floatValue == 10_000)
        #expect(GGUFValue.int8(-3).floatValue == -3)
        #expect(GGUFValue.uint64(.max).floatValue == 18_446_744_073_709_551_616.0)
        #expect(GGUFValue.string("1.0").floatValue == nil)
        #expect(GGUFValue.bool(false).floatValue == nil)
    }

    @Test func scalarPayloads() {
        #expect(GGUFValue.string("llama").stringValue == "llama")
        #expect(GGUFValue.uint8(1).stringValue == nil)
        #expect(GGUFValue.bool(true).boolValue == true)
        #expect(GGUFValue.uint8(1).boolValue == nil)
        #expect(GGUFValue.array([.bool(true)]).arrayValue == [.bool(true)])
        #expect(GGUFValue.string("x").arrayValue == nil)
    }

    @Test func typedArrays() {
        let strings = GGUFValue.array([.string("a"), .string("b")])
        #expect(strings.stringArray == ["a", "b"])
        #expect(strings.intArray == nil)
        let ints = GGUFValue.array([.int32(3), .int32(-1)])
        #expect(ints.intArray == [3, -1])
        #expect(ints.floatArray == [3, -1])
        #expect(ints.stringArray == nil)
        let floats = GGUFValue.array([.float32(0.5), .float32(2)])
        #expect(floats.floatArray == [0.5, 2])
        #expect(floats.intArray == nil)
        #expect(GGUFValue.array([]).stringArray == [])
        #expect(GGUFValue.string("a").stringArray == nil)
    }

    @Test func typeNames() {
        #expect(GGUFValue.uint32(1).typeName == "uint32")
        #expect(GGUFValue.array([.string("a")]).typeName == "array<string>")
        #expect(GGUFValue.array([]).typeName == "array<empty>")
    }
}

@Suite struct RequireMetadataTests {
    private func sampleFile() throws -> GGUFFile {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("llama.block_count", .uint32(30))
        writer.set("llama.rope.freq_base", .float32(100_000))
        writer.set("tokenizer.ggml.tokens", .array([.string("<s>"), .string("a")]))
        writer.set("tokenizer.ggml.token_type", .array([.int32(3), .int32(1)]))
        writer.set("tokenizer.ggml.scores", .array([.float32(0), .float32(-1.5)]))
        writer.set("tokenizer.ggml.add_bos_token", .bool(true))
        writer.set("huge", .uint64(.max))
        return try GGUFFile(bytes: writer.serialize())
    }

    @Test func presentValuesOfTheRightType() throws {
        let file = try sampleFile()
        #expect(try file.requireString("general.architecture") == "llama")
        #expect(try file.requireInt("llama.block_count") == 30)
        #expect(try file.requireFloat("llama.rope.freq_base") == 100_000)
        #expect(try file.requireFloat("llama.block_count") == 30)
        #expect(try file.requireStringArray("tokenizer.ggml.tokens") == ["<s>", "a"])
        #expect(try file.requireIntArray("tokenizer.ggml.token_type") == [3, 1])
        #expect(try file.requireFloatArray("tokenizer.ggml.scores") == [0, -1.5])
        #expect(try file.requireBool("tokenizer.ggml.add_bos_token"))
    }

    @Test func missingKeyIsNamed() throws {
        let file = try sampleFile()
        do {
            _ = try file.requireInt("llama.context_length")
            Issue.record("missing key did not throw")
        } catch {
            #expect(error.kind == .missingMetadata)
            #expect(error.message.contains("'llama.context_length'"))
        }
    }

    @Test func wrongTypeIsNamedWithItsLocation() throws {
        let file = try sampleFile()
        do {
            _ = try file.requireInt("general.architecture")
            Issue.record("wrong type did not throw")
        } catch {
            #expect(error.kind == .wrongMetadataType)
            #expect(error.message.contains("'general.architecture'"))
            #expect(error.message.contains("string"))
            // The first key record follows the 24-byte header.
            #expect(error.offset == 24)
        }
    }

    @Test func otherWrongTypes() throws {
        let file = try sampleFile()
        #expect(errorKind { _ = try file.requireInt("huge") } == .wrongMetadataType)
        #expect(errorKind { _ = try file.requireString("llama.block_count") } == .wrongMetadataType)
        #expect(errorKind { _ = try file.requireFloat("general.architecture") } == .wrongMetadataType)
        #expect(errorKind { _ = try file.requireStringArray("tokenizer.ggml.token_type") } == .wrongMetadataType)
        #expect(errorKind { _ = try file.requireIntArray("tokenizer.ggml.tokens") } == .wrongMetadataType)
        #expect(errorKind { _ = try file.requireFloatArray("general.architecture") } == .wrongMetadataType)
        #expect(errorKind { _ = try file.requireBool("llama.block_count") } == .wrongMetadataType)
    }
}

/// The kind of error `body` throws, or `nil` if it returns normally.
private func errorKind(_ body: () throws -> Void) -> GGUFError.Kind? {
    do {
        try body()
        return nil
    } catch {
        return (error as? GGUFError)?.kind
    }
}
