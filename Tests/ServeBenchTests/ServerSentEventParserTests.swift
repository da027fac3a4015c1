import Testing
@testable import ServeBench

/// Event-stream framing: reads split anywhere, several events per read, comments, line endings.
struct ServerSentEventParserTests {
    static let stream = "data: {\"a\":1}\n\n: keep-alive\n\ndata: {\"b\":\"é\"}\n\nevent: error\ndata: x\ndata: y\n\ndata: [DONE]\n\n"
    static let expected = [
        ServerSentEvent(data: #"{"a":1}"#), ServerSentEvent(data: #"{"b":"é"}"#),
        ServerSentEvent(type: "error", data: "x\ny"), ServerSentEvent(data: "[DONE]"),
    ]

    @Test func wholeStreamInOneRead() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array(Self.stream.utf8)) == Self.expected)
    }

    /// One byte per read splits every line, and the two bytes of "é".
    @Test func byteByByteReads() {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in Self.stream.utf8 { events += parser.feed([byte]) }
        #expect(events == Self.expected)
    }

    @Test func everySplitPointGivesTheSameEvents() {
        let bytes = Array(Self.stream.utf8)
        for cut in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...])
            #expect(events == Self.expected, "split at \(cut)")
        }
    }

    /// CRLF and bare CR end lines too, including a CRLF whose LF arrives in the next read.
    @Test func crlfAndCarriageReturnLineEndings() {
        var parser = ServerSentEventParser()
        var events = parser.feed(Array("data: one\r\n\r\ndata: two\r".utf8))
        events += parser.feed(Array("\n\r\ndata: three\r\rdata:four\n\n".utf8))
        #expect(events.map(\.data) == ["one", "two", "three", "four"])
    }

    @Test func commentsAndBlankLinesDispatchNothing() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array(":ok\n\n\n\nid: 3\nretry: 10\n\n".utf8)).isEmpty)
    }

    /// Only one space after the colon is dropped; a line without a colon is a field with an
    /// empty value; an empty `data:` still dispatches an (empty) event.
    @Test func fieldValueRules() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data:  two spaces\n\ndata\n\ndata:\n\n".utf8)).map(\.data) == [" two spaces", "", ""])
    }

    /// An event cut off by the end of the stream is not dispatched until its blank line comes.
    @Test func unfinishedEventWaits() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data: partial\n".utf8)).isEmpty)
        #expect(parser.feed(Array("\n".utf8)) == [ServerSentEvent(data: "partial")])
    }
}
