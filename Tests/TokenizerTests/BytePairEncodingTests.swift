import Testing
import Tokenizer

/// Byte-level BPE on `TestVocabularies.byteLevel`; expected ids follow from its merge ranks.
@Suite struct BytePairEncodingTests {
    typealias V = TestVocabularies

    @Test func mergesFollowRankOrderNotPosition() throws {
        let tokenizer = try V.byteLevelTokenizer()
        // " the": "Ġ t" (rank 0), then "h e" (rank 1), then "Ġt he" (rank 2).
        #expect(tokenizer.encode(" the") == [V.theID])
        #expect(tokenizer.encode("the") == [V.byteID(UInt8(ascii: "t")), V.heID])
        // "b c" (rank 3) outranks "a b" (rank 4) although "a b" comes first in the word.
        #expect(tokenizer.encode("abc") == [V.byteID(UInt8(ascii: "a")), V.bcID])
    }

    @Test func equalRanksMergeLeftmostFirst() throws {
        let tokenizer = try V.byteLevelTokenizer()
        #expect(tokenizer.encode("aaa") == [V.aaID, V.byteID(UInt8(ascii: "a"))])
    }

    @Test func mergesMayPassThroughStringsThatAreNotTokens() throws {
        let tokenizer = try V.byteLevelTokenizer()
        // "x y" builds "xy", which is no token, and "xy z" then builds the token "xyz".
        #expect(tokenizer.encode("xyz") == [V.xyzID])
        // Left at "xy", the word falls back to the tokens of its single bytes.
        #expect(tokenizer.encode("xy") == V.byteIDs("xy"))
    }

    @Test func wordsNeverMergeAcrossPreTokenizerBoundaries() throws {
        let tokenizer = try V.byteLevelTokenizer()
        // smollm isolates digits, so " 2024" is " ", "2", "0", "2", "4".
        #expect(tokenizer.encode("a 2024") == V.byteIDs("a 2024"))
        // "t\nhe" splits into "t", "\n", "he", so "t" cannot join "he".
        #expect(tokenizer.encode("t\nhe") == [V.byteID(0x74), V.byteID(0x0A), V.heID])
    }

    @Test func bytesWithoutMergesBecomeByteTokens() throws {
        let tokenizer = try V.byteLevelTokenizer()
        #expect(tokenizer.encode("😀") == [V.byteID(0xF0), V.byteID(0x9F), V.byteID(0x98), V.byteID(0x80)])
        #expect(tokenizer.encode("é") == [V.byteID(0xC3), V.byteID(0xA9)])
        #expect(tokenizer.encode("") == [])
    }

    @Test func llama3TakesWholeWordsFromTheVocabulary() throws {
        // "qq" has no merge; only the Llama 3 pre-tokenizer's whole-word rule finds it.
        #expect(try V.byteLevelTokenizer(pre: "smollm").encode("qq") == V.byteIDs("qq"))
        #expect(try V.byteLevelTokenizer(pre: "llama3").encode("qq") == [V.qqID])
        #expect(try V.byteLevelTokenizer(pre: "qwen2").encode("qq") == V.byteIDs("qq"))
    }

    @Test func bosAndEosFollowTheFlags() throws {
        let tokenizer = try Tokenizer(vocabulary: V.byteLevel(bosID: 1, eosID: 0, addBOS: true, addEOS: true))
        #expect(tokenizer.encode(" the") == [1, V.theID, 0])
        #expect(tokenizer.encode(" the", addSpecial: false) == [V.theID])
        #expect(tokenizer.encode("") == [1, 0])
        let plain = try Tokenizer(vocabulary: V.byteLevel(bosID: 1, eosID: 0))
        #expect(plain.encode(" the") == [V.theID])
    }

    @Test func llama3AddsBOSUnlessTheFileSaysOtherwise() {
        #expect(V.byteLevel(pre: "llama-bpe", bosID: 1).addBOS)
        #expect(!V.byteLevel(pre: "llama-bpe", bosID: 1, addBOS: false).addBOS)
        #expect(!V.byteLevel(pre: "smollm", bosID: 1).addBOS)
    }

    @Test func decodingMapsStandInCharactersBackToBytes() throws {
        let tokenizer = try V.byteLevelTokenizer()
        #expect(tokenizer.decode([V.theID]) == " the")
        #expect(tokenizer.decode([V.byteID(0xF0), V.byteID(0x9F), V.byteID(0x98), V.byteID(0x80)]) == "😀")
        #expect(tokenizer.tokenBytes(V.byteID(0x20)) == [0x20])
        #expect(tokenizer.tokenBytes(V.theID) == Array(" the".utf8))
        // A lone continuation byte is not valid UTF-8 and decodes as U+FFFD.
        #expect(tokenizer.decode([V.byteID(0x80)]) == "\u{FFFD}")
    }

    @Test func decodingSkipsControlTokensUnlessAskedAndAlwaysShowsUserDefinedOnes() throws {
        let tokenizer = try V.byteLevelTokenizer()
        let ids: [TokenID] = [1, V.theID, 3, 2]
        #expect(tokenizer.decode(ids) == " the<tool>")
        #expect(tokenizer.decode(ids, renderSpecial: true) == "<|im_start|> the<tool><|im_end|>")
        // Unused tokens and ids outside the vocabulary contribute nothing.
        #expect(tokenizer.decode([6, -1, 100_000]) == "")
        #expect(tokenizer.tokenBytes(-5) == [])
    }

    @Test func roundTripsArbitraryText() throws {
        let text = "  Mixed CASE, 1234 numbers; naïve café — 你好 🇫🇷\n\ttabs\u{00A0}nbsp  "
        for pre in ["default", "gpt-2", "smollm", "llama3", "qwen2", "falcon"] {
            let tokenizer = try V.byteLevelTokenizer(pre: pre)
            #expect(tokenizer.decode(tokenizer.encode(text, addSpecial: false)) == text, "\(pre)")
        }
    }

    @Test func looksUpTokensByExactText() throws {
        let tokenizer = try V.byteLevelTokenizer()
        #expect(tokenizer.tokenID(forText: "<|im_end|>") == 2)
        #expect(tokenizer.tokenID(forText: "Ġthe") == V.theID)
        #expect(tokenizer.tokenID(forText: " the") == nil)
        #expect(tokenizer.tokenID(forText: "xy") == nil)  // a merge product, not a token
        #expect(tokenizer.tokenText(V.theID) == "Ġthe")
        #expect(tokenizer.vocabularySize == 7 + 256 + V.bpeMergedTokens.count)
    }
}
