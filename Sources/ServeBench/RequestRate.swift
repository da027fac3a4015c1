/// How fast requests arrive: a mean rate in requests per second, or all at once.
public enum RequestRate: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    case infinite
    case perSecond(Double)

    /// Parses `inf` or a positive number.
    public init?(_ text: String) {
        if text.lowercased() == "inf" {
            self = .infinite
        } else if let value = Double(text), value.isFinite, value > 0 {
            self = .perSecond(value)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .infinite: "inf"
        case .perSecond(let rate): rate == rate.rounded() ? String(Int(rate)) : String(rate)
        }
    }

    /// The rate, or nil for `inf`.
    public var value: Double? {
        if case .perSecond(let rate) = self { rate } else { nil }
    }

    // JSON has no infinity: the rate is a number, or the string "inf".
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let rate = try? container.decode(Double.self) {
            self = .perSecond(rate)
        } else if try container.decode(String.self) == "inf" {
            self = .infinite
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a request rate is a number or \"inf\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .infinite: try container.encode("inf")
        case .perSecond(let rate): try container.encode(rate)
        }
    }
}
