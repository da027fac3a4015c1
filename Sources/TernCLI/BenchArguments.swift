import ArgumentParser
import Foundation
import ServeBench

/// `--request-rate`: requests per second, or `inf`.
struct RateArgument: ExpressibleByArgument, Equatable {
    let rate: RequestRate

    init(_ rate: RequestRate) { self.rate = rate }

    init?(argument: String) {
        guard let rate = RequestRate(argument) else { return nil }
        self.rate = rate
    }

    var defaultValueDescription: String { rate.description }
}

/// A comma-separated list of request rates, e.g. `1,2,4,inf`.
struct RateList: ExpressibleByArgument, Equatable {
    let rates: [RequestRate]

    init?(argument: String) {
        var rates: [RequestRate] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let rate = RequestRate(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            rates.append(rate)
        }
        self.rates = rates
    }
}

/// `--endpoint`: which OpenAI API the requests use.
enum EndpointArgument: String, ExpressibleByArgument, CaseIterable {
    case completions, chat

    var endpoint: BenchmarkConfiguration.Endpoint { self == .chat ? .chat : .completions }
}
