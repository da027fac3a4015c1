import Foundation
import Sampling

/// Natural logs of the given probabilities, so a test can state its
/// distribution directly: softmax(ln p) = p when the p sum to 1.
func logits(fromProbabilities probabilities: [Double]) -> [Float] {
    probabilities.map { Float(log($0)) }
}

/// Draws `count` tokens with one sampler, refreshing the logits each time.
func draws(
    _ parameters: SamplingParameters,
    logits: [Float],
    count: Int,
    history: [Int32] = []
) -> [Int32] {
    var sampler = Sampler(parameters: parameters, vocabularySize: logits.count)
    var result: [Int32] = []
    result.reserveCapacity(count)
    for _ in 0 ..< count {
        var scratch = logits
        result.append(scratch.withUnsafeMutableBufferPointer { sampler.sample(logits: $0, history: history) })
    }
    return result
}

/// The distribution a sampler with these parameters would draw from, keyed by id.
func distribution(
    _ parameters: SamplingParameters,
    logits: [Float],
    history: [Int32] = []
) -> [Int32: Double] {
    var sampler = Sampler(parameters: parameters, vocabularySize: logits.count)
    var scratch = logits
    let pairs = scratch.withUnsafeMutableBufferPointer { sampler.distribution(logits: $0, history: history) }
    return Dictionary(uniqueKeysWithValues: pairs.map { ($0.id, $0.probability) })
}

/// Relative frequency of each id among `samples`.
func frequencies(_ samples: [Int32]) -> [Int32: Double] {
    var counts: [Int32: Int] = [:]
    for id in samples { counts[id, default: 0] += 1 }
    return counts.mapValues { Double($0) / Double(samples.count) }
}
