import Foundation
import Sampling

/// Draws from the Gamma distribution with a given shape and scale.
///
/// Shape ≥ 1 uses Marsaglia and Tsang's squeeze method ("A simple method for generating gamma
/// variables", ACM TOMS 26(3), 2000); shape < 1 draws Gamma(shape + 1) and multiplies by
/// U^(1/shape), the boost from the same paper. Normals come from the Box–Muller transform.
enum GammaSampler {
    static func sample(shape: Double, scale: Double, using generator: inout SplitMix64) -> Double {
        precondition(shape > 0 && scale > 0, "Gamma needs a positive shape and scale")
        if shape < 1 {
            let boosted = sample(shape: shape + 1, scale: 1, using: &generator)
            return scale * boosted * pow(generator.nextOpenUnit(), 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            let x = standardNormal(using: &generator)
            let root = 1 + c * x
            guard root > 0 else { continue }
            let v = root * root * root
            let u = generator.nextOpenUnit()
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return scale * d * v }
        }
    }

    static func standardNormal(using generator: inout SplitMix64) -> Double {
        let u1 = generator.nextOpenUnit(), u2 = generator.nextOpenUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
