import Tokenizer

/// Small vocabularies built in code, with ids that expected values can be derived from by hand.
enum TestVocabularies {
    // MARK: Byte-level BPE

    /// GPT-2's stand-in character for a byte, written out from its definition: printable
    /// Latin-1 bytes map to themselves, the other 68 bytes to U+0100, U+0101, … in byte order.
    static func standIn(_ byte: UInt8) -> String {
        func selfMapped(_ b: UInt8) -> Bool { (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || b >= 0xAE }
        if selfMapped(byte) { return String(Unicode.Scalar(byte)) }
        let rank = (0..<byte).filter { !selfMapped($0) }.count
        return String(Unicode.Scalar(UInt32(0x100 + rank))!)
    }

    /// Ids 0–6 are special entries, 7…262 the 256 single-byte tokens (byte `b` is id `7 + b`),
    /// 263… the merged tokens below.
    static let bpeSpecials: [(text: String, type: Int32)] = [
        ("<|endoftext|>", 3), ("<|im_start|>", 3), ("<|im_end|>", 3), ("<tool>", 4),
        ("<|a|>", 3), ("@<|a", 3), ("<unused0>", 5),
    ]
    static let bpeMergedTokens = ["Ġt", "he", "Ġthe", "bc", "ab", "aa", "xyz", "qq"]
    /// Ranked merges. "x y" joins into "xy", which is not a token; "xy z" then reaches "xyz".
    static let bpeMerges = ["Ġ t", "h e", "Ġt he", "b c", "a b", "a a", "x y", "xy z"]

    static let theID: TokenID = 265   // "Ġthe"
    static let heID: TokenID = 264    // "he"
    static let bcID: TokenID = 266
    static let aaID: TokenID = 268
    static let xyzID: TokenID = 269
    static let qqID: TokenID = 270

    /// The single-byte token of `byte`.
    static func byteID(_ byte: UInt8) -> TokenID { 7 + TokenID(byte) }
    /// Single-byte tokens spelling `text` byte by byte.
    static func byteIDs(_ text: String) -> [TokenID] { text.utf8.map(byteID) }

    static func byteLevel(
        pre: String = "smollm", bosID: TokenID? = nil, eosID: TokenID? = nil,
        addBOS: Bool? = nil, addEOS: Bool? = nil, extraTokens: [(String, Int32)] = []
    ) -> Vocabulary {
        let all = bpeSpecials + (0...255).map { (standIn(UInt8($0)), Int32(1)) }
            + bpeMergedTokens.map { ($0, Int32(1)) } + extraTokens
        return Vocabulary(model: .bpe, preTokenizer: pre, tokens: all.map(\.0), tokenTypes: all.map(\.1),
                          merges: bpeMerges, bosID: bosID, eosID: eosID, addBOS: addBOS, addEOS: addEOS)
    }

    static func byteLevelTokenizer(pre: String = "smollm") throws -> Tokenizer {
        try Tokenizer(vocabulary: byteLevel(pre: pre, eosID: 0, addBOS: false))
    }

    // MARK: SentencePiece

    /// 0 `<unk>`, 1 `<s>`, 2 `</s>`, 3…258 `<0x00>`…`<0xFF>` (byte `b` is id `3 + b`), then scored
    /// pieces from 259.
    static let spmPieces: [(text: String, score: Float)] = [
        ("▁", -5), ("h", -6), ("e", -6), ("l", -6), ("o", -6), ("a", -6), ("b", -6),
        ("ll", -1), ("he", -2), ("el", -1.5), ("llo", -0.8), ("hello", -0.2), ("ell", -3), ("aa", -1), ("▁b", -2),
    ]
    static let spaceID: TokenID = 259
    static let spmA: TokenID = 264
    static let spmHe: TokenID = 267
    static let spmHello: TokenID = 270
    static let spmAa: TokenID = 272
    static let spmSpaceB: TokenID = 273

    static func spmByteID(_ byte: UInt8) -> TokenID { 3 + TokenID(byte) }

    static func sentencePiece(addSpacePrefix: Bool? = nil, bosID: TokenID? = nil) -> Vocabulary {
        let hex = Array("0123456789ABCDEF")
        let bytes = (0...255).map { "<0x\(hex[$0 >> 4])\(hex[$0 & 15])>" }
        let tokens = ["<unk>", "<s>", "</s>"] + bytes + spmPieces.map(\.text)
        let types: [Int32] = [2, 3, 3] + Array(repeating: 6, count: 256) + Array(repeating: 1, count: spmPieces.count)
        let scores: [Float] = [0, 0, 0] + Array(repeating: 0, count: 256) + spmPieces.map(\.score)
        return Vocabulary(model: .sentencePiece, tokens: tokens, tokenTypes: types, scores: scores,
                          bosID: bosID, eosID: 2, unknownID: 0, addSpacePrefix: addSpacePrefix)
    }
}
