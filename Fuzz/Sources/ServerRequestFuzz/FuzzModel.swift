import Foundation
import GGUF

/// A one-layer Llama GGUF with pseudo-random weights and a byte-level vocabulary, written to a
/// temporary file so the harness can run a real engine behind the router.
///
/// The weights only need to produce varied tokens (including pieces that are not valid UTF-8
/// alone), so the detokenizer, stop strings and logprob rendering run on fuzzed requests.
enum FuzzModel {
    static let imStart = 256
    static let imEnd = 257
    /// ChatML, so the chat route renders messages through the template engine.
    static let chatTemplate = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"

    /// Writes the model under a fresh temporary directory and returns its path.
    static func write() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tern-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("fuzz.gguf").path
        try writer().write(to: path)
        return path
    }

    static func writer() -> GGUFWriter {
        let e = 64, f = 96, q = 64, kv = 32
        let tokens = (0..<256).map { byteToken(UInt8($0)) } + ["<|im_start|>", "<|im_end|>"]
        let types = [Int32](repeating: 1, count: 256) + [3, 3]   // 1 normal, 3 control
        var writer = GGUFWriter()
        let metadata: [(String, GGUFValue)] = [
            ("general.architecture", .string("llama")),
            ("llama.block_count", .uint32(1)),
            ("llama.embedding_length", .uint32(UInt32(e))),
            ("llama.feed_forward_length", .uint32(UInt32(f))),
            ("llama.attention.head_count", .uint32(4)),
            ("llama.attention.head_count_kv", .uint32(2)),
            ("llama.context_length", .uint32(64)),
            ("llama.rope.freq_base", .float32(10_000)),
            ("llama.attention.layer_norm_rms_epsilon", .float32(1e-5)),
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("gpt-2")),
            ("tokenizer.ggml.tokens", .array(tokens.map { .string($0) })),
            ("tokenizer.ggml.token_type", .array(types.map { .int32($0) })),
            ("tokenizer.ggml.eos_token_id", .uint32(UInt32(imEnd))),
            ("tokenizer.chat_template", .string(chatTemplate)),
        ]
        for (key, value) in metadata { writer.set(key, value) }

        var state: UInt64 = 0x5EED
        func matrix(_ name: String, rows: Int, columns: Int) {
            let scale = (3 / Float(columns)).squareRoot()
            let values = (0..<rows * columns).map { _ -> Float in
                // xorshift64: any varied weights will do.
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
            }
            writer.addTensor(name: name, dimensions: [columns, rows], type: .f32, data: values.withUnsafeBytes { Array($0) })
        }
        func norm(_ name: String) {
            writer.addTensor(name: name, dimensions: [e], type: .f32, data: [Float](repeating: 1, count: e).withUnsafeBytes { Array($0) })
        }
        matrix("token_embd.weight", rows: tokens.count, columns: e)
        norm("blk.0.attn_norm.weight")
        matrix("blk.0.attn_q.weight", rows: q, columns: e)
        matrix("blk.0.attn_k.weight", rows: kv, columns: e)
        matrix("blk.0.attn_v.weight", rows: kv, columns: e)
        matrix("blk.0.attn_output.weight", rows: e, columns: q)
        norm("blk.0.ffn_norm.weight")
        matrix("blk.0.ffn_gate.weight", rows: f, columns: e)
        matrix("blk.0.ffn_up.weight", rows: f, columns: e)
        matrix("blk.0.ffn_down.weight", rows: e, columns: f)
        norm("output_norm.weight")
        return writer
    }

    /// GPT-2's byte-to-unicode map: printable Latin-1 bytes stand for themselves, the other 68
    /// bytes take the code points from U+0100 on, in byte order.
    static func byteToken(_ byte: UInt8) -> String {
        func printable(_ b: UInt8) -> Bool { (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b) }
        if printable(byte) { return String(UnicodeScalar(byte)) }
        let rank = (0..<byte).filter { !printable($0) }.count
        return String(UnicodeScalar(UInt32(256 + rank))!)
    }
}
