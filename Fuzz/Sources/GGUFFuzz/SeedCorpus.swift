import GGUF

/// Small valid GGUF files covering every value type, nested arrays, several tensor types,
/// both versions and two alignments.
func seedFiles() -> [(name: String, writer: GGUFWriter)] {
    var seeds: [(String, GGUFWriter)] = []
    seeds.append(("empty-v3.gguf", GGUFWriter()))

    var scalars = GGUFWriter(version: 2)
    scalars.set("general.architecture", .string("llama"))
    scalars.set("u8", .uint8(1))
    scalars.set("i8", .int8(-1))
    scalars.set("u16", .uint16(2))
    scalars.set("i16", .int16(-2))
    scalars.set("u32", .uint32(3))
    scalars.set("i32", .int32(-3))
    scalars.set("u64", .uint64(4))
    scalars.set("i64", .int64(-4))
    scalars.set("f32", .float32(0.5))
    scalars.set("f64", .float64(-0.25))
    scalars.set("bool", .bool(true))
    scalars.set("str", .string("héllo"))
    seeds.append(("scalars-v2.gguf", scalars))

    var arrays = GGUFWriter()
    arrays.set("tokenizer.ggml.tokens", .array([.string("<s>"), .string("Ġa"), .string("")]))
    arrays.set("tokenizer.ggml.token_type", .array([.int32(3), .int32(1), .int32(1)]))
    arrays.set("tokenizer.ggml.scores", .array([.float32(0), .float32(-1), .float32(-2)]))
    arrays.set("nested", .array([.array([.uint8(1)]), .array([.string("x"), .string("y")]), .array([])]))
    seeds.append(("arrays-v3.gguf", arrays))

    var model = GGUFWriter(alignment: 64)
    model.set("general.architecture", .string("llama"))
    model.set("llama.block_count", .uint32(1))
    model.addTensor(name: "token_embd.weight", dimensions: [32, 2], type: .q8_0, data: pattern(68))
    model.addTensor(name: "blk.0.attn_norm.weight", dimensions: [4], type: .f32, data: pattern(16))
    model.addTensor(name: "blk.0.ffn_up.weight", dimensions: [32], type: .q4_1, data: pattern(20))
    model.addTensor(name: "output.weight", dimensions: [2, 2, 1, 1], type: .f16, data: pattern(8))
    model.addTensor(name: "blk.0.ffn_down.weight", dimensions: [256], type: .q4_K, data: pattern(144))
    seeds.append(("model-a64.gguf", model))
    return seeds
}

private func pattern(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
}

/// Writes `seedFiles()` into `directory` (which must exist); returns a process exit code.
func writeSeedCorpus(to directory: String) -> CInt {
    for seed in seedFiles() {
        let path = directory + "/" + seed.name
        do {
            try seed.writer.write(to: path)
        } catch {
            print("cannot write \(path): \(error)")
            return 1
        }
        print("wrote \(path)")
    }
    return 0
}
