import Testing
@testable import Kernels

struct AttentionTests {
    /// Paged attention with a scattered block table against a full-softmax reference.
    @Test(arguments: [(1, 1, 1), (9, 3, 37), (4, 4, 16), (8, 2, 100)])
    func matchesReference(heads: Int, kvHeads: Int, context: Int) {
        let headSize = 64, blockSize = 16
        var random = TestRandom(seed: UInt64(heads * 100 + context))
        let blocksNeeded = (context + blockSize - 1) / blockSize
        let poolBlocks = blocksNeeded * 2 + 1
        // Scatter: logical block i lives in physical block 2i+1.
        let table: [Int32] = (0..<blocksNeeded).map { Int32(2 * $0 + 1) }
        let keys = UnsafeMutablePointer<Float16>.allocate(capacity: poolBlocks * blockSize * kvHeads * headSize)
        let values = UnsafeMutablePointer<Float16>.allocate(capacity: poolBlocks * blockSize * kvHeads * headSize)
        defer { keys.deallocate(); values.deallocate() }
        let kv = PagedKV(keys: keys, values: values, blockSize: blockSize, kvHeads: kvHeads, headSize: headSize)
        var keyRows: [[Float]] = [], valueRows: [[Float]] = []
        for position in 0..<context {
            // Values rounded through Float16 so the reference sees what the cache holds.
            let k = random.floats(kvHeads * headSize, scale: 2).map { Float(Float16($0)) }
            let v = random.floats(kvHeads * headSize).map { Float(Float16($0)) }
            let slot = Int(table[position / blockSize]) * blockSize + position % blockSize
            kv.store(slot: slot, keys: k, values: v)
            keyRows.append(k)
            valueRows.append(v)
        }
        let query = random.floats(heads * headSize)
        var output = [Float](repeating: .nan, count: heads * headSize)
        let scale = 1 / Float(headSize).squareRoot()
        for h in 0..<kvHeads {
            Attention.attend(query: query, heads: heads, kvHead: h, kv: kv, blockTable: table, contextLength: context, scale: scale, output: &output)
        }
        let expected = query.withUnsafeBufferPointer {
            Attention.reference(query: $0.baseAddress!, heads: heads, keys: keyRows, values: valueRows, kvHeads: kvHeads, headSize: headSize, scale: scale)
        }
        #expect(normalizedError(output, expected) < 1e-5)
    }
}

struct ElementwiseTests {
    @Test func rmsNormByHand() {
        let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        let w: [Float] = [1, 1, 1, 1, 1, 1, 1, 1, 2]
        var out = [Float](repeating: 0, count: 9)
        Elementwise.rmsNorm(x, weight: w, epsilon: 0, output: &out, rows: 1, count: 9)
        let rms = (285.0 / 9.0).squareRoot()  // Σ i² for 1...9 = 285
        #expect(abs(Double(out[0]) - 1 / rms) < 1e-6)
        #expect(abs(Double(out[8]) - 18 / rms) < 1e-5)
    }

    @Test func ropeRotatesPairs() {
        // position 1, base 10000, 4 dims: pair 0 angle 1 rad, pair 1 angle 0.01 rad
        let rope = RotaryEmbedding(dimensions: 4, base: 10000, pairing: .adjacent)
        var x: [Float] = [1, 0, 1, 0]
        rope.apply(&x, heads: 1, headSize: 4, position: 1)
        #expect(abs(x[0] - cos(1)) < 1e-6 && abs(x[1] - sin(1)) < 1e-6)
        #expect(abs(x[2] - cos(0.01)) < 1e-6 && abs(x[3] - sin(0.01)) < 1e-6)
        let neox = RotaryEmbedding(dimensions: 4, base: 10000, pairing: .halves)
        var y: [Float] = [1, 1, 0, 0]
        neox.apply(&y, heads: 1, headSize: 4, position: 1)
        #expect(abs(y[0] - cos(1)) < 1e-6 && abs(y[2] - sin(1)) < 1e-6)
        #expect(abs(y[1] - cos(0.01)) < 1e-6 && abs(y[3] - sin(0.01)) < 1e-6)
    }

    @Test func swigluByHand() {
        var gate: [Float] = [0, 1, -2]
        let up: [Float] = [5, 2, 3]
        Elementwise.swiglu(gate: &gate, up: up, count: 3)
        #expect(gate[0] == 0)
        #expect(abs(gate[1] - 2 / (1 + exp(-1))) < 1e-6)
        #expect(abs(gate[2] - 3 * -2 / (1 + exp(2))) < 1e-6)
    }
}
import Foundation
