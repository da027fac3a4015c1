/// One dispatched server-sent event.
public struct ServerSentEvent: Equatable, Sendable {
    /// The `event:` field, or nil for the default type ("message").
    public var type: String?
    /// The `data:` lines of the event joined with "\n".
    public var data: String

    public init(type: String? = nil, data: String) {
        self.type = type
        self.data = data
    }
}

/// An incremental parser for `text/event-stream` bodies, fed the bytes as they arrive.
///
/// Follows the HTML Living Standard's event-stream interpretation: lines end in CRLF, LF or
/// CR (a CRLF may be split across reads); a line starting with ":" is a comment; `field:value`
/// drops one space after the colon; `data` lines accumulate and a blank line dispatches them;
/// an event without data dispatches nothing; `id` and `retry` are ignored. Bytes are kept
/// until a line is complete, so a UTF-8 character split across reads decodes correctly.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var type: String?
    /// The previous byte was a CR, so an LF right after it ends nothing.
    private var afterCarriageReturn = false

    public init() {}

    /// Consumes `bytes` and returns the events they complete, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n") where afterCarriageReturn:
                afterCarriageReturn = false
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                afterCarriageReturn = byte == UInt8(ascii: "\r")
                if let event = endLine() { events.append(event) }
            default:
                afterCarriageReturn = false
                line.append(byte)
            }
        }
        return events
    }

    /// Handles one complete line; a blank line dispatches the pending event.
    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        if line[0] == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let name = colon.map { line[..<$0] } ?? line[...]
        var value = colon.map { line[($0 + 1)...] } ?? []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            type = String(decoding: value, as: UTF8.self)
        default:
            break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            type = nil
        }
        guard hasData else { return nil }
        return ServerSentEvent(type: type, data: String(decoding: data, as: UTF8.self))
    }
}
