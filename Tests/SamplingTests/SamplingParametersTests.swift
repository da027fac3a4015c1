import Foundation
import Sampling
import Testing

struct SamplingParametersTests {
    @Test func defaultsDisableEveryFilter() throws {
        let parameters = SamplingParameters()
        #expect(parameters.temperature == 1)
        #expect(parameters.topK == 0)
        #expect(parameters.topP == 1)
        #expect(parameters.minP == 0)
        #expect(parameters.repetitionPenalty == 1)
        #expect(parameters.presencePenalty == 0)
        #expect(parameters.frequencyPenalty == 0)
        #expect(parameters.penaltyWindow == 64)
        #expect(parameters.seed == nil)
        try parameters.validate()
    }

    @Test func validateNamesTheOffendingField() {
        #expect(throws: SamplingParameterError.temperatureOutOfRange(-1)) {
            try SamplingParameters(temperature: -1).validate()
        }
        #expect(throws: SamplingParameterError.topPOutOfRange(0)) { try SamplingParameters(topP: 0).validate() }
        #expect(throws: SamplingParameterError.minPOutOfRange(1.5)) { try SamplingParameters(minP: 1.5).validate() }
        #expect(throws: SamplingParameterError.repetitionPenaltyOutOfRange(0)) {
            try SamplingParameters(repetitionPenalty: 0).validate()
        }
        #expect(throws: SamplingParameterError.presencePenaltyNotFinite(.infinity)) {
            try SamplingParameters(presencePenalty: .infinity).validate()
        }
        #expect(throws: SamplingParameterError.penaltyWindowOutOfRange(-2)) {
            try SamplingParameters(penaltyWindow: -2).validate()
        }
        let message = SamplingParameterError.topPOutOfRange(2).description
        #expect(message.contains("topP") && message.contains("2"))
    }

    @Test func nanTemperatureIsRejected() {
        #expect(throws: SamplingParameterError.self) { try SamplingParameters(temperature: .nan).validate() }
    }

    @Test func decodingFillsMissingFieldsWithDefaults() throws {
        let json = Data(#"{"temperature": 0.7, "topK": 40, "seed": 123}"#.utf8)
        let decoded = try JSONDecoder().decode(SamplingParameters.self, from: json)
        #expect(decoded == SamplingParameters(temperature: 0.7, topK: 40, seed: 123))
    }

    @Test func encodingRoundTrips() throws {
        let original = SamplingParameters(
            temperature: 0.5, topK: 5, topP: 0.9, minP: 0.05, repetitionPenalty: 1.1,
            presencePenalty: 0.2, frequencyPenalty: 0.3, penaltyWindow: -1, seed: 42
        )
        let data = try JSONEncoder().encode(original)
        #expect(try JSONDecoder().decode(SamplingParameters.self, from: data) == original)
    }
}
