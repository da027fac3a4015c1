import Engine
import Testing

/// Requests the generator must refuse, and reuse of the cached prefix between requests.
@Suite struct GeneratorRequestTests {
    @Test func emptyPromptIsInvalid() throws {
        try withTinyBundle { bundle in
            #expect(throws: EngineError.invalidRequest("the prompt is empty")) {
                try Generator(bundle: bundle).generate(prompt: [], parameters: .greedy(maxTokens: 4))
            }
        }
    }

    @Test(arguments: [Int32(-1), 291, 5000])
    func tokenOutsideVocabularyIsInvalid(id: Int32) throws {
        try withTinyBundle { bundle in
            let error = #expect(throws: EngineError.self) {
                try Generator(bundle: bundle).generate(prompt: [5, id, 6], parameters: .greedy(maxTokens: 4))
            }
            guard case .invalidRequest(let message) = error else {
                Issue.record("expected invalidRequest, got \(String(describing: error))")
                return
            }
            #expect(message.contains("\(id)") && message.contains("291"))
        }
    }

    @Test func promptFillingTheContextIsInvalid() throws {
        try withTinyBundle { bundle in
            let generator = Generator(bundle: bundle, contextLength: 32)
            let error = #expect(throws: EngineError.self) {
                try generator.generate(prompt: Array(repeating: 70, count: 32), parameters: .greedy(maxTokens: 4))
            }
            guard case .invalidRequest(let message) = error else {
                Issue.record("expected invalidRequest, got \(String(describing: error))")
                return
            }
            #expect(message.contains("32"))
            // One position fewer leaves room for exactly one token.
            let result = try generator.generate(prompt: Array(repeating: 70, count: 31), parameters: .greedy(maxTokens: 4))
            #expect(result.outputIDs.count == 1)
            #expect(result.finishReason == .length)
        }
    }

    @Test func modelContextBoundsTheGenerator() throws {
        try withTinyBundle { bundle in
            let generator = Generator(bundle: bundle, contextLength: 10_000)
            #expect(generator.contextLength == 128)
            #expect(throws: EngineError.self) {
                try generator.generate(prompt: Array(repeating: 70, count: 128), parameters: .greedy(maxTokens: 1))
            }
        }
    }

    /// A generator that continues from its cache produces what a fresh one does, whether the
    /// next prompt extends the cached tokens, diverges from them, or is a prefix of them.
    @Test func cachedPrefixReuseMatchesFreshGenerator() throws {
        try withTinyBundle { bundle in
            let first: [Int32] = [289, 71, 72, 259, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43]
            let reused = Generator(bundle: bundle)
            let firstResult = try reused.generate(prompt: first, parameters: .greedy(maxTokens: 8))
            let cached = reused.cachedTokens
            #expect(cached.count >= first.count && Array(cached.prefix(first.count)) == first)
            #expect(Array((first + firstResult.outputIDs).prefix(cached.count)) == cached)

            let followUps: [(String, [Int32])] = [
                ("extends", first + firstResult.outputIDs + [290, 289, 100, 101]),
                ("diverges", Array(first.prefix(9)) + [200, 201, 202, 203, 204, 205, 206]),
                ("prefix", Array(first.prefix(5))),
                ("same", first),
            ]
            for (label, prompt) in followUps {
                let continued = try reused.generate(prompt: prompt, parameters: .greedy(maxTokens: 8))
                let fresh = try Generator(bundle: bundle).generate(prompt: prompt, parameters: .greedy(maxTokens: 8))
                #expect(continued.outputIDs == fresh.outputIDs, "\(label)")
                #expect(continued.text == fresh.text, "\(label)")
            }
        }
    }

    @Test func resetForgetsTheCache() throws {
        try withTinyBundle { bundle in
            let generator = Generator(bundle: bundle)
            _ = try generator.generate(prompt: [289, 50, 51], parameters: .greedy(maxTokens: 3))
            #expect(!generator.cachedTokens.isEmpty)
            generator.reset()
            #expect(generator.cachedTokens.isEmpty)
            let again = try generator.generate(prompt: [289, 50, 51], parameters: .greedy(maxTokens: 3))
            let fresh = try Generator(bundle: bundle).generate(prompt: [289, 50, 51], parameters: .greedy(maxTokens: 3))
            #expect(again.outputIDs == fresh.outputIDs)
        }
    }
}
