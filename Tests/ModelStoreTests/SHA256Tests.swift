import Foundation
import ModelStore
import Testing

/// SHA-256 against the FIPS 180-2 example digests and digests computed by Python's hashlib.
@Suite struct SHA256Tests {
    func digest(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    @Test func fipsExamples() {
        #expect(digest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let long = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        #expect(digest(Array(long.utf8)) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    /// One million "a", fed in uneven pieces that straddle the 64-byte blocks.
    @Test func millionAInUnevenChunks() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        let a = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(digest(a) == expected)

        var hasher = SHA256()
        let sizes = [1, 63, 64, 65, 7, 0, 128, 3, 1000, 31, 33]
        var offset = 0, step = 0
        while offset < a.count {
            let size = min(sizes[step % sizes.count], a.count - offset)
            a[offset..<offset + size].withUnsafeBytes { hasher.update($0) }
            offset += size
            step += 1
        }
        #expect(hasher.finalizeHex() == expected)
    }

    /// Lengths around the padding boundaries (55 bytes fit the length in one block, 56 do not).
    @Test(arguments: [
        (55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"),
        (56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"),
        (63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"),
        (64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"),
        (65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"),
        (119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"),
        (120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"),
        (128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        // Bytes 0, 1, 2, … modulo 251.
        let bytes = (0..<length).map { UInt8($0 % 251) }
        #expect(digest(bytes) == expected)
        // Byte by byte gives the same digest.
        var hasher = SHA256()
        for byte in bytes { hasher.update([byte]) }
        #expect(hasher.finalizeHex() == expected)
    }

    @Test func fileDigest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/data.bin"
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try ModelStore.sha256(ofFile: path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(throws: ModelStoreError.self) { try ModelStore.sha256(ofFile: directory.path + "/absent.bin") }
    }
}
