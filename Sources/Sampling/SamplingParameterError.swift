/// Why ``SamplingParameters/validate()`` rejected a parameter set.
public enum SamplingParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    case temperatureOutOfRange(Float)
    case topPOutOfRange(Float)
    case minPOutOfRange(Float)
    case repetitionPenaltyOutOfRange(Float)
    case presencePenaltyNotFinite(Float)
    case frequencyPenaltyNotFinite(Float)
    case penaltyWindowOutOfRange(Int)

    public var description: String {
        switch self {
        case .temperatureOutOfRange(let value):
            "temperature must be a finite number >= 0 (0 = greedy), got \(value)"
        case .topPOutOfRange(let value):
            "topP must be in (0, 1] (1 = disabled), got \(value)"
        case .minPOutOfRange(let value):
            "minP must be in [0, 1] (0 = disabled), got \(value)"
        case .repetitionPenaltyOutOfRange(let value):
            "repetitionPenalty must be a finite number > 0 (1 = disabled), got \(value)"
        case .presencePenaltyNotFinite(let value):
            "presencePenalty must be a finite number, got \(value)"
        case .frequencyPenaltyNotFinite(let value):
            "frequencyPenalty must be a finite number, got \(value)"
        case .penaltyWindowOutOfRange(let value):
            "penaltyWindow must be >= -1 (-1 = whole history, 0 = no penalties), got \(value)"
        }
    }
}
