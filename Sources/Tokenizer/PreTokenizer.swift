/// Splits text into the words that byte-level BPE merges within, the way llama.cpp does for a
/// given `tokenizer.ggml.pre` value.
///
/// llama.cpp describes each pre-tokenizer as a list of regular expressions applied in turn: each
/// one splits every piece left by the previous one into its matches and the text between them.
/// Here each expression is a hand-written splitter working on Unicode code points (see
/// `PreTokenizer.Stage`), which reproduces llama.cpp's own hand-written splitters for the GPT-2
/// and Llama 3 patterns and its `std::regex` results for the simple ones.
///
/// Supported names and the pattern chain each maps to:
/// - `default` (and an absent key): `[\p{P}$+<=>^~|]+`, GPT-2 pattern, `\p{N}+`, `[0-9]{3}`
/// - `gpt-2`, `phi-2`, `mpt`, `olmo`, `jais`, …: GPT-2 pattern
/// - `smollm`, `starcoder`, `refact`, `command-r`, `codeshell`, `exaone`, …: `\p{N}`, GPT-2 pattern
/// - `llama3`, `llama-v3`, `llama-bpe`, `falcon3`, …: Llama 3 pattern (numbers in groups of up to
///   three), and whole words found in the vocabulary skip merging
/// - `dbrx`, `smaug-bpe`: Llama 3 pattern without the whole-word shortcut
/// - `qwen2`, `deepseek-r1-qwen`, `stablelm2`, `megrez`, …: Llama 3 pattern with single digits
/// - `falcon`: `[\p{P}$+<=>^~|`]+`, GPT-2 pattern, `[0-9]{3}`
public struct PreTokenizer: Sendable {
    /// One splitting pass.
    enum Stage: Sendable, Equatable {
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
        case gpt2
        /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}|
        ///  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
        case llama3(maxDigits: Int)
        /// Every code point of the class on its own (`\p{N}`).
        case isolate(RunClass)
        /// Maximal runs of the class (`\p{N}+`, `[\p{P}$+<=>^~|]+`).
        case runs(RunClass)
        /// `[0-9][0-9][0-9]`: ASCII digit triples, scanned left to right.
        case asciiDigitTriples
    }

    /// Character classes used by the simple single-class patterns.
    enum RunClass: Sendable, Equatable {
        /// `\p{N}`
        case number
        /// `[\p{P}\$\+<=>\^~\|]`
        case punctuationAndMath
        /// `[\p{P}\$\+<=>\^~\|`]`
        case punctuationMathAndBacktick
    }

    private struct Family {
        let names: [String]
        let stages: [Stage]
        var skipsMergesForKnownWords = false
        var addsBOSByDefault = false
    }

    private static let families: [Family] = [
        Family(names: ["default"],
               stages: [.runs(.punctuationAndMath), .gpt2, .runs(.number), .asciiDigitTriples]),
        Family(names: ["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral",
                       "midm-2.0", "lfm2"],
               stages: [.llama3(maxDigits: 3)], skipsMergesForKnownWords: true, addsBOSByDefault: true),
        Family(names: ["dbrx", "smaug-bpe"], stages: [.llama3(maxDigits: 3)]),
        Family(names: ["qwen2", "deepseek-r1-qwen", "megrez", "stablelm2", "hunyuan", "solar-open",
                       "kormo", "f2llmv2", "grok-2"],
               stages: [.llama3(maxDigits: 1)]),
        Family(names: ["smollm", "starcoder", "refact", "command-r", "codeshell", "exaone",
                       "minerva-7b", "mellum2"],
               stages: [.isolate(.number), .gpt2]),
        Family(names: ["gpt-2", "phi-2", "gigachat", "a.x-4.0", "mellum", "mpt", "olmo", "jais",
                       "trillion", "granite-docling", "exaone4"],
               stages: [.gpt2]),
        Family(names: ["falcon"],
               stages: [.runs(.punctuationMathAndBacktick), .gpt2, .asciiDigitTriples]),
    ]

    /// Every `tokenizer.ggml.pre` value this module accepts.
    public static let supportedNames: [String] = families.flatMap(\.names)

    /// The `tokenizer.ggml.pre` value this splitter was made for.
    public let name: String
    let stages: [Stage]
    /// llama.cpp's `ignore_merges`: a word that is itself a vocabulary entry becomes that token
    /// without running the merges.
    let skipsMergesForKnownWords: Bool

    /// Looks up the splitter for a `tokenizer.ggml.pre` value.
    public init(name: String) throws(TokenizerError) {
        guard let family = Self.families.first(where: { $0.names.contains(name) }) else {
            throw .unsupportedPreTokenizer(name)
        }
        self.name = name
        self.stages = family.stages
        self.skipsMergesForKnownWords = family.skipsMergesForKnownWords
    }

    /// Whether llama.cpp adds BOS for this pre-tokenizer when `add_bos_token` is absent.
    static func addsBOSByDefault(_ name: String) -> Bool {
        families.first(where: { $0.names.contains(name) })?.addsBOSByDefault ?? false
    }

    /// Splits `text` into pre-tokenizer words; concatenated they give back `text`.
    public func split(_ text: String) -> [String] {
        let scalars = text.unicodeScalars.map(\.value)
        return wordRanges(scalars: scalars, classes: ScalarClass.classes(of: scalars)).map { range in
            var view = String.UnicodeScalarView()
            for value in scalars[range] {
                if let scalar = Unicode.Scalar(value) { view.append(scalar) }
            }
            return String(view)
        }
    }

    /// The words of `scalars` as index ranges, in order and covering every code point.
    func wordRanges(scalars: [UInt32], classes: [ScalarClass]) -> [Range<Int>] {
        guard !scalars.isEmpty else { return [] }
        var segments = [0..<scalars.count]
        var refined: [Range<Int>] = []
        for stage in stages {
            refined.removeAll(keepingCapacity: true)
            let splitter = SegmentSplitter(scalars: scalars, classes: classes)
            for segment in segments {
                splitter.split(segment, by: stage, into: &refined)
            }
            swap(&segments, &refined)
        }
        return segments
    }
}
