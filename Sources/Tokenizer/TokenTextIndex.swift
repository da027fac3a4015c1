/// Exact byte-string look-up of token texts, optionally extended with strings that are not
/// tokens (BPE merge halves), each identified by a dense "symbol" number.
struct TokenTextIndex: Sendable {
    private(set) var strings: ByteStringTable
    /// The token id of each symbol, or -1 for a string that is not a token.
    private(set) var tokenForSymbol: [Int32]

    /// Indexes `texts` (token id = position). When a text repeats, the first id keeps it.
    init(texts: [[UInt8]], extraCapacity: Int = 0) {
        strings = ByteStringTable(expectedCount: texts.count + extraCapacity)
        tokenForSymbol = []
        tokenForSymbol.reserveCapacity(texts.count + extraCapacity)
        for (id, text) in texts.enumerated() {
            if strings.insert(text).inserted { tokenForSymbol.append(Int32(id)) }
        }
    }

    /// The symbol for `bytes`, adding it as a non-token string when new.
    mutating func intern<C: Collection<UInt8>>(_ bytes: C) -> Int32 {
        let (symbol, inserted) = strings.insert(bytes)
        if inserted { tokenForSymbol.append(-1) }
        return symbol
    }

    /// The symbol for `bytes`, if known.
    @inline(__always)
    func symbol(for bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        strings.find(bytes)
    }

    /// The token whose text is exactly `bytes`.
    @inline(__always)
    func token(for bytes: UnsafeBufferPointer<UInt8>) -> TokenID? {
        guard let symbol = strings.find(bytes) else { return nil }
        let token = tokenForSymbol[Int(symbol)]
        return token >= 0 ? token : nil
    }

    /// The token whose text is exactly `bytes`.
    func token<C: Collection<UInt8>>(for bytes: C) -> TokenID? {
        guard let symbol = strings.find(bytes) else { return nil }
        let token = tokenForSymbol[Int(symbol)]
        return token >= 0 ? token : nil
    }

    /// The token of a symbol, or nil when the symbol is not a token.
    @inline(__always)
    func token(ofSymbol symbol: Int32) -> TokenID? {
        let token = tokenForSymbol[Int(symbol)]
        return token >= 0 ? token : nil
    }

    func bytes(ofSymbol symbol: Int32) -> ArraySlice<UInt8> {
        strings.bytes(of: symbol)
    }
}
