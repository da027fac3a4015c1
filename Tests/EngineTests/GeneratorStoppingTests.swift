import TernTestSupport
import Engine
import Testing

/// Stop strings and end-of-generation tokens.
@Suite struct GeneratorStoppingTests {
    let prompt: [Int32] = [TinyVocabulary.imStart, 80, 81, 82, 263]

    /// A run without stop strings, with the text piece each generated token released.
    struct Run {
        var result: GenerationResult
        var pieces: [String]
    }

    func run(_ bundle: ModelBundle, seed: UInt64, maxTokens: Int, ignoreEOS: Bool = true, stop: [String] = []) throws -> Run {
        var pieces: [String] = []
        let result = try Generator(bundle: bundle).generate(
            prompt: prompt, parameters: .seeded(seed, maxTokens: maxTokens, ignoreEOS: ignoreEOS, stop: stop)) { pieces.append($0) }
        return Run(result: result, pieces: pieces)
    }

    /// The stop string is the last character of one token's text and the first of the next.
    /// Generation must end at the token that completes it, with the text cut before it.
    @Test func stopStringAcrossTwoTokens() throws {
        try withTinyBundle { bundle in
            let full = try run(bundle, seed: 11, maxTokens: 48)
            // Without stop strings every token releases its piece at once (one call per token).
            let pieces = Array(full.pieces.prefix(full.result.outputIDs.count))
            func isPlainASCII(_ s: String) -> Bool { !s.isEmpty && s.utf8.allSatisfy { (0x21...0x7E).contains($0) } }
            var chosen: (stop: String, tokenIndex: Int)?
            var offset = 0
            for i in 0..<pieces.count - 1 {
                offset += pieces[i].utf8.count
                guard isPlainASCII(pieces[i]), isPlainASCII(pieces[i + 1]) else { continue }
                let stop = String(pieces[i].last!) + String(pieces[i + 1].first!)
                // It must first occur exactly across this boundary.
                let text = Array(full.result.text.utf8)
                guard let first = firstOccurrence(Array(stop.utf8), in: text), first == offset - 1 else { continue }
                chosen = (stop, i + 1)
                break
            }
            let (stop, lastIndex) = try #require(chosen, "no two adjacent ASCII tokens in \(pieces)")

            let stopped = try run(bundle, seed: 11, maxTokens: 48, stop: [stop]).result
            #expect(stopped.finishReason == .stop)
            #expect(stopped.outputIDs == Array(full.result.outputIDs.prefix(lastIndex + 1)))
            let fullBytes = Array(full.result.text.utf8)
            let cut = try #require(firstOccurrence(Array(stop.utf8), in: fullBytes))
            #expect(stopped.text == String(decoding: fullBytes[..<cut], as: UTF8.self))
            #expect(!stopped.text.contains(stop))
        }
    }

    /// Generating `<|im_end|>` ends generation (the token is in the ids, not in the text);
    /// with ignoreEOS the same draws continue past it.
    @Test func endOfGenerationTokenAndIgnoreEOS() throws {
        try withTinyBundle { bundle in
            #expect(bundle.tokenizer.isEndOfGeneration(TinyVocabulary.imEnd))
            var found: (seed: UInt64, result: GenerationResult)?
            for seed in UInt64(1)...300 {
                let result = try run(bundle, seed: seed, maxTokens: 48, ignoreEOS: false).result
                if result.finishReason == .stop { found = (seed, result); break }
            }
            let (seed, ended) = try #require(found, "no seed generated <|im_end|> within 48 tokens")
            #expect(ended.outputIDs.last == TinyVocabulary.imEnd)
            #expect(ended.outputIDs.dropLast().allSatisfy { $0 != TinyVocabulary.imEnd })
            #expect(ended.text == bundle.tokenizer.decode(Array(ended.outputIDs.dropLast())))

            let limit = ended.outputIDs.count + 6
            let continued = try run(bundle, seed: seed, maxTokens: limit, ignoreEOS: true).result
            #expect(continued.finishReason == .length)
            #expect(continued.outputIDs.count == limit)
            #expect(Array(continued.outputIDs.prefix(ended.outputIDs.count)) == ended.outputIDs)
        }
    }
}

func firstOccurrence(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<$0 + needle.count]) == needle }
}
