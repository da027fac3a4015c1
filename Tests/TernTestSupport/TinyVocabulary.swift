import GGUF

/// The byte-level BPE vocabulary of `TinyLlama`, laid out like GPT-2's.
///
/// Ids 0–255 are the single-byte tokens in GPT-2's byte-to-unicode order (the printable bytes
/// `!`…`~`, `¡`…`¬`, `®`…`ÿ` first, then the other 68 bytes in byte order), 256–288 merged
/// tokens, 289 `<|im_start|>` and 290 `<|im_end|>` (control tokens; `<|im_end|>` is EOS).
public enum TinyVocabulary {
    public static let mergedTokens = [
        "Ġt", "Ġa", "he", "Ġthe", "ll",
        "in", "er", "an", "re", "on", "at", "en", "nd", "ti", "es", "or", "te", "of", "ed",
        "is", "it", "al", "ar", "st", "to", "nt", "ng", "se", "ha", "as", "ou", "io", "le",
    ]
    /// Ranked merges, highest priority first; each joins into the merged token of the same index.
    public static let merges = ["Ġ t", "Ġ a", "h e", "Ġt he", "l l"]
        + mergedTokens.dropFirst(5).map { "\($0.first!) \($0.last!)" }

    public static let imStart: Int32 = 289
    public static let imEnd: Int32 = 290

    public static let tokens: [String] = byteOrder.map(standIn) + mergedTokens + ["<|im_start|>", "<|im_end|>"]
    public static let tokenTypes: [Int32] = Array(repeating: 1, count: 256 + mergedTokens.count) + [3, 3]

    /// Bytes in the order of their token ids.
    public static let byteOrder: [UInt8] = {
        let printable = (0...255).map(UInt8.init).filter(isSelfMapped)
        let rest = (0...255).map(UInt8.init).filter { !isSelfMapped($0) }
        return printable + rest
    }()

    /// The single-byte token of `byte`.
    public static func id(ofByte byte: UInt8) -> Int32 { Int32(byteOrder.firstIndex(of: byte)!) }

    /// The id of a merged token.
    public static func id(ofMerged text: String) -> Int32 { Int32(256 + mergedTokens.firstIndex(of: text)!) }

    /// GPT-2's stand-in character for a byte: printable Latin-1 bytes stand for themselves, the
    /// other 68 take U+0100, U+0101, … in byte order (so space is "Ġ", U+0120).
    public static func standIn(_ byte: UInt8) -> String {
        if isSelfMapped(byte) { return String(Unicode.Scalar(byte)) }
        let rank = (0..<byte).filter { !isSelfMapped($0) }.count
        return String(Unicode.Scalar(UInt32(0x100 + rank))!)
    }

    static func isSelfMapped(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || byte >= 0xAE
    }
}
