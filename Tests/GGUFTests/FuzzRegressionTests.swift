import GGUF
import Testing

/// Inputs found by the fuzzer (see Fuzz/README.md), kept so their behavior stays pinned.
@Suite struct FuzzRegressionTests {
    /// A metadata-only file whose `general.alignment` is 2^30. Such an alignment is legal,
    /// and it puts the (empty) data section far past the end of the file. The reference
    /// Python reader reports the same alignment and data offset, 1073741824. Rewriting this
    /// file used to make the harness pad a 1 GiB buffer; the reader itself must accept it.
    @Test func hugeAlignmentWithoutTensors() throws {
        let input = bytes(hex: """
            474755460300000000000000000000000300000000000000110000000000
            000067656e6572616c2e616c69676e6d656e740400000000000040140000
            00000000007455460300000000006f6b656e474755460300000000000000
            000000000000000000000000000000000000000000
            """)
        let file = try GGUFFile(bytes: input)
        #expect(file.alignment == 1 << 30)
        #expect(file.dataOffset == 1 << 30)
        #expect(file.tensors.isEmpty)
        #expect(file.metadataKeys == ["general.alignment", "tUF\u{3}\0\0\0\0\0okenGGUF\u{3}\0\0", ""])
        #expect(file.metadata["general.alignment"] == .uint32(1 << 30))
        #expect(file.metadata[""] == .uint8(0))
    }
}
