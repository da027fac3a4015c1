/// Finds stop strings in detokenized text that arrives piece by piece, and
/// decides how much of the text can be released to the client.
///
/// Matching is on UTF-8 bytes, not on `Character`s: a stop string matches
/// wherever its bytes occur, even inside a grapheme cluster (stop string
/// `"e"` matches the first scalar of `"e\u{301}"`, which Swift's `String`
/// comparison would not). Because stop strings are valid UTF-8, every match
/// and every held-back tail begins on a scalar boundary, so emitted text
/// never splits a UTF-8 sequence.
///
/// Streaming contract:
/// - Text is released as soon as it cannot be the start of a stop string;
///   only the longest tail that is a proper prefix of some stop string is
///   held back (so at most `longest stop string − 1` bytes).
/// - On a match, ``append(_:)`` returns the text before the stop string and
///   `stopped == true`; the stop string and everything after it are dropped
///   (OpenAI semantics). Later calls return `("", true)`.
/// - With several stop strings, the match that is completed first in the
///   text wins, i.e. the one ending earliest; among matches ending at the
///   same byte, the longest (earliest-starting) one. This makes the result
///   independent of how the text was split into pieces.
/// - ``finish()`` releases the held-back tail when generation ends for
///   another reason.
///
/// Empty stop strings are ignored; with no stop strings every piece passes
/// through unchanged.
public struct StopStringMatcher: Sendable {
    /// The non-empty stop strings, as given (duplicates removed).
    public let stopStrings: [String]
    private let patterns: [[UInt8]]
    /// Bytes received but not yet released; never contains a full match.
    private var pending: [UInt8] = []
    /// The stop string that ended the text, once one has matched.
    public private(set) var matchedStopString: String?

    /// Creates a matcher for the given stop strings.
    public init(stopStrings: [String]) {
        var unique: [String] = []
        for stop in stopStrings where !stop.isEmpty && !unique.contains(stop) {
            unique.append(stop)
        }
        self.stopStrings = unique
        self.patterns = unique.map { Array($0.utf8) }
    }

    /// Whether a stop string has matched.
    public var isStopped: Bool { matchedStopString != nil }

    /// Consumes the next piece of text.
    ///
    /// - Returns: `emit`, the text that is now safe to release (possibly
    ///   empty), and `stopped`, whether a stop string has matched — in which
    ///   case `emit` ends right before it.
    public mutating func append(_ text: String) -> (emit: String, stopped: Bool) {
        if isStopped { return ("", true) }
        if patterns.isEmpty { return (text, false) }

        let alreadyScanned = pending.count
        pending.append(contentsOf: text.utf8)
        if let match = earliestMatch(endingAfter: alreadyScanned) {
            let emit = String(decoding: pending[..<match.start], as: UTF8.self)
            matchedStopString = stopStrings[match.pattern]
            pending.removeAll()
            return (emit, true)
        }
        let releasable = pending.count - longestPendingSuffixThatStartsAStop()
        let emit = String(decoding: pending[..<releasable], as: UTF8.self)
        pending.removeFirst(releasable)
        return (emit, false)
    }

    /// Ends the stream: returns the held-back text (empty after a match) and
    /// empties the matcher's buffer.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        if isStopped { return "" }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The first match whose last byte lies beyond `scanned` (earlier bytes
    /// were checked by previous calls), as its start offset and pattern index.
    private func earliestMatch(endingAfter scanned: Int) -> (start: Int, pattern: Int)? {
        guard scanned < pending.count else { return nil }
        for end in (scanned + 1) ... pending.count {
            var best: (start: Int, pattern: Int)?
            for (index, pattern) in patterns.enumerated() where pattern.count <= end {
                let start = end - pattern.count
                if let current = best, current.start <= start { continue }
                if pendingMatches(pattern, at: start, length: pattern.count) {
                    best = (start, index)
                }
            }
            if let best { return best }
        }
        return nil
    }

    /// Length of the longest suffix of `pending` that is a proper prefix of
    /// some stop string (0 if none).
    private func longestPendingSuffixThatStartsAStop() -> Int {
        var longestPossible = 0
        for pattern in patterns { longestPossible = max(longestPossible, pattern.count - 1) }
        var length = min(longestPossible, pending.count)
        while length > 0 {
            let start = pending.count - length
            for pattern in patterns where pattern.count > length {
                if pendingMatches(pattern, at: start, length: length) { return length }
            }
            length -= 1
        }
        return 0
    }

    /// Whether `pending[start ..< start + length]` equals `pattern`'s first
    /// `length` bytes.
    private func pendingMatches(_ pattern: [UInt8], at start: Int, length: Int) -> Bool {
        for offset in 0 ..< length where pending[start + offset] != pattern[offset] {
            return false
        }
        return true
    }
}
