/// Runs one pre-tokenizer stage over one segment of code points.
///
/// Each stage behaves like the regular expression it stands for applied to that segment alone:
/// look-ahead stops at the segment end, and text no alternative matches becomes a piece of its
/// own. Pieces are appended as index ranges into `scalars`.
struct SegmentSplitter {
    let scalars: [UInt32]
    let classes: [ScalarClass]

    func split(_ segment: Range<Int>, by stage: PreTokenizer.Stage, into pieces: inout [Range<Int>]) {
        var cursor = Cursor(scalars: scalars, classes: classes, segment: segment)
        switch stage {
        case .gpt2:
            splitGPT2(&cursor)
        case .llama3(let maxDigits):
            splitLlama3(&cursor, maxDigits: maxDigits)
        case .isolate(let runClass):
            while cursor.position < segment.upperBound {
                if runClass.contains(scalars[cursor.position], classes[cursor.position]) {
                    cursor.emit(upTo: cursor.position)
                    cursor.position += 1
                    cursor.emit(upTo: cursor.position)
                } else {
                    cursor.position += 1
                }
            }
        case .runs(let runClass):
            while cursor.position < segment.upperBound {
                let inRun = runClass.contains(scalars[cursor.position], classes[cursor.position])
                cursor.position += 1
                if cursor.position == segment.upperBound
                    || runClass.contains(scalars[cursor.position], classes[cursor.position]) != inRun {
                    cursor.emit(upTo: cursor.position)
                }
            }
        case .asciiDigitTriples:
            while cursor.position < segment.upperBound {
                if cursor.isASCIIDigit(at: cursor.position)
                    && cursor.isASCIIDigit(at: cursor.position + 1)
                    && cursor.isASCIIDigit(at: cursor.position + 2) {
                    cursor.emit(upTo: cursor.position)
                    cursor.position += 3
                    cursor.emit(upTo: cursor.position)
                } else {
                    cursor.position += 1
                }
            }
        }
        cursor.emit(upTo: segment.upperBound)
        pieces.append(contentsOf: cursor.pieces)
    }

    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    private func splitGPT2(_ c: inout Cursor) {
        while c.position < c.end {
            let scalar = c.scalar(at: c.position)
            if c.matchContraction(caseInsensitive: false) { continue }
            // The optional leading space belongs to the word when a letter, number or other
            // character follows it.
            let head = scalar == 0x20 ? c.classOf(c.position + 1) : c.classOf(c.position)
            if head.isLetter || head.isNumber || head.isOther {
                if scalar == 0x20 { c.position += 1 }
                if head.isLetter {
                    while c.classOf(c.position).isLetter { c.position += 1 }
                } else if head.isNumber {
                    while c.classOf(c.position).isNumber { c.position += 1 }
                } else {
                    while c.classOf(c.position).isOther { c.position += 1 }
                }
                c.emit(upTo: c.position)
                continue
            }
            c.matchWhitespace(splittingAtNewlines: false)
        }
    }

    /// Llama 3 (and Qwen 2 with `maxDigits` 1):
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
    ///  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
    private func splitLlama3(_ c: inout Cursor, maxDigits: Int) {
        while c.position < c.end {
            let scalar = c.scalar(at: c.position)
            let own = c.classOf(c.position)
            if c.matchContraction(caseInsensitive: true) { continue }
            // A letter run, optionally led by one character that is not CR, LF, letter or number.
            if !(scalar == 0x0D || scalar == 0x0A || own.isNumber)
                && (own.isLetter || c.classOf(c.position + 1).isLetter) {
                c.position += 1
                while c.classOf(c.position).isLetter { c.position += 1 }
                c.emit(upTo: c.position)
                continue
            }
            if own.isNumber {
                var groupStart = c.position
                while c.classOf(c.position).isNumber {
                    c.position += 1
                    if c.position - groupStart == maxDigits {
                        c.emit(upTo: c.position)
                        groupStart = c.position
                    }
                }
                c.emit(upTo: c.position)
                continue
            }
            // Other characters with an optional leading space, then any CR/LF run.
            let head = scalar == 0x20 ? c.classOf(c.position + 1) : own
            if !(head.isWhitespace || head.isLetter || head.isNumber) {
                if scalar == 0x20 { c.position += 1 }
                while c.classOf(c.position).isOther { c.position += 1 }
                while c.position < c.end && (c.scalar(at: c.position) == 0x0D || c.scalar(at: c.position) == 0x0A) {
                    c.position += 1
                }
                c.emit(upTo: c.position)
                continue
            }
            c.matchWhitespace(splittingAtNewlines: true)
        }
    }
}

extension PreTokenizer.RunClass {
    func contains(_ scalar: UInt32, _ scalarClass: ScalarClass) -> Bool {
        switch self {
        case .number:
            return scalarClass.isNumber
        case .punctuationAndMath, .punctuationMathAndBacktick:
            if scalarClass.contains(.punctuation) { return true }
            switch scalar {
            case 0x24, 0x2B, 0x3C, 0x3D, 0x3E, 0x5E, 0x7E, 0x7C: return true  // $ + < = > ^ ~ |
            case 0x60: return self == .punctuationMathAndBacktick
            default: return false
            }
        }
    }
}

/// Position within one segment plus the pieces cut from it so far.
private struct Cursor {
    let scalars: [UInt32]
    let classes: [ScalarClass]
    let start: Int
    let end: Int
    var position: Int
    private var pieceStart: Int
    private(set) var pieces: [Range<Int>] = []

    init(scalars: [UInt32], classes: [ScalarClass], segment: Range<Int>) {
        self.scalars = scalars
        self.classes = classes
        self.start = segment.lowerBound
        self.end = segment.upperBound
        self.position = segment.lowerBound
        self.pieceStart = segment.lowerBound
    }

    @inline(__always) func scalar(at index: Int) -> UInt32 { scalars[index] }

    /// The class at `index`, or `.outside` beyond the segment.
    @inline(__always) func classOf(_ index: Int) -> ScalarClass {
        index >= start && index < end ? classes[index] : .outside
    }

    func isASCIIDigit(at index: Int) -> Bool {
        index < end && (0x30...0x39).contains(scalars[index])
    }

    /// Closes the current piece at `index` (no piece when it would be empty).
    mutating func emit(upTo index: Int) {
        if index > pieceStart { pieces.append(pieceStart..<index) }
        pieceStart = index
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d` at the current position; consumes and emits it when found.
    mutating func matchContraction(caseInsensitive: Bool) -> Bool {
        guard scalars[position] == 0x27, position + 1 < end else { return false }
        func letter(_ index: Int) -> UInt32 {
            let value = scalars[index]
            // Only ASCII letters can lower-case to the suffix letters tested here.
            return caseInsensitive && (0x41...0x5A).contains(value) ? value + 0x20 : value
        }
        let first = letter(position + 1)
        if first == 0x73 || first == 0x74 || first == 0x6D || first == 0x64 {  // s t m d
            position += 2
            emit(upTo: position)
            return true
        }
        guard position + 2 < end else { return false }
        let second = letter(position + 2)
        if (first == 0x72 && second == 0x65) || (first == 0x76 && second == 0x65)  // re ve
            || (first == 0x6C && second == 0x6C) {  // ll
            position += 3
            emit(upTo: position)
            return true
        }
        return false
    }

    /// The whitespace alternatives: `\s*[\r\n]+` (when `splittingAtNewlines`), then
    /// `\s+(?!\S)`, then `\s+`; a character nothing matches becomes a piece by itself.
    mutating func matchWhitespace(splittingAtNewlines: Bool) {
        var count = 0
        var afterLastNewline = -1
        while classOf(position + count).isWhitespace {
            let value = scalars[position + count]
            if value == 0x0D || value == 0x0A { afterLastNewline = position + count + 1 }
            count += 1
        }
        if splittingAtNewlines && afterLastNewline >= 0 {
            position = afterLastNewline
        } else if count > 1 && position + count < end {
            // Leave the last whitespace character to lead the following word.
            position += count - 1
        } else if count > 0 {
            position += count
        } else {
            position += 1
        }
        emit(upTo: position)
    }
}
