/// The bytes each token contributes to decoded output, computed once (llama.cpp's
/// `token_to_piece` rules):
/// - unknown, control and user-defined tokens: their text as is (unknown and control tokens
///   only when special tokens are rendered);
/// - normal tokens: BPE maps stand-in characters back to bytes; SentencePiece turns "▁" into
///   a space;
/// - byte tokens `<0xXX>`: that byte;
/// - anything else (unused or untyped tokens): nothing.
struct TokenPieces: Sendable {
    private let storage: [UInt8]
    private let offsets: [Int]
    private let hidden: [Bool]

    init(texts: [[UInt8]], attributes: [TokenAttributes], model: Vocabulary.Model) {
        var storage: [UInt8] = []
        storage.reserveCapacity(texts.reduce(0) { $0 + $1.count })
        var offsets: [Int] = [0]
        offsets.reserveCapacity(texts.count + 1)
        for (text, attribute) in zip(texts, attributes) {
            if !attribute.isDisjoint(with: [.unknown, .control, .userDefined]) {
                storage.append(contentsOf: text)
            } else if attribute.contains(.normal) {
                switch model {
                case .bpe: Self.appendByteLevelDecoding(of: text, to: &storage)
                case .sentencePiece: Self.appendUnescaped(text, to: &storage)
                }
            } else if attribute.contains(.byte), let byte = Self.byteValue(of: text) {
                storage.append(byte)
            }
            offsets.append(storage.count)
        }
        self.storage = storage
        self.offsets = offsets
        self.hidden = attributes.map { !$0.isDisjoint(with: .hiddenByDefault) }
    }

    /// The bytes of `id`, or an empty slice for ids outside the vocabulary.
    func bytes(of id: TokenID, renderSpecial: Bool) -> ArraySlice<UInt8> {
        guard id >= 0, Int(id) < hidden.count, renderSpecial || !hidden[Int(id)] else { return [] }
        return storage[offsets[Int(id)]..<offsets[Int(id) + 1]]
    }

    /// Maps each stand-in character back to its byte. A character outside the mapping is
    /// written the way llama.cpp writes it: `[UNK_BYTE_0x` + its UTF-8 in hex + the token + `]`.
    private static func appendByteLevelDecoding(of text: [UInt8], to output: inout [UInt8]) {
        text.withUnsafeBufferPointer { buffer in
            var index = 0
            while index < buffer.count {
                let (scalar, length) = UTF8Coding.decodeOne(buffer, at: index)
                if let byte = ByteLevelEncoding.byte(for: scalar) {
                    output.append(byte)
                } else {
                    output.append(contentsOf: Array("[UNK_BYTE_0x".utf8))
                    let hexDigits = Array("0123456789abcdef".utf8)
                    for byte in buffer[index..<index + length] {
                        output.append(hexDigits[Int(byte >> 4)])
                        output.append(hexDigits[Int(byte & 15)])
                    }
                    output.append(contentsOf: text)
                    output.append(UInt8(ascii: "]"))
                }
                index += length
            }
        }
    }

    /// Copies `text`, replacing every "▁" (U+2581) with a space.
    private static func appendUnescaped(_ text: [UInt8], to output: inout [UInt8]) {
        let marker = SentencePieceModel.escapedSpace
        var index = 0
        while index < text.count {
            if index + 2 < text.count, text[index] == marker[0], text[index + 1] == marker[1],
               text[index + 2] == marker[2] {
                output.append(0x20)
                index += 3
            } else {
                output.append(text[index])
                index += 1
            }
        }
    }

    /// The value of a byte token such as `<0x0A>`: the hexadecimal digits at offsets 3 and 4
    /// (as many as parse; none parse as 0). Nil when the text is too short to hold them.
    static func byteValue(of text: [UInt8]) -> UInt8? {
        guard text.count > 3 else { return nil }
        var value: UInt8 = 0
        for character in text[3..<min(5, text.count)] {
            guard let digit = hexDigitValue(character) else { break }
            value = value << 4 | digit
        }
        return value
    }

    private static func hexDigitValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
