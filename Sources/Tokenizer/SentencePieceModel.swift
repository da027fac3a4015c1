/// SentencePiece-style tokenization as llama.cpp runs it (`tokenizer.ggml.model = "llama"`).
///
/// Spaces become U+2581 ("▁"), the text is cut into UTF-8 characters, and the adjacent pair
/// whose concatenation is the vocabulary entry with the highest score is merged repeatedly (the
/// leftmost pair among equal scores). A final piece that is not in the vocabulary is spelled
/// with byte tokens `<0xXX>`.
struct SentencePieceModel: Sendable {
    private let index: TokenTextIndex
    private let scores: [Float]
    /// Token for each byte: `<0xXX>`, else the token spelled by that single byte, else the
    /// unknown token, else -1 (the byte is dropped).
    private let byteTokens: [Int32]

    /// U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space.
    static let escapedSpace: [UInt8] = [0xE2, 0x96, 0x81]

    init(index: TokenTextIndex, scores: [Float], unknownID: TokenID?) {
        self.index = index
        self.scores = scores
        let hexDigits = Array("0123456789ABCDEF".utf8)
        byteTokens = (0..<256).map { byte in
            let name: [UInt8] = Array("<0x".utf8) + [hexDigits[byte >> 4], hexDigits[byte & 15], UInt8(ascii: ">")]
            return index.token(for: name) ?? index.token(for: [UInt8(byte)]) ?? unknownID ?? -1
        }
    }

    /// Appends the tokens of `text` (a run without special tokens), after prefixing a space when
    /// asked and replacing every space with "▁".
    func encode(_ text: UnsafeBufferPointer<UInt8>, addSpacePrefix: Bool, into output: inout [TokenID]) {
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.count + 3 * 8)
        if addSpacePrefix { escaped.append(contentsOf: Self.escapedSpace) }
        for byte in text {
            if byte == 0x20 { escaped.append(contentsOf: Self.escapedSpace) } else { escaped.append(byte) }
        }
        escaped.withUnsafeBufferPointer { encodeEscaped($0, into: &output) }
    }

    private struct Symbol {
        var start: Int32
        var length: Int32
        var previous: Int32
        var next: Int32
    }

    /// A mergeable adjacent pair; higher score first, then leftmost.
    private struct Candidate: Comparable {
        let score: Float
        let left: Int32
        let right: Int32
        let length: Int32

        static func < (a: Candidate, b: Candidate) -> Bool {
            a.score != b.score ? a.score > b.score : a.left < b.left
        }
    }

    private func encodeEscaped(_ text: UnsafeBufferPointer<UInt8>, into output: inout [TokenID]) {
        guard !text.isEmpty else { return }
        var symbols: [Symbol] = []
        var offset = 0
        while offset < text.count {
            let length = min(UTF8Coding.assumedLength(lead: text[offset]), text.count - offset)
            let position = Int32(symbols.count)
            offset += length
            symbols.append(Symbol(start: Int32(offset - length), length: Int32(length),
                                  previous: position - 1, next: offset == text.count ? -1 : position + 1))
        }
        var queue = PriorityQueue<Candidate>()
        func enqueue(_ left: Int32, _ right: Int32) {
            guard left >= 0, right >= 0 else { return }
            let start = Int(symbols[Int(left)].start)
            let length = Int(symbols[Int(left)].length + symbols[Int(right)].length)
            let piece = UnsafeBufferPointer(rebasing: text[start..<start + length])
            guard let token = index.token(for: piece), Int(token) < scores.count else { return }
            queue.push(Candidate(score: scores[Int(token)], left: left, right: right, length: Int32(length)))
        }
        for position in symbols.indices.dropFirst() {
            enqueue(Int32(position - 1), Int32(position))
        }
        while let candidate = queue.pop() {
            let left = Int(candidate.left), right = Int(candidate.right)
            // Stale when either side was merged away or has grown since the pair was queued.
            guard symbols[left].length > 0, symbols[right].length > 0,
                  symbols[left].length + symbols[right].length == candidate.length
            else { continue }
            symbols[left].length += symbols[right].length
            symbols[right].length = 0
            symbols[left].next = symbols[right].next
            if symbols[right].next >= 0 { symbols[Int(symbols[right].next)].previous = candidate.left }
            enqueue(symbols[left].previous, candidate.left)
            enqueue(candidate.left, symbols[left].next)
        }
        var position: Int32 = 0
        while position >= 0 {
            let symbol = symbols[Int(position)]
            let start = Int(symbol.start)
            let piece = UnsafeBufferPointer(rebasing: text[start..<start + Int(symbol.length)])
            if let token = index.token(for: piece) {
                output.append(token)
            } else {
                for byte in piece where byteTokens[Int(byte)] >= 0 {
                    output.append(byteTokens[Int(byte)])
                }
            }
            position = symbol.next
        }
    }
}
