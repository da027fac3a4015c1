/// Template source prepared the way Jinja prepares it before lexing, plus
/// the bookkeeping to turn offsets back into line:column locations.
struct SourceText: Sendable {
    /// The normalized source as Unicode scalars (Python strings index code points).
    let scalars: [Unicode.Scalar]
    /// Offsets at which each line starts; `lineStarts[0] == 0`.
    private let lineStarts: [Int]

    /// Normalizes `raw` as Jinja's lexer does with its default settings:
    /// `\r\n` and `\r` become `\n`, and a single trailing newline is dropped
    /// (`keep_trailing_newline=False`).
    init(_ raw: String) {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(raw.unicodeScalars.count)
        var previousWasCR = false
        for scalar in raw.unicodeScalars {
            if scalar == "\r" {
                out.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            out.append(scalar)
        }
        if out.last == "\n" { out.removeLast() }
        scalars = out
        var starts = [0]
        for (offset, scalar) in out.enumerated() where scalar == "\n" { starts.append(offset + 1) }
        lineStarts = starts
    }

    /// The 1-based line and column of the scalar at `offset`.
    func location(of offset: Int) -> SourceLocation {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return SourceLocation(line: low + 1, column: offset - lineStarts[low] + 1)
    }

    /// The text of `range` as a Swift string.
    func string(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[range])
        return String(view)
    }
}
