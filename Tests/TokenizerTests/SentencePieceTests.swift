import Testing
import Tokenizer

/// SentencePiece tokenization on `TestVocabularies.sentencePiece`; expected ids follow from
/// its piece scores.
@Suite struct SentencePieceTests {
    typealias V = TestVocabularies

    @Test func highestScoringPairMergesFirst() throws {
        let tokenizer = try Tokenizer(vocabulary: V.sentencePiece())
        // "▁hello": "ll" (-1) first, then "llo" (-0.8), then "he" (-2), then "hello" (-0.2);
        // "▁" has no partner. BOS (id 1) comes first by default.
        #expect(tokenizer.encode("hello") == [1, V.spaceID, V.spmHello])
    }

    @Test func equalScoresMergeLeftmostFirst() throws {
        let tokenizer = try Tokenizer(vocabulary: V.sentencePiece())
        #expect(tokenizer.encode("aaa", addSpecial: false) == [V.spaceID, V.spmAa, V.spmA])
    }

    @Test func spacesBecomeTheMetaSymbol() throws {
        let tokenizer = try Tokenizer(vocabulary: V.sentencePiece())
        #expect(tokenizer.encode("a b", addSpecial: false) == [V.spaceID, V.spmA, V.spmSpaceB])
    }

    @Test func spacePrefixFollowsTheFlag() throws {
        let tokenizer = try Tokenizer(vocabulary: V.sentencePiece(addSpacePrefix: false))
        #expect(tokenizer.encode("hello", addSpecial: false) == [V.spmHello])
    }

    @Test func textAfterASpecialTokenGetsTheSpacePrefixAgain() throws {
        let tokenizer = try Tokenizer(vocabulary: V.sentencePiece())
        #expect(tokenizer.encode("he</s>he", addSpecial: false) == [V.spaceID, V.spmHe, 2, V.spaceID, V.spmHe])
    }

    @Test func unknownCharactersFallBackToByteTokens() throws {
        let tokenizer = try Tokenizer(vocabulary: V.sentencePiece())
        #expect(tokenizer.encode("é", addSpecial: false) == [V.spaceID, V.spmByteID(0xC3), V.spmByteID(0xA9)])
        #expect(tokenizer.encode("😀", addSpecial: false)
                == [V.spaceID, V.spmByteID(0xF0), V.spmByteID(0x9F), V.spmByteID(0x98), V.spmByteID(0x80)])
    }

    @Test func byteTokensDecodeToTheirBytes() throws {
        let tokenizer = try Tokenizer(vocabulary: V.sentencePiece())
        #expect(tokenizer.decode([V.spaceID, V.spmByteID(0xC3), V.spmByteID(0xA9)]) == " é")
        #expect(tokenizer.tokenBytes(V.spmByteID(0x0A)) == [0x0A])
        #expect(tokenizer.decode([1, V.spaceID, V.spmHello, 2]) == " hello")
        #expect(tokenizer.decode([1], renderSpecial: true) == "<s>")
    }

    @Test func roundTripsThroughByteFallback() throws {
        let tokenizer = try Tokenizer(vocabulary: V.sentencePiece())
        let text = "héllo wörld 😀\n\ttab"
        #expect(tokenizer.decode(tokenizer.encode(text)) == " " + text)
    }

    @Test func missingSpecialIdsTakeLlamaDefaults() throws {
        let vocabulary = V.sentencePiece()
        #expect(vocabulary.addBOS)
        #expect(vocabulary.addSpacePrefix)
        let tokenizer = try Tokenizer(vocabulary: vocabulary)
        #expect(tokenizer.bosID == 1)
        #expect(tokenizer.isEndOfGeneration(2))
        #expect(tokenizer.encode("") == [1])
    }
}
