/// Small UTF-8 helpers that work on raw bytes, never trapping on malformed input.
enum UTF8Coding {
    /// Code points of `bytes` together with the byte offset where each starts (plus a final
    /// entry equal to `bytes.count`). A byte that does not begin a well-formed sequence decodes
    /// as U+FFFD and occupies one byte.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> (scalars: [UInt32], offsets: [Int]) {
        var scalars: [UInt32] = []
        var offsets: [Int] = []
        scalars.reserveCapacity(bytes.count)
        offsets.reserveCapacity(bytes.count + 1)
        var i = 0
        while i < bytes.count {
            offsets.append(i)
            let (scalar, length) = decodeOne(bytes, at: i)
            scalars.append(scalar)
            i += length
        }
        offsets.append(bytes.count)
        return (scalars, offsets)
    }

    /// Decodes the sequence starting at `index`, returning U+FFFD with length 1 when malformed.
    @inline(__always)
    static func decodeOne(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (UInt32(lead), 1) }
        let length: Int
        var scalar: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07)
        default: return (0xFFFD, 1)
        }
        guard index + length <= bytes.count else { return (0xFFFD, 1) }
        for k in 1..<length {
            let byte = bytes[index + k]
            guard byte & 0xC0 == 0x80 else { return (0xFFFD, 1) }
            scalar = (scalar << 6) | UInt32(byte & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : (length == 3 ? 0x800 : 0x10000)
        guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
            return (0xFFFD, 1)
        }
        return (scalar, length)
    }

    /// Appends the UTF-8 encoding of `scalar` (values that are not scalars encode as U+FFFD).
    static func append(_ scalar: UInt32, to bytes: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            bytes.append(UInt8(scalar))
        case 0x80..<0x800:
            bytes.append(0xC0 | UInt8(scalar >> 6))
            bytes.append(0x80 | UInt8(scalar & 0x3F))
        case 0x800..<0x10000 where !(0xD800...0xDFFF).contains(scalar):
            bytes.append(0xE0 | UInt8(scalar >> 12))
            bytes.append(0x80 | UInt8((scalar >> 6) & 0x3F))
            bytes.append(0x80 | UInt8(scalar & 0x3F))
        case 0x10000...0x10FFFF:
            bytes.append(0xF0 | UInt8(scalar >> 18))
            bytes.append(0x80 | UInt8((scalar >> 12) & 0x3F))
            bytes.append(0x80 | UInt8((scalar >> 6) & 0x3F))
            bytes.append(0x80 | UInt8(scalar & 0x3F))
        default:
            bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
        }
    }

    /// The length llama.cpp assumes for a sequence from its lead byte alone (high nibble
    /// 0x0–0xB: 1, 0xC–0xD: 2, 0xE: 3, 0xF: 4). SentencePiece splits its input this way.
    @inline(__always)
    static func assumedLength(lead: UInt8) -> Int {
        switch lead >> 4 {
        case 0xC, 0xD: return 2
        case 0xE: return 3
        case 0xF: return 4
        default: return 1
        }
    }

    /// How many bytes at the end of `bytes` form the beginning of a well-formed sequence that
    /// is still missing bytes (0 when the buffer ends on a character boundary or with bytes
    /// that can never become valid).
    static func incompleteSuffixLength<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Int
    where C.Index == Int {
        // A character is at most 4 bytes, so only the last 3 bytes can be an unfinished one.
        let lowerBound = Swift.max(bytes.startIndex, bytes.endIndex - 3)
        var start = bytes.endIndex - 1
        while start >= lowerBound {
            let byte = bytes[start]
            if byte & 0xC0 != 0x80 {
                let needed: Int
                switch byte {
                case 0xC2...0xDF: needed = 2
                case 0xE0...0xEF: needed = 3
                case 0xF0...0xF4: needed = 4
                default: return 0
                }
                let available = bytes.endIndex - start
                guard available < needed else { return 0 }
                return isValidPrefix(bytes[start...]) ? available : 0
            }
            start -= 1
        }
        return 0
    }

    /// Whether a lead byte and the continuation bytes after it can still start a valid sequence
    /// (this rejects overlong forms, surrogates and code points above U+10FFFF early).
    private static func isValidPrefix<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        guard let lead = bytes.first else { return false }
        var index = bytes.index(after: bytes.startIndex)
        if index < bytes.endIndex {
            let second = bytes[index]
            let allowed: ClosedRange<UInt8>
            switch lead {
            case 0xE0: allowed = 0xA0...0xBF
            case 0xED: allowed = 0x80...0x9F
            case 0xF0: allowed = 0x90...0xBF
            case 0xF4: allowed = 0x80...0x8F
            default: allowed = 0x80...0xBF
            }
            guard allowed.contains(second) else { return false }
            index = bytes.index(after: index)
        }
        while index < bytes.endIndex {
            guard bytes[index] & 0xC0 == 0x80 else { return false }
            index = bytes.index(after: index)
        }
        return true
    }
}
