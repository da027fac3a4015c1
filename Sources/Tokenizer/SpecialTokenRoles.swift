/// Which tokens end generation, and the attribute corrections llama.cpp applies to tokens it
/// recognises by their text (GGUF files do not record every role, so llama.cpp infers them).
struct SpecialTokenRoles {
    /// Attributes after the corrections.
    private(set) var attributes: [TokenAttributes]
    /// Tokens whose generation means "stop".
    private(set) var endOfGeneration: Set<TokenID> = []

    // Texts llama.cpp matches (its llama-vocab.cpp, special-token auto-detection).
    static let endOfTurnTexts = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                                 "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>",
                                 "<end_of_utterance>"]
    static let endOfMessageTexts = ["<|eom_id|>"]
    static let fillInMiddleTexts: [(role: String, texts: [String])] = [
        ("prefix", ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
                    "<|code_prefix|>", "<|prefix|>"]),
        ("suffix", ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
                    "<|code_suffix|>", "<|suffix|>"]),
        ("middle", ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
                    "<|code_middle|>", "<|middle|>"]),
        ("pad", ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"]),
        ("repo", ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]),
        ("separator", ["<|file_sep|>"]),
    ]
    static let endOfGenerationTexts = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",
                                       "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>",
                                       "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
                                       "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
                                       "<｜end▁of▁sentence｜>", "[e~["]
    /// gpt-oss channel markers, which llama.cpp always renders as text.
    static let alwaysRenderedTexts = ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"]

    /// - Parameters:
    ///   - texts: token texts by id.
    ///   - attributes: attributes from the stored token types.
    ///   - eosID, eotID: ids from the GGUF metadata, already range-checked.
    init(texts: [String], attributes: [TokenAttributes], eosID: TokenID?, eotID: TokenID?) {
        self.attributes = attributes
        let watched = Set(Self.endOfTurnTexts + Self.endOfMessageTexts + Self.endOfGenerationTexts
                          + Self.alwaysRenderedTexts + Self.fillInMiddleTexts.flatMap(\.texts))
        // Lowest id for each watched text (llama.cpp picks an arbitrary one when several match).
        var idForText: [String: TokenID] = [:]
        for (id, text) in texts.enumerated() where watched.contains(text) && idForText[text] == nil {
            idForText[text] = TokenID(id)
        }
        func firstID(among candidates: [String]) -> TokenID? {
            candidates.compactMap { idForText[$0] }.min()
        }

        var endOfTurn = eotID
        if endOfTurn == nil, let detected = firstID(among: Self.endOfTurnTexts) {
            endOfTurn = detected
            markControl(detected)
        }
        let endOfMessage = firstID(among: Self.endOfMessageTexts)
        if let endOfMessage { markControl(endOfMessage) }
        for (role, candidates) in Self.fillInMiddleTexts {
            guard let id = firstID(among: candidates) else { continue }
            markControl(id)
            // Padding, repository and file-separator markers end generation.
            if role == "pad" || role == "repo" || role == "separator" { endOfGeneration.insert(id) }
        }
        for text in Self.endOfGenerationTexts {
            guard let id = idForText[text] else { continue }
            endOfGeneration.insert(id)
            markControl(id)
        }
        for text in Self.alwaysRenderedTexts {
            if let id = idForText[text] { self.attributes[Int(id)] = .userDefined }
        }
        for id in [eosID, endOfTurn, endOfMessage].compactMap({ $0 }) {
            endOfGeneration.insert(id)
        }
        applyConflictWorkarounds(idForText: idForText)
    }

    private mutating func markControl(_ id: TokenID) {
        attributes[Int(id)].insert(.control)
    }

    /// Vocabularies with `<|return|>`/`<|call|>` (or `<|calls|>`/`<|flush|>`) use `<|end|>` inside
    /// a turn, and those with `<|tool_response>` use `</s>` as text; llama.cpp drops those two
    /// from the end-of-generation set in that case.
    private mutating func applyConflictWorkarounds(idForText: [String: TokenID]) {
        func isEndOfGeneration(_ text: String) -> Bool {
            idForText[text].map { endOfGeneration.contains($0) } ?? false
        }
        let hasCall = isEndOfGeneration("<|call|>") || isEndOfGeneration("<|calls|>")
        if let end = idForText["<|end|>"], endOfGeneration.contains(end), hasCall,
           isEndOfGeneration("<|return|>") || isEndOfGeneration("<|flush|>") {
            endOfGeneration.remove(end)
            attributes[Int(end)] = .userDefined
        }
        if let closing = idForText["</s>"], endOfGeneration.contains(closing),
           isEndOfGeneration("<|tool_response>") {
            endOfGeneration.remove(closing)
            attributes[Int(closing)] = .normal
        }
    }
}
