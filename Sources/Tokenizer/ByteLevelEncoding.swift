/// GPT-2's reversible byte-to-unicode mapping used by byte-level BPE vocabularies.
///
/// Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for themselves; the remaining 68
/// bytes (controls, space, DEL, NBSP, soft hyphen, …) are assigned U+0100, U+0101, … in byte
/// order. So the space byte 0x20 becomes "Ġ" (U+0120) and newline 0x0A becomes "Ċ" (U+010A).
enum ByteLevelEncoding {
    /// The code point that stands for each byte.
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isSelfMapped(UInt8(byte)) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The UTF-8 encoding of each byte's stand-in code point (one or two bytes).
    static let utf8ForByte: [[UInt8]] = scalarForByte.map { scalar in
        var bytes: [UInt8] = []
        UTF8Coding.append(scalar, to: &bytes)
        return bytes
    }

    /// Inverse mapping indexed by code point (all stand-ins are below U+0144); -1 where the code
    /// point stands for no byte.
    static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in scalarForByte.enumerated() {
            table[Int(scalar)] = Int16(byte)
        }
        return table
    }()

    /// The byte a code point stands for, or nil when it is not part of the mapping.
    static func byte(for scalar: UInt32) -> UInt8? {
        guard scalar < UInt32(byteForScalar.count) else { return nil }
        let byte = byteForScalar[Int(scalar)]
        return byte < 0 ? nil : UInt8(byte)
    }

    private static func isSelfMapped(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }
}

extension Vocabulary {
    /// The text of the byte-level BPE token that stands for `byte` (GPT-2's mapping), for
    /// building byte-level vocabularies such as synthetic test models.
    public static func byteLevelTokenText(_ byte: UInt8) -> String {
        String(decoding: ByteLevelEncoding.utf8ForByte[Int(byte)], as: UTF8.self)
    }
}
