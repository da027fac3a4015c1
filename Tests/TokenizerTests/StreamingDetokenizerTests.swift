import Testing
import Tokenizer

@Suite struct StreamingDetokenizerTests {
    typealias V = TestVocabularies

    @Test func holdsBackPartialCharactersUntilComplete() throws {
        var stream = StreamingDetokenizer(tokenizer: try V.byteLevelTokenizer())
        #expect(stream.append(V.byteID(UInt8(ascii: "a"))) == "a")
        #expect(stream.append(V.byteID(0xF0)) == "")
        #expect(stream.append(V.byteID(0x9F)) == "")
        #expect(stream.append(V.byteID(0x98)) == "")
        #expect(stream.append(V.byteID(0x80)) == "😀")
        #expect(stream.append(V.theID) == " the")
        #expect(stream.finish() == "")
    }

    @Test func emitsTwoByteCharactersSplitAcrossTokens() throws {
        var stream = StreamingDetokenizer(tokenizer: try V.byteLevelTokenizer())
        #expect(stream.append(V.byteID(0xC3)) == "")
        #expect(stream.append(V.byteID(0xA9)) == "é")
    }

    @Test func finishFlushesIncompleteBytesAsReplacementCharacter() throws {
        var stream = StreamingDetokenizer(tokenizer: try V.byteLevelTokenizer())
        #expect(stream.append(V.byteID(0xF0)) == "")
        #expect(stream.append(V.byteID(0x9F)) == "")
        // F0 9F is one truncated sequence, so it becomes a single U+FFFD.
        #expect(stream.finish() == "\u{FFFD}")
        #expect(stream.finish() == "")
    }

    @Test func bytesThatCanNeverBeValidAreReleasedImmediately() throws {
        var stream = StreamingDetokenizer(tokenizer: try V.byteLevelTokenizer())
        #expect(stream.append(V.byteID(0xFF)) == "\u{FFFD}")
        #expect(stream.append(V.byteID(0x80)) == "\u{FFFD}")
        // E0 80 can never start a valid sequence (it would be overlong).
        #expect(stream.append(V.byteID(0xE0)) == "")
        #expect(stream.append(V.byteID(0x80)) == "\u{FFFD}\u{FFFD}")
    }

    @Test func controlTokensAppearOnlyWhenRendered() throws {
        var hidden = StreamingDetokenizer(tokenizer: try V.byteLevelTokenizer())
        #expect(hidden.append(2) == "")
        var shown = StreamingDetokenizer(tokenizer: try V.byteLevelTokenizer(), renderSpecial: true)
        #expect(shown.append(2) == "<|im_end|>")
    }

    @Test func sentencePieceByteTokensStreamWholeCharacters() throws {
        var stream = StreamingDetokenizer(tokenizer: try Tokenizer(vocabulary: V.sentencePiece()))
        #expect(stream.append(V.spaceID) == " ")
        #expect(stream.append(V.spmByteID(0xF0)) == "")
        #expect(stream.append(V.spmByteID(0x9F)) == "")
        #expect(stream.append(V.spmByteID(0x98)) == "")
        #expect(stream.append(V.spmByteID(0x80)) == "😀")
    }
}
