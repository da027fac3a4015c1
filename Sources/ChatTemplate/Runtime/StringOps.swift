/// Python `str` operations, on code points as Python counts them (not
/// Swift's grapheme clusters).
enum StringOps {
    typealias Scalars = [Unicode.Scalar]

    static func scalars(_ text: String) -> Scalars { Array(text.unicodeScalars) }

    static func string<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Python's `len(str)`.
    static func length(_ text: String) -> Int { text.unicodeScalars.count }

    // UTF-8 is self-synchronizing, so searching bytes finds exactly the
    // code point matches; the byte forms below avoid per-scalar work.

    /// The byte offset of the first `needle` in `haystack` at or after `start`.
    static func firstByteOffset(of needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty else { return start <= haystack.count ? start : nil }
        guard needle.count <= haystack.count, let first = needle.first else { return nil }
        var i = max(start, 0)
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// The byte offset of the last `needle` in `haystack` that ends at or before `end`.
    static func lastByteOffset(of needle: [UInt8], in haystack: [UInt8], endingBy end: Int) -> Int? {
        guard needle.count <= end else { return nil }
        var i = end - needle.count
        while i >= 0 {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i -= 1
        }
        return nil
    }

    /// The number of code points encoded in `bytes[..<offset]`.
    private static func codePointCount(_ bytes: [UInt8], upTo offset: Int) -> Int {
        bytes[..<offset].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Python's `part in text`.
    static func contains(_ part: String, in text: String) -> Bool {
        firstByteOffset(of: Array(part.utf8), in: Array(text.utf8)) != nil
    }

    /// The code point offset of the first `part` in `text`.
    static func find(_ part: String, in text: String) -> Int? {
        let haystack = Array(text.utf8)
        return firstByteOffset(of: Array(part.utf8), in: haystack).map { codePointCount(haystack, upTo: $0) }
    }

    /// The code point offset of the last `part` in `text`.
    static func findLast(_ part: String, in text: String) -> Int? {
        let haystack = Array(text.utf8)
        return lastByteOffset(of: Array(part.utf8), in: haystack, endingBy: haystack.count).map { codePointCount(haystack, upTo: $0) }
    }

    /// Non-overlapping occurrences of `part`, as Python's `str.count`.
    static func count(_ part: String, in text: String) -> Int {
        let needle = Array(part.utf8)
        let haystack = Array(text.utf8)
        if needle.isEmpty { return length(text) + 1 }
        var total = 0
        var i = 0
        while let found = firstByteOffset(of: needle, in: haystack, from: i) {
            total += 1
            i = found + needle.count
        }
        return total
    }

    static func hasPrefix(_ text: String, _ prefix: String) -> Bool {
        text.utf8.starts(with: prefix.utf8)
    }

    static func hasSuffix(_ text: String, _ suffix: String) -> Bool {
        text.utf8.reversed().starts(with: suffix.utf8.reversed())
    }

    /// Python's `str.replace(old, new, count)`; a negative count replaces all.
    static func replace(_ text: String, _ old: String, _ new: String, count limit: Int = -1) -> String {
        let haystack = Array(text.utf8)
        let needle = Array(old.utf8)
        let replacement = Array(new.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        var replaced = 0
        func mayReplace() -> Bool { limit < 0 || replaced < limit }
        if needle.isEmpty {
            // Python inserts the replacement before every character and at the end.
            for scalar in text.unicodeScalars {
                if mayReplace() { out += replacement; replaced += 1 }
                out += Array(String(scalar).utf8)
            }
            if mayReplace() { out += replacement }
            return Self.text(out[...])
        }
        var i = 0
        while mayReplace(), let found = firstByteOffset(of: needle, in: haystack, from: i) {
            out += haystack[i..<found]
            out += replacement
            i = found + needle.count
            replaced += 1
        }
        out += haystack[i...]
        return Self.text(out[...])
    }

    /// Python's `str.strip/lstrip/rstrip`: whitespace when `characters` is nil.
    static func strip(_ text: String, characters: String?, leading: Bool, trailing: Bool) -> String {
        let set = characters.map { Set($0.unicodeScalars) }
        func strippable(_ scalar: Unicode.Scalar) -> Bool {
            if let set { return set.contains(scalar) }
            return PythonCharacters.isWhitespace(scalar)
        }
        let view = text.unicodeScalars
        var start = view.startIndex
        var end = view.endIndex
        if leading { while start < end, strippable(view[start]) { start = view.index(after: start) } }
        if trailing {
            while end > start {
                let previous = view.index(before: end)
                guard strippable(view[previous]) else { break }
                end = previous
            }
        }
        return String(view[start..<end])
    }

    /// Python's `str.split(sep, maxsplit)`; `separator == nil` splits on whitespace runs and drops empty parts.
    static func split(_ text: String, separator: String?, maxSplit: Int = -1) -> [String] {
        guard let separator else { return splitOnWhitespace(text, maxSplit: maxSplit) }
        let haystack = Array(text.utf8)
        let needle = Array(separator.utf8)
        var parts: [String] = []
        var start = 0
        while maxSplit < 0 || parts.count < maxSplit, !needle.isEmpty,
              let found = firstByteOffset(of: needle, in: haystack, from: start) {
            parts.append(Self.text(haystack[start..<found]))
            start = found + needle.count
        }
        parts.append(Self.text(haystack[start...]))
        return parts
    }

    private static func splitOnWhitespace(_ text: String, maxSplit: Int) -> [String] {
        let items = scalars(text)
        var parts: [String] = []
        var i = 0
        while i < items.count {
            while i < items.count, PythonCharacters.isWhitespace(items[i]) { i += 1 }
            guard i < items.count else { break }
            if maxSplit >= 0, parts.count == maxSplit {
                // The remainder keeps its trailing whitespace, as in Python.
                parts.append(string(items[i...]))
                break
            }
            let start = i
            while i < items.count, !PythonCharacters.isWhitespace(items[i]) { i += 1 }
            parts.append(string(items[start..<i]))
        }
        return parts
    }

    /// Python's `str.rsplit(sep, maxsplit)` with an explicit separator.
    static func rsplit(_ text: String, separator: String, maxSplit: Int) -> [String] {
        guard maxSplit >= 0 else { return split(text, separator: separator) }
        let haystack = Array(text.utf8)
        let needle = Array(separator.utf8)
        var parts: [String] = []
        var end = haystack.count
        while parts.count < maxSplit, !needle.isEmpty, let found = lastByteOffset(of: needle, in: haystack, endingBy: end) {
            parts.insert(Self.text(haystack[(found + needle.count)..<end]), at: 0)
            end = found
        }
        parts.insert(Self.text(haystack[..<end]), at: 0)
        return parts
    }

    /// Python's `str.splitlines()`, without line ends.
    static func splitLines(_ text: String) -> [String] {
        let items = scalars(text)
        var lines: [String] = []
        var start = 0
        var i = 0
        while i < items.count {
            if PythonCharacters.isLineBoundary(items[i]) {
                lines.append(string(items[start..<i]))
                if items[i] == "\r", i + 1 < items.count, items[i + 1] == "\n" { i += 1 }
                start = i + 1
            }
            i += 1
        }
        if start < items.count { lines.append(string(items[start...])) }
        return lines
    }

    private static func isCased(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isCased
    }

    private static func titlecased(_ scalar: Unicode.Scalar) -> String {
        scalar.properties.titlecaseMapping
    }

    /// The lowercase form of `scalars[index]`, with Python's special case for
    /// capital sigma: `ς` when it ends a word (a cased letter before it, none
    /// after it, skipping case-ignorable characters), `σ` otherwise.
    private static func lowercased(_ scalars: [Unicode.Scalar], at index: Int) -> String {
        let scalar = scalars[index]
        guard scalar == "\u{03A3}" else { return scalar.properties.lowercaseMapping }
        var before = index - 1
        while before >= 0, scalars[before].properties.isCaseIgnorable { before -= 1 }
        var final = before >= 0 && isCased(scalars[before])
        if final {
            var after = index + 1
            while after < scalars.count, scalars[after].properties.isCaseIgnorable { after += 1 }
            final = after == scalars.count || !isCased(scalars[after])
        }
        return final ? "\u{03C2}" : "\u{03C3}"
    }

    /// Python's `str.title()`: a cased character after an uncased one is
    /// title-cased, every other cased character lowercased.
    static func pythonTitle(_ text: String) -> String {
        let items = scalars(text)
        var out = ""
        var previousCased = false
        for (index, scalar) in items.enumerated() {
            out += previousCased ? lowercased(items, at: index) : titlecased(scalar)
            previousCased = isCased(scalar)
        }
        return out
    }

    /// Python's `str.capitalize()`: first character title-cased, the rest lowercased.
    static func capitalize(_ text: String) -> String {
        let items = scalars(text)
        var out = ""
        for (index, scalar) in items.enumerated() {
            out += index == 0 ? titlecased(scalar) : lowercased(items, at: index)
        }
        return out
    }

    /// Jinja's `title` filter: split before runs of `-`, whitespace, `(`, `{`,
    /// `[`, `<`; in each piece upper-case the first character and lower-case the rest.
    static func jinjaTitle(_ text: String) -> String {
        func isBoundary(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "-" || scalar == "(" || scalar == "{" || scalar == "[" || scalar == "<" || PythonCharacters.isWhitespace(scalar)
        }
        var pieces: [[Unicode.Scalar]] = []
        var previousWasBoundary: Bool?
        for scalar in text.unicodeScalars {
            let boundary = isBoundary(scalar)
            if previousWasBoundary != boundary { pieces.append([]) }
            pieces[pieces.count - 1].append(scalar)
            previousWasBoundary = boundary
        }
        return pieces.map { piece in
            guard let first = piece.first else { return "" }
            return upper(String(first)) + lower(string(piece.dropFirst()))
        }.joined()
    }

    /// Python's `str.upper()` / `str.lower()` (full case mappings).
    static func upper(_ text: String) -> String { text.uppercased() }
    static func lower(_ text: String) -> String {
        guard text.unicodeScalars.contains("\u{03A3}") else { return text.lowercased() }
        let items = scalars(text)
        return items.indices.map { lowercased(items, at: $0) }.joined()
    }
}
