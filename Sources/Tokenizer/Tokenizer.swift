/// Text ↔ token ids for a GGUF vocabulary, reproducing llama.cpp's tokenizer.
///
/// All tables are built once in `init`; afterwards the tokenizer is immutable and can be used
/// from any number of threads at once.
public final class Tokenizer: Sendable {
    private enum Encoder: Sendable {
        case bytePair(BytePairModel)
        case sentencePiece(SentencePieceModel)
    }

    /// The vocabulary's algorithm.
    public let model: Vocabulary.Model
    /// Number of tokens in the vocabulary; valid ids are `0..<vocabularySize`.
    public let vocabularySize: Int
    /// Beginning-of-sequence token, if the vocabulary has one.
    public let bosID: TokenID?
    /// End-of-sequence token, if the vocabulary has one.
    public let eosID: TokenID?
    /// Whether `encode(_:addSpecial:parseSpecial:)` prepends BOS / appends EOS when `addSpecial`.
    public let addsBOS: Bool, addsEOS: Bool
    /// Every token that ends generation (EOS, end-of-turn markers such as `<|im_end|>`, …).
    public let endOfGenerationIDs: Set<TokenID>

    private let texts: [String]
    private let index: TokenTextIndex
    private let encoder: Encoder
    private let specialTokens: SpecialTokenMatcher
    private let pieces: TokenPieces
    private let addSpacePrefix: Bool

    /// Validates `vocabulary` and builds the look-up tables.
    ///
    /// Special-token ids outside the vocabulary are ignored, as llama.cpp does. For
    /// SentencePiece vocabularies, a missing BOS, EOS or unknown id defaults to 1, 2 and 0.
    /// Throws when the token list is empty, the types or scores do not match the token count,
    /// the pre-tokenizer is unknown (BPE), or BOS/EOS must be added but has no id.
    public init(vocabulary: Vocabulary) throws(TokenizerError) {
        let count = vocabulary.tokens.count
        guard count > 0 else { throw .invalidVocabulary("tokenizer.ggml.tokens is empty") }
        guard count <= Int(Int32.max) else { throw .invalidVocabulary("too many tokens (\(count))") }
        guard vocabulary.tokenTypes.count == count else {
            throw .invalidVocabulary("tokenizer.ggml.token_type has \(vocabulary.tokenTypes.count) entries for \(count) tokens")
        }
        guard vocabulary.scores.isEmpty || vocabulary.scores.count >= count else {
            throw .invalidVocabulary("tokenizer.ggml.scores has \(vocabulary.scores.count) entries for \(count) tokens")
        }
        func checked(_ id: TokenID?, default fallback: TokenID? = nil) -> TokenID? {
            let isSentencePiece = vocabulary.model == .sentencePiece
            guard let id = id ?? (isSentencePiece ? fallback : nil), id >= 0, Int(id) < count else { return nil }
            return id
        }
        let bos = checked(vocabulary.bosID, default: 1)
        let eos = checked(vocabulary.eosID, default: 2)
        let unknown = checked(vocabulary.unknownID, default: 0)
        let eot = checked(vocabulary.eotID)
        if vocabulary.addBOS && bos == nil {
            throw .invalidVocabulary("tokenizer.ggml.add_bos_token is true but no valid BOS token id is set")
        }
        if vocabulary.addEOS && eos == nil {
            throw .invalidVocabulary("tokenizer.ggml.add_eos_token is true but no valid EOS token id is set")
        }

        // llama.cpp renames empty entries so that every token has a distinct, non-empty text.
        let texts = vocabulary.tokens.enumerated().map { id, text in text.isEmpty ? "[EMPTY_\(id)]" : text }
        let textBytes = texts.map { Array($0.utf8) }
        let roles = SpecialTokenRoles(texts: texts, attributes: vocabulary.tokenTypes.map(TokenAttributes.init(tokenType:)),
                                      eosID: eos, eotID: eot)
        let index = TokenTextIndex(texts: textBytes, extraCapacity: vocabulary.model == .bpe ? vocabulary.merges.count : 0)

        switch vocabulary.model {
        case .bpe:
            let name = vocabulary.preTokenizer.isEmpty ? Vocabulary.defaultPreTokenizer : vocabulary.preTokenizer
            let preTokenizer = try PreTokenizer(name: name)
            encoder = .bytePair(BytePairModel(index: index, merges: vocabulary.merges, preTokenizer: preTokenizer))
        case .sentencePiece:
            let scores = vocabulary.scores.isEmpty ? [Float](repeating: 0, count: count) : vocabulary.scores
            encoder = .sentencePiece(SentencePieceModel(index: index, scores: scores, unknownID: unknown))
        }

        self.model = vocabulary.model
        self.vocabularySize = count
        self.bosID = bos
        self.eosID = eos
        self.addsBOS = vocabulary.addBOS
        self.addsEOS = vocabulary.addEOS
        self.addSpacePrefix = vocabulary.addSpacePrefix
        self.endOfGenerationIDs = roles.endOfGeneration
        self.texts = texts
        self.index = index
        self.specialTokens = SpecialTokenMatcher(texts: textBytes, attributes: roles.attributes)
        self.pieces = TokenPieces(texts: textBytes, attributes: roles.attributes, model: vocabulary.model)
    }

    /// Whether generating `id` should end generation (EOS, end-of-turn and similar tokens).
    public func isEndOfGeneration(_ id: TokenID) -> Bool {
        endOfGenerationIDs.contains(id)
    }

    /// Tokenizes `text` exactly as llama.cpp's `llama_tokenize` does.
    ///
    /// - Parameters:
    ///   - addSpecial: add BOS / EOS when the vocabulary asks for them.
    ///   - parseSpecial: recognise control and unknown tokens written in the text (such as
    ///     `<|im_start|>`); user-defined tokens are recognised either way.
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = true) -> [TokenID] {
        var output: [TokenID] = []
        output.reserveCapacity(text.utf8.count / 3 + 2)
        if addSpecial && addsBOS, let bosID { output.append(bosID) }
        var text = text
        text.withUTF8 { bytes in
            // SentencePiece puts a space before text that starts the input or follows a special token.
            var followsSpecial = true
            for fragment in specialTokens.partition(bytes, parseSpecial: parseSpecial) {
                switch fragment {
                case .token(let id):
                    output.append(id)
                    followsSpecial = true
                case .text(let range):
                    let run = UnsafeBufferPointer(rebasing: bytes[range])
                    switch encoder {
                    case .bytePair(let model):
                        model.encode(run, into: &output)
                    case .sentencePiece(let model):
                        model.encode(run, addSpacePrefix: addSpacePrefix && followsSpecial, into: &output)
                    }
                    followsSpecial = false
                }
            }
        }
        if addSpecial && addsEOS, let eosID { output.append(eosID) }
        return output
    }

    /// The raw bytes `id` contributes to output text (empty for ids outside the vocabulary,
    /// and for control and unknown tokens unless `renderSpecial`). May be part of a UTF-8
    /// character.
    public func tokenBytes(_ id: TokenID, renderSpecial: Bool = false) -> [UInt8] {
        Array(pieces.bytes(of: id, renderSpecial: renderSpecial))
    }

    /// The text of `ids`: their bytes concatenated, then decoded as UTF-8 with invalid sequences
    /// replaced by U+FFFD. Nothing is stripped, so SentencePiece output keeps the space its
    /// space prefix produced.
    public func decode(_ ids: [TokenID], renderSpecial: Bool = false) -> String {
        var bytes: [UInt8] = []
        for id in ids { bytes.append(contentsOf: pieces.bytes(of: id, renderSpecial: renderSpecial)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The id of the token whose text is exactly `forText` (e.g. `"<|im_end|>"`, or a BPE entry
    /// in its stand-in spelling such as `"Ġthe"`).
    public func tokenID(forText text: String) -> TokenID? {
        index.token(for: Array(text.utf8))
    }

    /// The vocabulary text of `id` as stored in the GGUF file, or nil outside the vocabulary.
    public func tokenText(_ id: TokenID) -> String? {
        guard id >= 0, Int(id) < texts.count else { return nil }
        return texts[Int(id)]
    }
}
