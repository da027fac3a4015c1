/// A token id, as stored in GGUF files and used by llama.cpp.
public typealias TokenID = Int32

/// The tokenizer description carried by a GGUF file's `tokenizer.ggml.*` metadata.
///
/// This is plain data: the GGUF reader fills it in and `Tokenizer` validates it and builds its
/// lookup tables from it. Field names follow the GGUF keys they come from.
public struct Vocabulary: Sendable {
    /// The tokenization algorithm, from `tokenizer.ggml.model`.
    public enum Model: String, Sendable {
        /// Byte-level BPE (GPT-2 style byte-to-unicode mapping plus ranked merges).
        case bpe = "gpt2"
        /// SentencePiece-style score-driven merging with `<0xXX>` byte fallback (Llama 2, Mistral).
        case sentencePiece = "llama"

        /// Maps a `tokenizer.ggml.model` value to a model, rejecting the ones this module lacks
        /// (for example `"bert"`, `"t5"`, `"rwkv"`).
        public init(ggufName: String) throws(TokenizerError) {
            guard let model = Model(rawValue: ggufName) else {
                throw .unsupportedModel(ggufName)
            }
            self = model
        }
    }

    /// Raw values of `tokenizer.ggml.token_type`.
    public enum TokenType: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// The value llama.cpp assumes when `tokenizer.ggml.pre` is absent.
    public static let defaultPreTokenizer = "default"

    /// `tokenizer.ggml.model`.
    public var model: Model
    /// `tokenizer.ggml.pre`; `"default"` when the key is absent. Ignored for SentencePiece.
    public var preTokenizer: String
    /// `tokenizer.ggml.tokens`: the text of every token, indexed by id.
    public var tokens: [String]
    /// `tokenizer.ggml.token_type`, one entry per token (see `TokenType`); `Tokenizer` rejects
    /// a count that differs from `tokens`.
    public var tokenTypes: [Int32]
    /// `tokenizer.ggml.scores`; used by SentencePiece merging. Empty means all zero.
    public var scores: [Float]
    /// `tokenizer.ggml.merges`: BPE merges as `"left right"`, highest priority first.
    public var merges: [String]
    /// Special token ids from `tokenizer.ggml.*_token_id`. For SentencePiece vocabularies a
    /// missing BOS, EOS or unknown id falls back to llama.cpp's defaults 1, 2 and 0.
    public var bosID: TokenID?, eosID: TokenID?, eotID: TokenID?, unknownID: TokenID?, paddingID: TokenID?
    /// `tokenizer.ggml.add_bos_token`, `add_eos_token` and `add_space_prefix`.
    public var addBOS: Bool, addEOS: Bool, addSpacePrefix: Bool

    /// Creates a vocabulary. Flags left `nil` take the value llama.cpp uses when the GGUF key is
    /// absent: SentencePiece adds BOS and a space prefix; BPE adds neither, except that the
    /// Llama 3 family of pre-tokenizers adds BOS. Empty `tokenTypes` means every token is normal.
    public init(
        model: Model,
        preTokenizer: String = Vocabulary.defaultPreTokenizer,
        tokens: [String],
        tokenTypes: [Int32] = [],
        scores: [Float] = [],
        merges: [String] = [],
        bosID: TokenID? = nil,
        eosID: TokenID? = nil,
        eotID: TokenID? = nil,
        unknownID: TokenID? = nil,
        paddingID: TokenID? = nil,
        addBOS: Bool? = nil,
        addEOS: Bool? = nil,
        addSpacePrefix: Bool? = nil
    ) {
        self.model = model
        self.preTokenizer = preTokenizer
        self.tokens = tokens
        self.tokenTypes = tokenTypes.isEmpty
            ? Array(repeating: TokenType.normal.rawValue, count: tokens.count)
            : tokenTypes
        self.scores = scores
        self.merges = merges
        self.bosID = bosID
        self.eosID = eosID
        self.eotID = eotID
        self.unknownID = unknownID
        self.paddingID = paddingID
        switch model {
        case .sentencePiece:
            self.addBOS = addBOS ?? true
            self.addSpacePrefix = addSpacePrefix ?? true
        case .bpe:
            self.addBOS = addBOS ?? PreTokenizer.addsBOSByDefault(preTokenizer)
            self.addSpacePrefix = addSpacePrefix ?? false
        }
        self.addEOS = addEOS ?? false
    }
}
