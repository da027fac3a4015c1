/// Finds special-token texts inside input text, splitting it into literal runs and tokens.
///
/// llama.cpp takes the special tokens longest first and, for each, cuts every not-yet-claimed
/// run of text at that token's occurrences, scanning left to right. This type gives the same
/// result in one pass: it collects every occurrence with a trie, then lets occurrences claim
/// text in that same order (longer tokens first; for one token, leftmost first), skipping any
/// that overlaps text already claimed. Tokens of equal length are taken lowest id first.
struct SpecialTokenMatcher: Sendable {
    /// A piece of the input: bytes to tokenize normally, or a special token.
    enum Fragment: Equatable {
        case text(Range<Int>)
        case token(TokenID)
    }

    private struct Terminal: Sendable {
        let token: TokenID
        let rank: Int32
        /// Control and unknown tokens are only matched when special-token parsing is on;
        /// user-defined tokens always are.
        let needsParseSpecial: Bool
    }

    private var startsMatch = [Bool](repeating: false, count: 256)
    private var edges: [UInt64: Int32] = [:]
    private var terminals: [Terminal?] = [nil]

    /// - Parameters:
    ///   - texts: token texts by id.
    ///   - attributes: token attributes by id; tokens with `matchedInText` attributes are found.
    init(texts: [[UInt8]], attributes: [TokenAttributes]) {
        let candidates = attributes.indices.filter {
            !attributes[$0].isDisjoint(with: .matchedInText) && !texts[$0].isEmpty
        }
        let ordered = candidates.sorted { a, b in
            texts[a].count != texts[b].count ? texts[a].count > texts[b].count : a < b
        }
        for (rank, id) in ordered.enumerated() {
            let needsParseSpecial = !attributes[id].isDisjoint(with: .hiddenByDefault)
            insert(texts[id], as: Terminal(token: TokenID(id), rank: Int32(rank), needsParseSpecial: needsParseSpecial))
        }
    }

    var isEmpty: Bool { edges.isEmpty }

    private mutating func insert(_ text: [UInt8], as terminal: Terminal) {
        startsMatch[Int(text[0])] = true
        var node: Int32 = 0
        for byte in text {
            let key = UInt64(node) << 8 | UInt64(byte)
            if let child = edges[key] {
                node = child
            } else {
                let child = Int32(terminals.count)
                terminals.append(nil)
                edges[key] = child
                node = child
            }
        }
        // A repeated text keeps its first (longest-first, lowest-id) token.
        if terminals[Int(node)] == nil { terminals[Int(node)] = terminal }
    }

    /// Splits `bytes` into text runs and special tokens, in order.
    func partition(_ bytes: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Fragment] {
        guard !bytes.isEmpty else { return [] }
        guard !isEmpty else { return [.text(0..<bytes.count)] }

        struct Occurrence { let rank: Int32; let start: Int; let length: Int; let token: TokenID }
        var occurrences: [Occurrence] = []
        for start in 0..<bytes.count where startsMatch[Int(bytes[start])] {
            var node: Int32 = 0
            var end = start
            while end < bytes.count, let child = edges[UInt64(node) << 8 | UInt64(bytes[end])] {
                node = child
                end += 1
                if let terminal = terminals[Int(node)], parseSpecial || !terminal.needsParseSpecial {
                    occurrences.append(Occurrence(rank: terminal.rank, start: start, length: end - start,
                                                  token: terminal.token))
                }
            }
        }
        guard !occurrences.isEmpty else { return [.text(0..<bytes.count)] }
        occurrences.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.start < $1.start }

        var claimed = [Bool](repeating: false, count: bytes.count)
        var accepted: [Occurrence] = []
        for occurrence in occurrences {
            let range = occurrence.start..<(occurrence.start + occurrence.length)
            guard !range.contains(where: { claimed[$0] }) else { continue }
            for index in range { claimed[index] = true }
            accepted.append(occurrence)
        }
        accepted.sort { $0.start < $1.start }

        var fragments: [Fragment] = []
        var cursor = 0
        for occurrence in accepted {
            if occurrence.start > cursor { fragments.append(.text(cursor..<occurrence.start)) }
            fragments.append(.token(occurrence.token))
            cursor = occurrence.start + occurrence.length
        }
        if cursor < bytes.count { fragments.append(.text(cursor..<bytes.count)) }
        return fragments
    }
}
