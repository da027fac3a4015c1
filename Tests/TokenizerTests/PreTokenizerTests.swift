import Testing
import Tokenizer

/// Expected splits are derived by hand from the regular expressions llama.cpp lists for each
/// pre-tokenizer (see the `PreTokenizer` documentation).
@Suite struct PreTokenizerTests {
    private func split(_ name: String, _ text: String) throws -> [String] {
        try PreTokenizer(name: name).split(text)
    }

    @Test func gpt2WordsKeepTheirLeadingSpace() throws {
        #expect(try split("gpt-2", "Hello world") == ["Hello", " world"])
        #expect(try split("gpt-2", "Hello, world!") == ["Hello", ",", " world", "!"])
        #expect(try split("gpt-2", "x ...?!") == ["x", " ...?!"])
    }

    @Test func gpt2ContractionsAreLowercaseOnly() throws {
        #expect(try split("gpt-2", "I'm sure you'll see it's") == ["I", "'m", " sure", " you", "'ll", " see", " it", "'s"])
        #expect(try split("gpt-2", "we've they're I'd") == ["we", "'ve", " they", "'re", " I", "'d"])
        // "'T" is not a contraction for GPT-2: the apostrophe is punctuation on its own.
        #expect(try split("gpt-2", "DON'T") == ["DON", "'", "T"])
    }

    @Test func llama3ContractionsIgnoreCase() throws {
        #expect(try split("llama3", "DON'T") == ["DON", "'T"])
        #expect(try split("llama3", "YOU'LL") == ["YOU", "'LL"])
        #expect(try split("qwen2", "it'S") == ["it", "'S"])
    }

    @Test func numberGroupingDependsOnPreTokenizer() throws {
        #expect(try split("gpt-2", "abc 12345") == ["abc", " 12345"])
        #expect(try split("smollm", "abc 12345") == ["abc", " ", "1", "2", "3", "4", "5"])
        #expect(try split("llama3", "abc 12345") == ["abc", " ", "123", "45"])
        #expect(try split("qwen2", "abc 12345") == ["abc", " ", "1", "2", "3", "4", "5"])
        #expect(try split("default", "x 1234") == ["x", " ", "123", "4"])
        #expect(try split("llama3", "1234567") == ["123", "456", "7"])
    }

    @Test func smollmIsolatesEveryDigitBeforeTheGPT2Pattern() throws {
        // The digit split comes first, so the space before a number stays a word of its own.
        #expect(try split("smollm", "n < 2 else") == ["n", " <", " ", "2", " else"])
        #expect(try split("smollm", "x2y") == ["x", "2", "y"])
        // Non-ASCII numbers count too (U+00BD VULGAR FRACTION ONE HALF is No).
        #expect(try split("smollm", "a½b") == ["a", "½", "b"])
    }

    @Test func whitespaceRunsLeaveTheirLastCharacterToTheNextWord() throws {
        #expect(try split("gpt-2", "a   b") == ["a", "  ", " b"])
        #expect(try split("gpt-2", "hi  ") == ["hi", "  "])
        #expect(try split("gpt-2", "a\tb") == ["a", "\t", "b"])
        #expect(try split("gpt-2", "    indented") == ["   ", " indented"])
        #expect(try split("gpt-2", "x\t\ty") == ["x", "\t", "\t", "y"])
    }

    @Test func newlinesGroupDifferentlyInLlama3() throws {
        #expect(try split("gpt-2", "a\n\nb") == ["a", "\n", "\n", "b"])
        #expect(try split("llama3", "a\n\nb") == ["a", "\n\n", "b"])
        #expect(try split("llama3", "a \n b") == ["a", " \n", " b"])
        #expect(try split("gpt-2", "a \n b") == ["a", " \n", " b"])
        // Punctuation swallows the line breaks after it.
        #expect(try split("llama3", "hi!\n\nthere") == ["hi", "!\n\n", "there"])
        #expect(try split("gpt-2", "hi!\n\nthere") == ["hi", "!", "\n", "\n", "there"])
    }

    @Test func llama3LetsOnePunctuationCharacterLeadAWord() throws {
        #expect(try split("llama3", "(hello)") == ["(hello", ")"])
        #expect(try split("gpt-2", "(hello)") == ["(", "hello", ")"])
    }

    @Test func nonLatinLettersAreLetters() throws {
        #expect(try split("gpt-2", "Привет мир") == ["Привет", " мир"])
        #expect(try split("gpt-2", "مرحبا بالعالم") == ["مرحبا", " بالعالم"])
        #expect(try split("gpt-2", "你好，世界") == ["你好", "，", "世界"])
        #expect(try split("llama3", "你好，世界") == ["你好", "，世界"])
    }

    @Test func emojiAndCombiningMarksAreNeitherLettersNorNumbers() throws {
        #expect(try split("gpt-2", "hi 😀😀") == ["hi", " 😀😀"])
        // U+0301 COMBINING ACUTE ACCENT is a mark (Mn), so it splits from the letter before it.
        #expect(try split("gpt-2", "e\u{301}") == ["e", "\u{301}"])
    }

    @Test func defaultSeparatesPunctuationAndMathSymbolsFirst() throws {
        #expect(try split("default", "a+b=$5") == ["a", "+", "b", "=$", "5"])
        #expect(try split("default", "Hello, world") == ["Hello", ",", " world"])
        #expect(try split("default", "12345") == ["123", "45"])
    }

    @Test func splitPiecesReassembleTheInput() throws {
        let text = "  Mixed 123 text!\n\twith 'quotes', émoji 🇫🇷 and\u{00A0}NBSP  "
        for name in ["default", "gpt-2", "smollm", "llama3", "qwen2", "falcon"] {
            #expect(try split(name, text).joined() == text, "\(name)")
        }
        #expect(try split("gpt-2", "") == [])
    }

    @Test func unknownNamesAreRejected() {
        #expect(throws: TokenizerError.unsupportedPreTokenizer("no-such-pre")) {
            try PreTokenizer(name: "no-such-pre")
        }
    }
}
