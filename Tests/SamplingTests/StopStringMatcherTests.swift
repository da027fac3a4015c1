import Sampling
import Testing

/// Feeds `pieces` to a fresh matcher and records each `append` result.
private func feed(_ stops: [String], _ pieces: [String]) -> (emits: [String], stopped: [Bool], matcher: StopStringMatcher) {
    var matcher = StopStringMatcher(stopStrings: stops)
    var emits: [String] = []
    var stopped: [Bool] = []
    for piece in pieces {
        let result = matcher.append(piece)
        emits.append(result.emit)
        stopped.append(result.stopped)
    }
    return (emits, stopped, matcher)
}

/// Everything a client would see: all emitted text plus whatever `finish` releases.
private func fullOutput(_ stops: [String], _ pieces: [String]) -> String {
    var matcher = StopStringMatcher(stopStrings: stops)
    var output = ""
    for piece in pieces {
        let result = matcher.append(piece)
        output += result.emit
        if result.stopped { return output }
    }
    return output + matcher.finish()
}

struct StopStringMatcherTests {
    @Test func matchInsideOnePiece() {
        let run = feed(["END"], ["hello END world"])
        #expect(run.emits == ["hello "])
        #expect(run.stopped == [true])
        #expect(run.matcher.matchedStopString == "END")
    }

    @Test func matchAcrossTwoPieces() {
        let run = feed(["END"], ["hello EN", "D more"])
        #expect(run.emits == ["hello ", ""])
        #expect(run.stopped == [false, true])
    }

    @Test func matchAcrossThreePieces() {
        let run = feed(["END"], ["he", "llo E", "N", "D!"])
        #expect(run.emits == ["he", "llo ", "", ""])
        #expect(run.stopped == [false, false, false, true])
    }

    @Test func falseStartIsReleasedOnceItCannotMatch() {
        let run = feed(["abc"], ["ab", "ac", "!"])
        #expect(run.emits == ["", "abac", "!"])
        #expect(run.stopped == [false, false, false])
    }

    @Test func falseStartThatOverlapsTheRealMatch() {
        // "a" is held, then "aba" holds its last "a", which begins the match.
        let run = feed(["abc"], ["xa", "ba", "bc"])
        #expect(run.emits == ["x", "ab", ""])
        #expect(run.stopped == [false, false, true])
    }

    @Test func earliestMatchWins() {
        let run = feed(["world", "lo"], ["hello world"])
        #expect(run.emits == ["hel"])
        #expect(run.matcher.matchedStopString == "lo")
    }

    @Test func theMatchCompletedFirstWinsEvenIfAnotherStartsEarlier() {
        // "bc" is complete at byte 4 of "xabcd"; "abcd" only at byte 5.
        let run = feed(["abcd", "bc"], ["xabcd"])
        #expect(run.emits == ["xa"])
        #expect(run.matcher.matchedStopString == "bc")
    }

    @Test func amongMatchesEndingTogetherTheLongestWins() {
        let run = feed(["bc", "abc"], ["xabc"])
        #expect(run.emits == ["x"])
        #expect(run.matcher.matchedStopString == "abc")
    }

    @Test func resultDoesNotDependOnHowTheTextIsSplit() {
        let stops = ["abcd", "bc", "zz"]
        let text = "xyabcdzz"
        let characters = text.map(String.init)
        #expect(fullOutput(stops, [text]) == "xya")
        #expect(fullOutput(stops, characters) == "xya")
        for cut in 1 ..< characters.count {
            let pieces = [characters[..<cut].joined(), characters[cut...].joined()]
            #expect(fullOutput(stops, pieces) == "xya", "split at \(cut)")
        }
    }

    @Test func emojiAroundTheStopString() {
        let run = feed(["🛑"], ["Ready 🚀", " go 🛑 done"])
        #expect(run.emits == ["Ready 🚀", " go "])
        #expect(run.stopped == [false, true])
    }

    @Test func multiByteStopStringAcrossPieces() {
        let run = feed(["ñandú"], ["el ña", "ndú corre"])
        #expect(run.emits == ["el ", ""])
        #expect(run.stopped == [false, true])
    }

    @Test func heldBackTextIsWholeCharacters() {
        // "é" (C3 A9) begins the stop string "é!", so it is held whole and
        // released whole once "?" rules the match out.
        let run = feed(["é!"], ["café", "?"])
        #expect(run.emits == ["caf", "é?"])
    }

    @Test func sharedLeadByteAloneIsNotHeld() {
        // "è" is C3 A8 and "é" is C3 A9: they share a lead byte, but no
        // suffix of "è" starts "éa", so nothing is held.
        let run = feed(["éa"], ["è"])
        #expect(run.emits == ["è"])
    }

    @Test func zeroWidthJoinerSequenceSplitBetweenScalars() {
        // 👩‍💻 is WOMAN, ZERO WIDTH JOINER, LAPTOP; the pieces split it after WOMAN.
        let run = feed(["👩\u{200D}💻"], ["hi 👩", "\u{200D}💻 bye"])
        #expect(run.emits == ["hi ", ""])
        #expect(run.stopped == [false, true])
    }

    @Test func stopStringMatchesInsideACombiningSequence() {
        // "e\u{301}" renders as é; a scalar-level match still finds "e" in it,
        // and a stop string that is just the combining accent matches too.
        #expect(feed(["e"], ["cafe\u{301} ok"]).emits == ["caf"])
        #expect(feed(["\u{301}"], ["cafe\u{301} ok"]).emits == ["cafe"])
    }

    @Test func finishReleasesHeldText() {
        var matcher = StopStringMatcher(stopStrings: ["END"])
        #expect(matcher.append("hello EN") == ("hello ", false))
        #expect(matcher.finish() == "EN")
        #expect(matcher.finish() == "")
    }

    @Test func finishAfterAMatchReleasesNothing() {
        var matcher = StopStringMatcher(stopStrings: ["END"])
        #expect(matcher.append("a END b") == ("a ", true))
        #expect(matcher.finish() == "")
    }

    @Test func appendAfterAMatchEmitsNothing() {
        var matcher = StopStringMatcher(stopStrings: ["END"])
        _ = matcher.append("END")
        #expect(matcher.append("more") == ("", true))
        #expect(matcher.isStopped)
    }

    @Test func emptyStopListPassesEverythingThrough() {
        var matcher = StopStringMatcher(stopStrings: [])
        #expect(matcher.append("abc") == ("abc", false))
        #expect(matcher.append("🙂") == ("🙂", false))
        #expect(matcher.finish() == "")
    }

    @Test func emptyStopStringsAreIgnored() {
        var matcher = StopStringMatcher(stopStrings: ["", "x"])
        #expect(matcher.stopStrings == ["x"])
        #expect(matcher.append("abc") == ("abc", false))
        #expect(matcher.append("axb") == ("a", true))
    }

    @Test func stopStringAtTheVeryStart() {
        #expect(feed(["<|end|>"], ["<|", "end|>tail"]).emits == ["", ""])
    }
}
