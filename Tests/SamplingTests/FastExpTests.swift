import Foundation
import Testing

@testable import Sampling

struct FastExpTests {
    @Test func agreesWithTheCLibraryToAFewULPs() {
        // Foundation's exp serves as the reference over the whole domain the
        // sampler uses, (−87, 0].
        var worst: Float = 0
        var x: Float = 0
        while x > -87 {
            let reference = Float(exp(Double(x)))
            let relative = abs(FastExp.exp(x) - reference) / reference
            worst = max(worst, relative)
            x -= 0.013_7
        }
        #expect(worst < 4e-7)
    }

    @Test func exactAtZeroAndZeroBelowTheNormalRange() {
        #expect(FastExp.exp(0) == 1)
        #expect(FastExp.exp(-88) == 0)
        #expect(FastExp.exp(-.infinity) == 0)
        #expect(FastExp.exp(-1000) == 0)
    }

    @Test func lanesMatchTheScalarForm() {
        let inputs = VectorKernels.Block(0, -0.5, -1, -2.25, -10, -40.5, -80, -87)
        let lanes = FastExp.exp(inputs)
        for lane in 0 ..< VectorKernels.width {
            #expect(lanes[lane] == FastExp.exp(inputs[lane]))
        }
    }
}
