import Testing
import Tokenizer

@Suite struct VocabularyValidationTests {
    @Test func modelNamesMapToModels() throws {
        #expect(try Vocabulary.Model(ggufName: "gpt2") == .bpe)
        #expect(try Vocabulary.Model(ggufName: "llama") == .sentencePiece)
        #expect(throws: TokenizerError.unsupportedModel("bert")) { try Vocabulary.Model(ggufName: "bert") }
    }

    @Test func emptyVocabularyIsRejected() {
        #expect(throws: TokenizerError.invalidVocabulary("tokenizer.ggml.tokens is empty")) {
            try Tokenizer(vocabulary: Vocabulary(model: .bpe, tokens: []))
        }
    }

    @Test func mismatchedTypesAndScoresAreRejected() {
        let types = Vocabulary(model: .bpe, tokens: ["a", "b"], tokenTypes: [1])
        #expect(throws: TokenizerError.invalidVocabulary("tokenizer.ggml.token_type has 1 entries for 2 tokens")) {
            try Tokenizer(vocabulary: types)
        }
        let scores = Vocabulary(model: .sentencePiece, tokens: ["a", "b"], scores: [0], bosID: 0)
        #expect(throws: TokenizerError.invalidVocabulary("tokenizer.ggml.scores has 1 entries for 2 tokens")) {
            try Tokenizer(vocabulary: scores)
        }
    }

    @Test func unknownPreTokenizerIsRejectedForBPE() {
        let vocabulary = Vocabulary(model: .bpe, preTokenizer: "mystery", tokens: ["a"])
        #expect(throws: TokenizerError.unsupportedPreTokenizer("mystery")) { try Tokenizer(vocabulary: vocabulary) }
    }

    @Test func addingBOSWithoutABOSTokenIsRejected() {
        let vocabulary = Vocabulary(model: .bpe, tokens: ["a"], addBOS: true)
        #expect(throws: TokenizerError.self) { try Tokenizer(vocabulary: vocabulary) }
    }

    @Test func absentTypesMeanNormalTokens() throws {
        let vocabulary = Vocabulary(model: .bpe, tokens: ["a", "b"])
        #expect(vocabulary.tokenTypes == [1, 1])
        #expect(vocabulary.preTokenizer == "default")
        let tokenizer = try Tokenizer(vocabulary: vocabulary)
        #expect(tokenizer.encode("ab") == [0, 1])
    }

    @Test func errorsDescribeTheProblem() {
        #expect(TokenizerError.unsupportedModel("t5").description.contains("'t5'"))
        #expect(TokenizerError.invalidVocabulary("x").description == "invalid vocabulary: x")
    }
}
