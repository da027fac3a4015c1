import Testing
import Tokenizer

/// Special tokens written in input text, and end-of-generation detection.
@Suite struct SpecialTokenTests {
    typealias V = TestVocabularies

    @Test func controlTokensInTextAreParsedAndTextBetweenIsTokenized() throws {
        let tokenizer = try V.byteLevelTokenizer()
        #expect(tokenizer.encode("<|im_start|>the<|im_end|>") == [1, V.byteID(0x74), V.heID, 2])
        #expect(tokenizer.encode("<|im_end|><|im_end|>\n") == [2, 2, V.byteID(0x0A)])
        #expect(tokenizer.encode("<|im_end|> the") == [2, V.theID])
    }

    @Test func controlTokensStayTextWhenParsingIsOff() throws {
        let tokenizer = try V.byteLevelTokenizer()
        #expect(tokenizer.encode("<|im_start|>", parseSpecial: false) == V.byteIDs("<|im_start|>"))
    }

    @Test func userDefinedTokensAreAlwaysRecognised() throws {
        let tokenizer = try V.byteLevelTokenizer()
        let expected = [V.byteID(UInt8(ascii: "x")), 3, V.byteID(UInt8(ascii: "y"))]
        #expect(tokenizer.encode("x<tool>y", parseSpecial: true) == expected)
        #expect(tokenizer.encode("x<tool>y", parseSpecial: false) == expected)
    }

    @Test func longerSpecialTokensClaimTextFirst() throws {
        let tokenizer = try V.byteLevelTokenizer()
        // "@<|a" starts further left, but the longer "<|a|>" is matched first, as in llama.cpp.
        #expect(tokenizer.encode("@<|a|>") == [V.byteID(UInt8(ascii: "@")), 4])
        #expect(tokenizer.encode("@<|a") == [5])
    }

    @Test func unusedTokensAreNeverMatchedInText() throws {
        let tokenizer = try V.byteLevelTokenizer()
        #expect(tokenizer.encode("<unused0>") == V.byteIDs("<unused0>"))
    }

    @Test func endOfGenerationCoversEOSAndEndOfTurnMarkers() throws {
        let tokenizer = try V.byteLevelTokenizer()  // EOS is id 0, "<|endoftext|>"
        #expect(tokenizer.isEndOfGeneration(0))
        #expect(tokenizer.isEndOfGeneration(2))   // "<|im_end|>"
        #expect(!tokenizer.isEndOfGeneration(1))  // "<|im_start|>"
        #expect(!tokenizer.isEndOfGeneration(V.theID))
        #expect(tokenizer.eosID == 0)
    }

    @Test func endOfTurnTextsBecomeControlTokensWhateverTheirStoredType() throws {
        let vocabulary = V.byteLevel(eosID: 0, addBOS: false, extraTokens: [("<|eot_id|>", 1)])
        let tokenizer = try Tokenizer(vocabulary: vocabulary)
        let eot = TokenID(vocabulary.tokens.count - 1)
        #expect(tokenizer.isEndOfGeneration(eot))
        #expect(tokenizer.decode([eot]) == "")
        #expect(tokenizer.encode("a<|eot_id|>") == [V.byteID(UInt8(ascii: "a")), eot])
    }

    @Test func endIsNotEndOfGenerationNextToReturnAndCall() throws {
        let vocabulary = V.byteLevel(eosID: 0, addBOS: false,
                                     extraTokens: [("<|return|>", 3), ("<|call|>", 3), ("<|end|>", 3)])
        let tokenizer = try Tokenizer(vocabulary: vocabulary)
        let end = TokenID(vocabulary.tokens.count - 1)
        #expect(!tokenizer.isEndOfGeneration(end))
        #expect(tokenizer.isEndOfGeneration(end - 1))
        #expect(tokenizer.isEndOfGeneration(end - 2))
        #expect(tokenizer.decode([end]) == "<|end|>")
    }
}
