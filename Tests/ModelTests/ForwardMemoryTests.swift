import Foundation
import Kernels
import Model
import TernTestSupport
import Testing

/// Activation buffers are sized for the largest batch but only the rows a batch uses may become
/// resident: a server's token budget is large while most steps decode a handful of tokens.
struct ForwardMemoryTests {
    /// In a child process, so that other tests cannot move its memory. With room for 32,768
    /// tokens the tiny model's buffers take ~120 MiB (logits 32,768 × 291 floats, activations
    /// 32,768 × 640 floats); a few decode steps touch a few KiB of them.
    @Test func unusedBatchRowsStayOutOfResidentMemory() async throws {
        await #expect(processExitsWith: .success) {
            let before = ProcessMemory.residentKiB
            let model = try LanguageModel.load(TinyLlama(weightType: .q8_0), maxBatchTokens: 32_768)
            let kv = model.makeKVStorage(blockCount: 4, blockSize: 4)
            var token: Int32 = 7
            for position in 0..<8 {
                let logits = model.run([token], from: position, blockTable: [0, 1, 2, 3], kv: kv)
                token = Int32(logits[0].indices.max { logits[0][$0] < logits[0][$1] } ?? 0)
            }
            let growth = ProcessMemory.residentKiB - before
            // The model itself is a few hundred KiB; zeroed buffers would add ~120 MiB.
            guard before > 0, growth < 16 * 1024 else { exit(1) }
        }
    }
}
