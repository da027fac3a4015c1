/// The Unicode character classes the pre-tokenizer patterns test: `\p{L}`, `\p{N}`, `\p{P}` and
/// `\s` (the White_Space property, which is what llama.cpp's generated tables hold).
///
/// `present` is set for every real code point, so an empty value means "outside the text being
/// split" — llama.cpp's splitters rely on that distinction at the end of a fragment.
struct ScalarClass: OptionSet, Sendable {
    let rawValue: UInt8

    static let present = ScalarClass(rawValue: 1 << 0)
    static let letter = ScalarClass(rawValue: 1 << 1)
    static let number = ScalarClass(rawValue: 1 << 2)
    static let whitespace = ScalarClass(rawValue: 1 << 3)
    static let punctuation = ScalarClass(rawValue: 1 << 4)

    /// Outside the fragment being split.
    static let outside: ScalarClass = []

    var isLetter: Bool { contains(.letter) }
    var isNumber: Bool { contains(.number) }
    var isWhitespace: Bool { contains(.whitespace) }
    /// A real code point that is neither whitespace, letter nor number: `[^\s\p{L}\p{N}]`.
    var isOther: Bool { rawValue & 0b1111 == ScalarClass.present.rawValue }

    /// The class of a code point.
    static func of(_ scalar: UInt32) -> ScalarClass {
        if scalar < 128 { return asciiTable[Int(scalar)] }
        guard let value = Unicode.Scalar(scalar) else { return .present }
        return classify(value)
    }

    /// Classes of every code point in `scalars`.
    static func classes(of scalars: [UInt32]) -> [ScalarClass] {
        scalars.map(of)
    }

    private static let asciiTable: [ScalarClass] = (0..<128).map { value in
        classify(Unicode.Scalar(UInt8(value)))
    }

    private static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        var result: ScalarClass = .present
        let properties = scalar.properties
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            result.insert(.letter)
        case .decimalNumber, .letterNumber, .otherNumber:
            result.insert(.number)
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            result.insert(.punctuation)
        default:
            break
        }
        if properties.isWhitespace { result.insert(.whitespace) }
        return result
    }
}
