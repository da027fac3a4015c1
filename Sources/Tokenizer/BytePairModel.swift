/// Byte-level BPE as llama.cpp runs it (`tokenizer.ggml.model = "gpt2"`).
///
/// Text is split into words by the pre-tokenizer; each word's bytes are replaced by their GPT-2
/// stand-in characters, and within a word the adjacent pair with the best (lowest) merge rank
/// is merged repeatedly, the leftmost pair first among equals. Symbols are numbered strings, so
/// the merge loop compares integers only: a merge maps a (left, right) symbol pair to its rank
/// and to the symbol of the joined string.
struct BytePairModel: Sendable {
    private struct Merge: Sendable {
        let rank: Int32
        let result: Int32
    }

    private let index: TokenTextIndex
    private let merges: [UInt64: Merge]
    /// Symbol of each byte's stand-in character.
    private let byteSymbols: [Int32]
    /// Token whose text is exactly the one raw byte, or -1 (llama.cpp's last-resort fallback).
    private let singleByteTokens: [Int32]
    private let preTokenizer: PreTokenizer

    /// Builds the merge table. `index` holds the token texts; merge halves that are not tokens
    /// are added to it. A merge string splits at its first space after the first byte; when a
    /// pair occurs twice, its first (best) rank counts.
    init(index: TokenTextIndex, merges mergeStrings: [String], preTokenizer: PreTokenizer) {
        var index = index
        var merges: [UInt64: Merge] = [:]
        merges.reserveCapacity(mergeStrings.count)
        for (rank, mergeString) in mergeStrings.enumerated() {
            let bytes = Array(mergeString.utf8)
            // Both halves must be non-empty for the pair to ever match.
            guard bytes.count >= 3, let space = bytes[1...].firstIndex(of: 0x20), space + 1 < bytes.count
            else { continue }
            let left = index.intern(bytes[..<space])
            let right = index.intern(bytes[(space + 1)...])
            var joined = Array(bytes[..<space])
            joined.append(contentsOf: bytes[(space + 1)...])
            let result = index.intern(joined)
            let key = Self.pairKey(left, right)
            if merges[key] == nil {
                merges[key] = Merge(rank: Int32(truncatingIfNeeded: rank), result: result)
            }
        }
        byteSymbols = ByteLevelEncoding.utf8ForByte.map { index.intern($0) }
        singleByteTokens = (0..<256).map { byte in index.token(for: [UInt8(byte)]) ?? -1 }
        self.index = index
        self.merges = merges
        self.preTokenizer = preTokenizer
    }

    /// Appends the tokens of a run of text containing no special tokens.
    func encode(_ text: UnsafeBufferPointer<UInt8>, into output: inout [TokenID]) {
        guard !text.isEmpty else { return }
        let (scalars, offsets) = UTF8Coding.decode(text)
        let words = preTokenizer.wordRanges(scalars: scalars, classes: ScalarClass.classes(of: scalars))
        var scratch = Scratch()
        for word in words {
            let bytes = UnsafeBufferPointer(rebasing: text[offsets[word.lowerBound]..<offsets[word.upperBound]])
            encodeWord(bytes, into: &output, scratch: &scratch)
        }
    }

    /// Working storage reused across the words of one call.
    private struct Scratch {
        var symbols: [Int32] = []
        var previous: [Int32] = []
        var next: [Int32] = []
        var queue = PriorityQueue<Candidate>()
        var mapped: [UInt8] = []
    }

    /// A mergeable adjacent pair; ordered by rank, then by position.
    private struct Candidate: Comparable {
        let rank: Int32
        let left: Int32
        let leftSymbol: Int32
        let rightSymbol: Int32
        let result: Int32

        static func < (a: Candidate, b: Candidate) -> Bool {
            a.rank != b.rank ? a.rank < b.rank : a.left < b.left
        }
    }

    private func encodeWord(_ word: UnsafeBufferPointer<UInt8>, into output: inout [TokenID], scratch: inout Scratch) {
        if preTokenizer.skipsMergesForKnownWords {
            scratch.mapped.removeAll(keepingCapacity: true)
            for byte in word { scratch.mapped.append(contentsOf: ByteLevelEncoding.utf8ForByte[Int(byte)]) }
            let token = scratch.mapped.withUnsafeBufferPointer { index.token(for: $0) }
            if let token {
                output.append(token)
                return
            }
        }
        let count = word.count
        guard count > 0 else { return }
        scratch.symbols.removeAll(keepingCapacity: true)
        scratch.previous.removeAll(keepingCapacity: true)
        scratch.next.removeAll(keepingCapacity: true)
        scratch.queue.removeAll()
        for (position, byte) in word.enumerated() {
            scratch.symbols.append(byteSymbols[Int(byte)])
            scratch.previous.append(Int32(position - 1))
            scratch.next.append(position + 1 < count ? Int32(position + 1) : -1)
        }
        for position in 1..<count {
            enqueuePair(left: Int32(position - 1), right: Int32(position), scratch: &scratch)
        }
        while let candidate = scratch.queue.pop() {
            let left = Int(candidate.left)
            let right = Int(scratch.next[left])
            // Skip pairs made stale by an earlier merge: a merged-away symbol is marked -1, and a
            // symbol that grew has a different number.
            guard right >= 0,
                  scratch.symbols[left] == candidate.leftSymbol,
                  scratch.symbols[right] == candidate.rightSymbol
            else { continue }
            scratch.symbols[left] = candidate.result
            scratch.symbols[right] = -1
            let following = scratch.next[right]
            scratch.next[left] = following
            if following >= 0 { scratch.previous[Int(following)] = Int32(left) }
            let preceding = scratch.previous[left]
            if preceding >= 0 { enqueuePair(left: preceding, right: Int32(left), scratch: &scratch) }
            if following >= 0 { enqueuePair(left: Int32(left), right: following, scratch: &scratch) }
        }
        var position: Int32 = 0
        while position >= 0 {
            emit(symbol: scratch.symbols[Int(position)], into: &output)
            position = scratch.next[Int(position)]
        }
    }

    @inline(__always)
    private func enqueuePair(left: Int32, right: Int32, scratch: inout Scratch) {
        let leftSymbol = scratch.symbols[Int(left)], rightSymbol = scratch.symbols[Int(right)]
        guard let merge = merges[Self.pairKey(leftSymbol, rightSymbol)] else { return }
        scratch.queue.push(Candidate(rank: merge.rank, left: left, leftSymbol: leftSymbol,
                                     rightSymbol: rightSymbol, result: merge.result))
    }

    /// A finished symbol becomes its token; a string that is not a token falls back, as in
    /// llama.cpp, to the tokens spelled by its individual bytes, dropping bytes that have none.
    private func emit(symbol: Int32, into output: inout [TokenID]) {
        if let token = index.token(ofSymbol: symbol) {
            output.append(token)
            return
        }
        for byte in index.bytes(ofSymbol: symbol) {
            let token = singleByteTokens[Int(byte)]
            if token >= 0 { output.append(token) }
        }
    }

    @inline(__always)
    private static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }
}
