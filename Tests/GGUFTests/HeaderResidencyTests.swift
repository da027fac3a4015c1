import Foundation
import GGUF
import TernTestSupport
import Testing

/// Once parsed, a file's header is held as Swift values; the mapped header pages (megabytes for
/// a large vocabulary) must not stay resident beside the weights.
struct HeaderResidencyTests {
    /// A 32 MiB string value: parsing reads every byte of it through the mapping. In a child
    /// process, so other tests cannot move its memory.
    @Test func parsedHeaderPagesAreReleased() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var raw = RawGGUF.header(tensors: 0, kvs: 1)
        raw.key("big", type: WireType.string)
        raw.stringBytes([UInt8](repeating: UInt8(ascii: "a"), count: 32 << 20))
        raw.pad(to: 32)
        let path = directory.appendingPathComponent("big-header.gguf").path
        try Data(raw.bytes).write(to: URL(fileURLWithPath: path))

        await #expect(processExitsWith: .success) { [path = path as String] in
            let before = ProcessMemory.kiB("RssFile")
            let file = try GGUFFile(path: path)
            let growth = ProcessMemory.kiB("RssFile") - before
            // Kept, the header pages would add 32 MiB of file-backed memory.
            guard before >= 0, file.metadata["big"]?.stringValue?.utf8.count == 32 << 20, growth < 4 * 1024 else { exit(1) }
        }
    }
}
