import Foundation
import Sampling

/// When each request is sent, in seconds after the start of the run.
///
/// Inter-arrival times are Gamma-distributed with shape `burstiness` and mean `1 / rate`
/// (scale `1 / (rate · burstiness)`), as vLLM's `bench serve` draws them: burstiness 1 is the
/// exponential distribution, i.e. a Poisson process; below 1 arrivals come in bursts, above 1
/// they are more evenly spaced (the squared coefficient of variation is `1 / burstiness`).
/// The first request goes out at 0; `inf` sends every request at 0.
public enum ArrivalSchedule {
    public static func offsets(count: Int, rate: RequestRate, burstiness: Double = 1, seed: UInt64) -> [Double] {
        guard count > 0 else { return [] }
        guard case .perSecond(let perSecond) = rate else { return Array(repeating: 0, count: count) }
        var generator = SplitMix64(seed: seed)
        var offsets = [0.0]
        offsets.reserveCapacity(count)
        var time = 0.0
        for _ in 1..<count {
            time += interval(rate: perSecond, burstiness: burstiness, using: &generator)
            offsets.append(time)
        }
        return offsets
    }

    static func interval(rate: Double, burstiness: Double, using generator: inout SplitMix64) -> Double {
        if burstiness == 1 { return -log(generator.nextOpenUnit()) / rate }
        return GammaSampler.sample(shape: burstiness, scale: 1 / (rate * burstiness), using: &generator)
    }
}
